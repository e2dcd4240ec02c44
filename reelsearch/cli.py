"""The ``reelsearch`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reelsearch.core.components import ProgressCallback
from reelsearch.core.errors import ReelsearchError
from reelsearch.core.models import Asset
from reelsearch.core.runtime import Runtime

app = typer.Typer(
    name="reelsearch",
    help="In-video search: find shots by description, example image or shot, or dialogue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console(soft_wrap=True, highlight=False)


@contextmanager
def _errors() -> Iterator[None]:
    """Show reelsearch's own errors as one line and exit 1, never as a traceback."""
    try:
        yield
    except ReelsearchError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


@app.command()
def plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every plugin with its components, version and distribution."""
    with _errors(), Runtime() as rs:
        listing = [
            {
                "name": plugin.name,
                "distribution": plugin.distribution,
                "version": plugin.version,
                "components": [
                    {
                        "kind": reg.kind,
                        "name": reg.name,
                        "description": reg.component.description,
                    }
                    for reg in sorted(regs, key=lambda r: (r.kind, r.name))
                ],
            }
            for plugin, regs in sorted(rs.registry.by_plugin().items(), key=lambda i: i[0].name)
        ]
    if as_json:
        _print_json(listing)
        return
    table = Table("plugin", "distribution", "version", "components")
    for item in listing:
        comps = ", ".join(f"{c['kind']}:{c['name']}" for c in item["components"])
        table.add_row(item["name"], item["distribution"] or "-", item["version"] or "-", comps)
    out.print(table)


@contextmanager
def _progress() -> Iterator[Callable[[str, Asset], ProgressCallback]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as bar:

        def on_step(algo: str, asset: Asset) -> ProgressCallback:
            task = bar.add_task(f"{asset.title} · {algo}", total=None)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            return update

        yield on_step


@app.command()
def ingest(
    videos: Annotated[list[Path], typer.Argument(help="Video files to ingest.")],
    title: Annotated[
        str | None, typer.Option(help="Title for every file (default: file name).")
    ] = None,
    algo: Annotated[
        list[str] | None, typer.Option("--algo", help="Run only these algos (and dependencies).")
    ] = None,
) -> None:
    """Analyse videos and index them in the store under REELSEARCH_HOME."""
    with _errors(), Runtime() as rs, _progress() as on_step:
        result = rs.ingest(videos, title=title, algos=algo, strict=False, on_step=on_step)
    for error in result.failures.values():
        console.print(f"[bold red]error:[/] {error}", highlight=False)
    for report in result.reports:
        done = ", ".join(report.computed) or "nothing (up to date)"
        out.print(f"{report.asset.title} [{report.asset.id[:12]}]: computed {done}")
    if result.failures:
        raise typer.Exit(1)


@app.command()
def titles(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the titles in the catalog and their assets."""
    with _errors(), Runtime() as rs:
        assets = rs.catalog.assets()
    if as_json:
        _print_json([a.model_dump(mode="json") for a in assets])
        return
    table = Table("title", "asset", "duration", "file")
    for asset in assets:
        duration = f"{asset.media.duration:.1f} s" if asset.media else "-"
        table.add_row(asset.title, asset.id[:12], duration, asset.uri)
    out.print(table)
