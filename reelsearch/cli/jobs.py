"""``reelsearch jobs`` and ``reelsearch backfill``, and ingest through a running server.

With a server on the data home they ask it over HTTP; without one, ``jobs`` reads the home's
job queue itself (a SQLite file any process may read) and ``backfill`` runs in this process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from reelsearch.cli._app import app, console, errors, out, plain, print_error, print_json
from reelsearch.cli.client import ServerClient, server_of_home
from reelsearch.core.models import Asset, MetadataValue, asset_id_for

jobs_app = typer.Typer(
    help="The data home's jobs: ingests, re-runs, removals and backfills.",
    no_args_is_help=False,
)
app.add_typer(jobs_app, name="jobs")

ENDED = ("done", "failed", "cancelled")
PAGE = 1000


# ---------------------------------------------------------------- ingest through a server


def ingest_through(
    client: ServerClient,
    videos: list[Path],
    *,
    title: str | None,
    algos: list[str] | None,
    follow: bool,
    metadata: dict[str, MetadataValue] | None = None,
) -> None:
    """Queue one ingest job per file on the server; with ``follow``, print each algo step as
    it starts and, at the end, the lines a direct ingest prints (exit 1 if a file failed)."""
    from reelsearch.cli.catalog import print_report

    paths = [str(video.expanduser().resolve()) for video in videos]
    body: dict[str, Any] = {
        "paths": paths,
        "title": title,
        "metadata": metadata or None,
        "algos": algos or None,
    }
    queued = client.post("/api/ingest", {k: v for k, v in body.items() if v is not None})
    jobs = queued["jobs"]
    if not follow:
        for job, path in zip(jobs, paths, strict=True):
            out.print(plain(f"queued job {job['id']}: {path}"))
        return
    names = {
        job["id"]: (path, title or Path(path).stem) for job, path in zip(jobs, paths, strict=True)
    }
    announced: dict[int, set[str]] = {job_id: set() for job_id in names}
    ended: dict[int, dict[str, Any]] = {}
    for job in client.follow(list(names)):
        _, name = names[job["id"]]
        for algo in _steps(job):
            if algo not in announced[job["id"]]:
                announced[job["id"]].add(algo)
                console.print(plain(f"{name} · {algo}"))
        if job["state"] in ENDED:
            ended[job["id"]] = job
    ended = {job_id: ended[job_id] for job_id in names}  # in the order the files were given
    failed = False
    for job_id, job in ended.items():
        path, _ = names[job_id]
        if job["state"] != "done":
            failed = True
            print_error(job["error"] or f"{path}: {job['state']}")
    for job_id, job in ended.items():
        path, name = names[job_id]
        if job["state"] == "done":
            asset = Asset(id=asset_id_for(path), uri=path, title=name)
            print_report(asset, _steps(job))
    if failed:
        raise typer.Exit(1)


def _steps(job: dict[str, Any]) -> list[str]:
    """The algos a job ran, in the order they ran."""
    progress: dict[str, dict[str, Any]] = job.get("progress") or {}
    return sorted(progress, key=lambda algo: int(progress[algo]["step"]))


def catalog_assets(client: ServerClient) -> list[Asset]:
    """Every catalog file, from the server."""
    assets: list[Asset] = []
    while True:
        page = client.get("/api/assets", limit=PAGE, offset=len(assets))
        assets.extend(Asset.model_validate(a) for a in page["assets"])
        if not page["assets"] or len(assets) >= page["total"]:
            return assets


# ---------------------------------------------------------------- jobs


@jobs_app.callback(invoke_without_command=True)
def jobs(
    ctx: typer.Context,
    state: Annotated[
        str | None,
        typer.Option(
            "--state", metavar="queued|running|done|failed|cancelled", help="Only these jobs."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="Jobs to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the jobs, newest first: what each works on, its state, progress and error."""
    if ctx.invoked_subcommand is not None:
        return
    with errors():
        client = server_of_home()
        if client is not None:
            listing = client.get("/api/jobs", state=state, limit=limit)
            found, total = listing["jobs"], listing["total"]
        else:
            queue = _local_queue()
            try:
                page = queue.list(_state(state), limit)
            finally:
                queue.close()
            found, total = [j.model_dump(mode="json") for j in page.jobs], page.total
    if as_json:
        print_json({"jobs": found, "total": total})
        return
    if not found:
        out.print(plain("no jobs" + (f" {state}" if state else "")))
        return
    table = Table("job", "kind", "state", "progress", "source", "files", "error")
    for job in found:
        table.add_row(
            *map(
                plain,
                (
                    job["id"],
                    job["kind"],
                    job["state"] + (" (cancelling)" if job["cancel_requested"] else ""),
                    _progress(job),
                    job["source"],
                    ", ".join(job["payload"]["paths"] or job["payload"]["asset_ids"]),
                    job["error"] or "",
                ),
            )
        )
    out.print(table)
    if total > len(found):
        console.print(plain(f"{total - len(found)} more: --limit {min(100, total)}"))


