"""Jobs: ingest files under the allowed roots or an uploaded video, follow and cancel jobs, plan
and start backfills. Every ingest is queued and answered ``202 Accepted`` with its job; the
server's worker runs it."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Path,
    Query,
    Request,
    UploadFile,
    status,
)
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelsearch.core.errors import RequestError
from reelsearch.core.jobs import BackfillRun, Job, JobKind, JobPayload, JobState, PlanItem
from reelsearch.core.jobs.models import JobPath
from reelsearch.core.models import Asset, MetadataValue
from reelsearch.server.access import KeyDep
from reelsearch.server.address import LOCAL_HEADER
from reelsearch.server.openapi import problems
from reelsearch.server.state import Served, ServedDep

router = APIRouter(tags=["jobs"], dependencies=[KeyDep])

MAX_PATHS = 100
"""Most files one ingest request may name (one job each)."""
MAX_PLAN = 500
"""Most plan items ``GET /api/backfill`` lists."""
JobId = Annotated[int, Path(ge=1, le=2**62, description="The job's id.")]


class IngestRequest(BaseModel):
    """Files on the server to ingest, each under a folder the server may read."""

    model_config = ConfigDict(extra="forbid")

    paths: list[JobPath] = Field(
        min_length=1,
        max_length=MAX_PATHS,
        description="Absolute paths of video files under the server's ingest_roots or watch "
        "folders; one job each.",
    )
    title: str | None = Field(
        default=None, min_length=1, max_length=500, description="Default: each file's name."
    )
    metadata: dict[str, MetadataValue] = Field(default_factory=dict, max_length=100)
    algos: list[Annotated[str, Field(max_length=100)]] | None = Field(
        default=None, max_length=100, description="Algos to run; default the server's."
    )


class JobsQueued(BaseModel):
    """The jobs an ingest request queued (an identical job already queued is reused)."""

    jobs: list[Job]


class JobListing(BaseModel):
    """A page of jobs, newest first, with how many jobs are in each state."""

    jobs: list[Job]
    total: int = Field(description="Jobs matching the filter.")
    offset: int
    limit: int
    counts: dict[str, int] = Field(description="Jobs in each state, whatever the filter.")


class BackfillRequest(BaseModel):
    """A backfill to start."""

    model_config = ConfigDict(extra="forbid")

    algo: str | None = Field(
        default=None, min_length=1, max_length=100, description="Default: every default algo."
    )
    per_minute: float | None = Field(
        default=None, gt=0, le=100_000, description="Assets queued per minute at most."
    )
    max_concurrent: int | None = Field(
        default=None, ge=1, le=64, description="Its jobs queued or running at once, at most."
    )


class BackfillStatus(BaseModel):
    """The backfills (newest first) and, when asked, what a backfill would queue now."""

    runs: list[BackfillRun]
    plan: list[PlanItem] | None = Field(
        default=None, description=f"Assets lacking the algos' current output (first {MAX_PLAN})."
    )
    planned: int | None = Field(default=None, description="How many assets the plan holds.")


class AssetPage(BaseModel):
    """A page of the catalog's files, ordered as the catalog lists them."""

    assets: list[Asset]
    total: int
    offset: int
    limit: int


def _view(served: Served, job: Job) -> Job:
    """``job`` as a client sees it: no path of the data home in its files or its error."""
    payload = job.payload.model_copy(update={"paths": [served.scrub(p) for p in job.payload.paths]})
    error = served.scrub(job.error) if job.error else None
    return job.model_copy(update={"payload": payload, "error": error})


def _local(request: Request, served: Served) -> bool:
    """Whether the caller proved it can read the data home (the CLI on the same machine)."""
    token = request.headers.get(LOCAL_HEADER)
    expected = served.jobs.local_token
    return bool(token and expected and secrets.compare_digest(token, expected))


@router.post(
    "/ingest",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 403, 404, 413, 422),
)
def ingest(body: IngestRequest, request: Request, served: ServedDep) -> JobsQueued:
    """Queue an ingest job for each file; answers at once with the jobs (follow them with
    ``GET /api/jobs/{id}``). A file outside the server's allowed folders is refused (403)."""
    jobs = served.jobs
    local = _local(request, served)
    paths = [jobs.vet_path(path, local=local) for path in body.paths]
    queued = []
    for path in paths:
        payload = JobPayload(
            paths=[str(path)], title=body.title, metadata=body.metadata, algos=body.algos
        )
        source = "cli" if local else "api"
        queued.append(_view(served, jobs.worker.submit(JobKind.INGEST, payload, source=source)))
    return JobsQueued(jobs=queued)


async def _one_file(request: Request) -> None:
    """Refuse a form carrying more than one file (the form is parsed once, and cached)."""
    form = await request.form()
    if sum(1 for _, value in form.multi_items() if not isinstance(value, str)) > 1:
        raise RequestError("upload one video per request")


