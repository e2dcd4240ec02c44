"""The Typer app and what every command shares: consoles, one-line errors, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reelsearch.core.components import ProgressCallback
from reelsearch.core.errors import ReelsearchError
from reelsearch.core.models import Asset

app = typer.Typer(
    name="reelsearch",
    help="In-video search: find shots by description, example image or shot, or dialogue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console(soft_wrap=True, highlight=False)


@contextmanager
def errors() -> Iterator[None]:
    """Show reelsearch's own errors as one line and exit 1, never as a traceback."""
    try:
        yield
    except ReelsearchError as exc:
        print_error(exc)
        raise typer.Exit(1) from None


def print_error(error: object) -> None:
    """``error: <message>`` on stderr; the message is shown as is (never read as markup)."""
    console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)


def print_warning(label: str, message: object) -> None:
    """``<label>: <message>`` in yellow on stderr; the message is never read as markup."""
    console.print(f"[bold yellow]{escape(label)}:[/] {escape(str(message))}", highlight=False)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


@contextmanager
def progress_bars() -> Iterator[Callable[[str, Asset], ProgressCallback]]:
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