@jobs_app.command("cancel")
def cancel(job_id: Annotated[int, typer.Argument(metavar="ID", min=1, help="The job.")]) -> None:
    """Cancel a job: a queued one at once, a running one between two of its steps."""
    with errors():
        client = server_of_home()
        if client is not None:
            job = client.delete(f"/api/jobs/{job_id}")
            state, cancelling = job["state"], job["cancel_requested"]
        else:
            queue = _local_queue()
            try:
                ended = queue.cancel(job_id)
            finally:
                queue.close()
            state, cancelling = ended.state.value, ended.cancel_requested
    if state == "running" and cancelling:
        out.print(plain(f"job {job_id}: cancelling (it stops after its current step)"))
    else:
        out.print(plain(f"job {job_id}: {state}"))


def _progress(job: dict[str, Any]) -> str:
    parts = []
    for algo in _steps(job):
        step = job["progress"][algo]
        if step["finished"]:
            parts.append(f"{algo} done")
        elif step["total"]:
            parts.append(f"{algo} {step['done']}/{step['total']}")
        else:
            parts.append(f"{algo} {step['done']}")
    return ", ".join(parts)


def _state(state: str | None) -> Any:
    from reelsearch.core.errors import RequestError
    from reelsearch.core.jobs import JobState

    if state is None:
        return None
    try:
        return JobState(state)
    except ValueError:
        known = ", ".join(s.value for s in JobState)
        raise RequestError(f"--state takes one of {known}, not {state!r}") from None


def _local_queue() -> Any:
    from reelsearch.core.config import load_settings
    from reelsearch.core.jobs import JobQueue

    return JobQueue.of(load_settings())


# ---------------------------------------------------------------- backfill


@app.command()
def backfill(
    algo: Annotated[
        str | None, typer.Option("--algo", help="Backfill this algo (default: every one).")
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option("--rate", min=0.001, help="Assets queued per minute (default: settings)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list the assets lacking the algo's output.")
    ] = False,
) -> None:
    """Bring an algo's current output (new, or a new version or config) to every catalogued
    asset that lacks it, paced below new media. Through the server when one runs; otherwise
    here, until it is done."""
    with errors():
        client = server_of_home()
        if client is not None:
            if dry_run:
                status = client.get("/api/backfill", plan="true", algo=algo)
                _print_plan(status["plan"], status["planned"])
                return
            body = {"algo": algo, "per_minute": rate}
            run = client.post("/api/backfill", {k: v for k, v in body.items() if v is not None})
            _print_run(run)
            out.print(plain(f"follow it with: reelsearch jobs (server {client.url})"))
            return
        _backfill_here(algo, rate, dry_run)


def _backfill_here(algo: str | None, rate: float | None, dry_run: bool) -> None:
    import time

    from reelsearch.core.jobs import Backfill, JobQueue, Worker
    from reelsearch.core.runtime import Runtime

    with Runtime() as rs:
        queue = JobQueue.of(rs.settings)
        try:
            pacer = Backfill(rs, queue)
            if dry_run:
                items = pacer.plan(algo)
                _print_plan([i.model_dump(mode="json") for i in items], len(items))
                return
            run = pacer.create(algo, per_minute=rate)
            worker = Worker(rs, queue, roots=[])
            while run.state == "running":
                pacer.tick()
                for job in worker.run_until_idle():
                    console.print(plain(f"job {job.id}: {job.state.value} {job.error or ''}"))
                run = pacer.get(run.id)
                if run.state == "running" and run.pending and run.queued == 0:
                    time.sleep(1.0)  # the pace allows no more yet
            _print_run(run.model_dump(mode="json"))
        finally:
            queue.close()


def _print_plan(items: list[dict[str, Any]], total: int) -> None:
    if not items:
        out.print(plain("nothing to backfill: every asset has the current output"))
        return
    for item in items:
        if item.get("error"):
            out.print(plain(f"{item['title']} [{item['asset_id'][:12]}]: {item['error']}"))
        else:
            would = ", ".join(item["missing"])
            out.print(plain(f"{item['title']} [{item['asset_id'][:12]}]: would compute {would}"))
    if total > len(items):
        out.print(plain(f"... and {total - len(items)} more"))
    out.print(plain(f"{total} assets to backfill"))


def _print_run(run: dict[str, Any]) -> None:
    out.print(
        plain(
            f"backfill {run['id']} of {', '.join(run['algos'])}: {run['state']}, "
            f"{run['total']} assets ({run['done']} done, {run['failed']} failed, "
            f"{run['pending']} not queued yet) at {run['per_minute']:g} a minute"
        )
    )