@router.post(
    "/ingest/upload",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(400, 401, 413, 415, 422),
    dependencies=[Depends(_one_file)],
)
def ingest_upload(
    served: ServedDep,
    file: Annotated[UploadFile, File(description="The video to ingest (one per request).")],
    title: Annotated[
        str | None, Form(min_length=1, max_length=500, description="Default: the file's name.")
    ] = None,
    metadata: Annotated[
        str, Form(max_length=65_536, description="JSON object of the video's metadata.")
    ] = "{}",
) -> JobsQueued:
    """Upload a video and queue its ingest; the server keeps the file (under its data home)
    as the catalog entry's source. One file per request, at most ``max_video_upload_bytes``."""
    fields = _metadata(metadata)
    try:
        payload = JobPayload(paths=["upload"], title=title, metadata=fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None
    saved = served.jobs.save_upload(
        file.file, file.filename, served.settings.max_video_upload_bytes
    )
    payload = payload.model_copy(update={"paths": [str(saved)], "title": title or saved.stem})
    job = served.jobs.worker.submit(JobKind.INGEST, payload, source="upload")
    return JobsQueued(jobs=[_view(served, job)])


@router.get("/jobs", responses=problems(401, 422))
def jobs(
    served: ServedDep,
    state: Annotated[JobState | None, Query(description="Only jobs in this state.")] = None,
    kind: Annotated[JobKind | None, Query(description="Only jobs of this kind.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JobListing:
    """The jobs, newest first, optionally only those in one state or of one kind."""
    queue = served.jobs.queue
    page = queue.list(state, limit, offset, kind=kind)
    return JobListing(
        jobs=[_view(served, job) for job in page.jobs],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
        counts=queue.counts().model_dump(),
    )


@router.get("/jobs/{job_id}", responses=problems(401, 404, 422))
def job(job_id: JobId, served: ServedDep) -> Job:
    """One job, with its progress per algo (or its error)."""
    return _view(served, served.jobs.queue.get(job_id))


@router.delete("/jobs/{job_id}", responses=problems(401, 404, 422))
def cancel_job(job_id: JobId, served: ServedDep) -> Job:
    """Cancel a job: a queued one at once, a running one between two of its steps (its state
    says ``running`` with ``cancel_requested`` until then). A finished job is unchanged."""
    job = served.jobs.queue.cancel(job_id)
    served.jobs.worker.wake()
    return _view(served, job)


@router.get("/backfill", responses=problems(401, 404, 422))
def backfill_status(
    served: ServedDep,
    plan: Annotated[bool, Query(description="Also list what a backfill would queue.")] = False,
    algo: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="The plan's algo; default all."),
    ] = None,
) -> BackfillStatus:
    """The backfills with their progress, newest first; with ``plan``, the catalog's assets
    that lack the current output of ``algo`` (or of any default algo). Nothing is queued."""
    backfill = served.jobs.backfill
    runs = backfill.runs()[:20]
    if not plan:
        return BackfillStatus(runs=runs)
    items = backfill.plan(algo)
    return BackfillStatus(runs=runs, plan=items[:MAX_PLAN], planned=len(items))


@router.post(
    "/backfill", status_code=status.HTTP_202_ACCEPTED, responses=problems(400, 401, 404, 422)
)
def start_backfill(body: BackfillRequest, served: ServedDep) -> BackfillRun:
    """Start a backfill of ``algo`` (default: every default algo) over the assets lacking its
    current output, queued at ``per_minute`` below new media; a backfill of the same algos
    under way is answered instead of a second one."""
    return served.jobs.backfill.create(
        body.algo, per_minute=body.per_minute, max_concurrent=body.max_concurrent
    )


@router.get("/assets", responses=problems(401, 422))
def assets(
    served: ServedDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AssetPage:
    """The catalog's files: title, metadata, media facts and where each was read from."""
    every = served.runtime.catalog.assets()
    return AssetPage(
        assets=every[offset : offset + limit], total=len(every), offset=offset, limit=limit
    )


@router.get("/assets/{asset_id}", responses=problems(401, 404, 422))
def asset(
    asset_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]{8,64}$")],
    served: ServedDep,
) -> Asset:
    """One catalog file."""
    found = served.runtime.catalog.get(asset_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no asset {asset_id!r}")
    return found


@router.delete(
    "/assets/{asset_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 404, 422),
)
def remove_asset(
    asset_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]{8,64}$")],
    served: ServedDep,
) -> Job:
    """Queue the removal of one catalog file (its entry and every point of it; other files
    with the same bytes keep the features they share). Follow the job with
    ``GET /api/jobs/{id}``."""
    if served.runtime.catalog.get(asset_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no asset {asset_id!r}")
    payload = JobPayload(asset_ids=[asset_id])
    return _view(served, served.jobs.worker.submit(JobKind.REMOVE, payload, source="api"))


def _metadata(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except (json.JSONDecodeError, RecursionError) as exc:
        raise RequestError(f"metadata is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RequestError("metadata must be a JSON object")
    return value
