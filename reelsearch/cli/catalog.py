"""Commands over the catalog: plugins, ingest, titles and the demo (the main job)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reelsearch.cli._app import (
    app,
    console,
    errors,
    out,
    plain,
    print_error,
    print_json,
    print_warning,
    progress_bars,
)
from reelsearch.cli.client import ServerClient, server_of_home
from reelsearch.core.errors import JobError, ReelsearchError, RequestError, close_names
from reelsearch.core.media.sample import sample_video
from reelsearch.core.models import Asset, SearchRequest
from reelsearch.core.pipeline import AssetReport
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import PointFilter
from reelsearch.core.timecode import source_timecode

SHOTS = "shots"
"""The collection of the built-in ``shots`` algo."""


@app.command()
def plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every plugin with its components, version and distribution."""
    with errors(), Runtime() as rs:
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
        print_json(listing)
        return
    table = Table("plugin", "distribution", "version", "components")
    for item in listing:
        comps = ", ".join(f"{c['kind']}:{c['name']}" for c in item["components"])
        table.add_row(
            *map(plain, (item["name"], item["distribution"] or "-", item["version"] or "-", comps))
        )
    out.print(table)


@app.command()
def ingest(
    videos: Annotated[list[Path], typer.Argument(help="Video files to ingest.")],
    title: Annotated[
        str | None,
        typer.Option(
            help="Title of every file given (parts of one title: episodes, reels); default: "
            "each file's own name without its extension."
        ),
    ] = None,
    metadata: Annotated[
        list[str] | None,
        typer.Option(
            "--metadata",
            metavar="KEY=VALUE",
            help="Metadata of every file, for search --metadata (repeatable; a key given "
            "twice holds a list).",
        ),
    ] = None,
    algo: Annotated[
        list[str] | None, typer.Option("--algo", help="Run only these algos (and dependencies).")
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            help="Seconds to wait for another process using the data home (default: fail).",
        ),
    ] = 0.0,
    no_wait: Annotated[
        bool,
        typer.Option("--no-wait", help="With a server running: queue the jobs and return at once."),
    ] = False,
) -> None:
    """Analyse videos and index them in the store under REELSEARCH_HOME (through the server
    when one runs on it: as jobs, followed until they end)."""
    from reelsearch.cli.search import parse_metadata

    with errors():
        fields = parse_metadata(metadata or [])
        client = server_of_home()
        if client is not None:
            from reelsearch.cli.jobs import ingest_through

            ingest_through(
                client, videos, title=title, metadata=fields, algos=algo, follow=not no_wait
            )
            return
    if no_wait:
        print_error("--no-wait queues jobs on a running server, and none runs on this home")
        raise typer.Exit(1)
    with errors(), Runtime(lock_timeout=wait) as rs, progress_bars() as on_step:
        result = rs.ingest(
            videos, title=title, metadata=fields, algos=algo, strict=False, on_step=on_step
        )
    for error in result.failures.values():
        print_error(error)
    for report in result.reports:
        print_report(report.asset, report.computed)
    warn_skipped(result.reports)
    if result.failures:
        raise typer.Exit(1)


@app.command()
def titles(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the titles in the catalog and their assets."""
    with errors():
        client = server_of_home()
        if client is not None:
            from reelsearch.cli.jobs import catalog_assets

            assets = catalog_assets(client)
        else:
            with Runtime() as rs:
                assets = rs.catalog.assets()
    if as_json:
        print_json([a.model_dump(mode="json") for a in assets])
        return
    table = Table("title", "asset", "duration", "file")
    for asset in assets:
        duration = f"{asset.media.duration:.1f} s" if asset.media else "-"
        table.add_row(plain(asset.title), plain(asset.id[:12]), duration, plain(asset.uri))
    out.print(table)


@app.command()
def remove(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="TITLE|ASSET|FILE...",
            help="A title (all its files), an asset id (or the start of one, 8 digits at "
            "least, as titles shows it) or a catalogued file's path.",
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Remove every file of a title, without asking.")
    ] = False,
) -> None:
    """Remove files from the catalog: their entries and everything indexed for them (through
    the server when one runs on this home). Removing a whole title needs --yes."""
    with errors():
        client = server_of_home()
        if client is not None:
            from reelsearch.cli.jobs import catalog_assets

            chosen = removal_targets(catalog_assets(client), targets, yes)
            remove_through(client, chosen)
        else:
            with Runtime() as rs:
                chosen = removal_targets(rs.catalog.assets(), targets, yes)
                for asset in chosen:
                    rs.catalog.remove(asset.id)
    for asset in chosen:
        out.print(plain(f"removed {asset.title} [{asset.id[:12]}]: {asset.uri}"))


MIN_ID_PREFIX = 8
"""Fewest hex digits of an asset id that ``remove`` takes as the start of one."""


def removal_targets(assets: list[Asset], targets: list[str], yes: bool) -> list[Asset]:
    """The catalog files ``targets`` name, each once.

    Raises:
        RequestError: A target names nothing (with the closest titles), an id prefix names
            several files, or a title is named without ``yes``.
    """
    chosen: dict[str, Asset] = {}
    titles = sorted({asset.title for asset in assets})
    for target in targets:
        by_id = [a for a in assets if len(target) >= MIN_ID_PREFIX and a.id.startswith(target)]
        path = str(Path(target).expanduser().resolve()) if target else ""
        by_path = [a for a in assets if a.uri == path]
        by_title = [a for a in assets if a.title == target]
        if len(by_id) > 1:
            raise RequestError(f"{target!r} starts {len(by_id)} asset ids: give more digits")
        found = by_id or by_path
        if not found and by_title:
            if not yes:
                raise RequestError(
                    f"title {target!r} has {len(by_title)} file(s); add --yes to remove them all"
                )
            found = by_title
        if not found:
            raise RequestError(
                f"nothing in the catalog is titled, has the id or the path {target!r}"
                + (close_names(target, titles) if assets else "; the catalog is empty")
            )
        chosen.update((asset.id, asset) for asset in found)
    return list(chosen.values())


def remove_through(client: ServerClient, assets: list[Asset]) -> None:
    """Queue the removal of ``assets`` on the server and wait until every job ended.

    Raises:
        JobError: A removal failed (its message).
    """
    ids = [client.delete(f"/api/assets/{asset.id}")["id"] for asset in assets]
    for job in client.follow(ids):
        if job["state"] in ("failed", "cancelled"):
            raise JobError(job["error"] or f"removal job {job['id']} {job['state']}")


@app.command()
def demo(
    videos: Annotated[
        list[Path] | None, typer.Argument(help="Videos to use (default: a generated sample).")
    ] = None,
) -> None:
    """The main job: ingest videos on the embedded defaults, show their shots, run searches."""
    with errors(), Runtime() as rs:
        if not videos:
            sample = rs.settings.home / "samples" / "reelsearch-sample.mp4"
            if not sample.exists():
                sample_video(sample)
            videos = [sample]
            console.print(plain(f"Using a generated sample video: {sample}"))
        console.print(plain(f"Data home: {rs.settings.home}"))
        with progress_bars() as on_step:
            result = rs.ingest(videos, strict=False, on_step=on_step)
        for error in result.failures.values():
            print_error(error)
        warn_skipped(result.reports)
        for report in result.reports:
            _print_shots(rs, report.asset)
        _demo_searches(rs)
    if result.failures:
        raise typer.Exit(1)


def print_report(asset: Asset, computed: list[str]) -> None:
    """The line ingest prints for a file it brought up to date."""
    done = ", ".join(computed) or "nothing (up to date)"
    out.print(plain(f"{asset.title} [{asset.id[:12]}]: computed {done}"))


def warn_skipped(reports: list[AssetReport]) -> None:
    """Say plainly which algos could not run here and why (once per algo)."""
    seen: dict[str, str] = {}
    for report in reports:
        seen.update(report.skipped)
    for algo, reason in seen.items():
        print_warning(f"skipped {algo}", reason)


def _print_shots(rs: Runtime, asset: Asset) -> None:
    if SHOTS not in rs.store.collections():
        return
    points = rs.store.points(SHOTS, filter=PointFilter(asset_ids=[asset.id]))
    shots = sorted(points, key=lambda p: int(p.payload["shot_index"]))
    fps = asset.media.fps if asset.media else 1.0
    table = Table(title=plain(f"{asset.title}: {len(shots)} shots"), title_justify="left")
    for column in ("shot", "start", "end", "seconds", "thumbnail"):
        table.add_column(column)
    for point in shots:
        p = point.payload
        table.add_row(
            str(p["shot_index"]),
            source_timecode(p["start"], fps, p.get("media_start_timecode")),
            source_timecode(p["end"], fps, p.get("media_start_timecode")),
            f"{p['start']:.2f}-{p['end']:.2f}",
            plain(p.get("thumbnail") or "-"),
        )
    out.print(table)


DEMO_QUERIES: dict[str, tuple[str, ...]] = {
    "dialogue": ("friends don't lie", "a vehicle speeding by"),
    "characters": (),  # takes a character's name or a face: `reelsearch characters TITLE`
}
"""What the demo asks each text searcher (an exact line and a paraphrase for dialogue; nothing
of a searcher whose text is a name the sample cannot know)."""


def _demo_searches(rs: Runtime) -> None:
    from reelsearch.cli.search import VISUAL, demo_visual_searches

    searchers = rs.registry.names("searcher")
    if not searchers:
        out.print("No search is registered yet: install a plugin that registers a searcher.")
        return
    for name in searchers:
        if name == VISUAL:
            demo_visual_searches(rs)
            continue
        searcher = rs.component("searcher", name)
        if "text" not in getattr(searcher, "query_kinds", ()):
            continue
        for query in DEMO_QUERIES.get(name, ("red",)):
            try:
                hits = rs.search(SearchRequest(text=query, algos=[name], limit=3)).hits
            except ReelsearchError as exc:
                out.print(plain(f"search {name!r} for {query!r}: unavailable here: {exc}"))
                break
            out.print(plain(f"search {name!r} for {query!r}: {len(hits)} hits"))
            for hit in hits:
                said = hit.extra.get("text")
                who = hit.extra.get("speaker")
                line = f' {who or ""}: "{said}"' if said else ""
                out.print(
                    plain(
                        f"  {hit.score:.3f}  {hit.title}  "
                        f"{hit.start_timecode or hit.start}{line}  ({hit.id})"
                    )
                )
