"""What the job queue holds: a job's kind, payload, state and progress, as pydantic models."""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from reelsearch.core.models import MetadataValue

MAX_PATHS = 1_000
"""Most files one job may name."""
MAX_METADATA_BYTES = 64 * 1024
"""Largest metadata of one job, as JSON."""

JobPath = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
AssetId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8,64}$")]


class JobKind(StrEnum):
    """What a job does."""

    INGEST = "ingest"
    """Probe, analyse and catalogue new or changed files."""
    REINGEST_ALGOS = "reingest-algos"
    """Bring some algos up to date for files already catalogued (e.g. a new subtitle file)."""
    REMOVE = "remove"
    """Remove the catalog entries of files (e.g. deleted from a watch folder)."""
    BACKFILL = "backfill"
    """Compute an algo's current output for a catalogued asset that lacks it."""


class JobState(StrEnum):
    """Where a job is in its life: queued -> running -> done | failed | cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Priority(IntEnum):
    """Higher runs first; within a priority, older first."""

    BACKFILL = 0
    REFRESH = 50
    NEW_MEDIA = 100


DEFAULT_PRIORITY = {
    JobKind.INGEST: Priority.NEW_MEDIA,
    JobKind.REMOVE: Priority.NEW_MEDIA,
    JobKind.REINGEST_ALGOS: Priority.REFRESH,
    JobKind.BACKFILL: Priority.BACKFILL,
}


class JobPayload(BaseModel):
    """What a job works on.

    Attributes:
        paths: Media files (ingest, reingest-algos, remove).
        asset_ids: Catalogued assets (backfill, remove).
        title: Title of every ingested file; default its name without extension.
        metadata: Metadata of every ingested file.
        algos: Algos to bring up to date; ``None``: the runtime's default algos (only those
            whose output is missing or out of date are computed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: list[JobPath] = Field(default_factory=list, max_length=MAX_PATHS)
    asset_ids: list[AssetId] = Field(default_factory=list, max_length=MAX_PATHS)
    title: str | None = Field(default=None, min_length=1, max_length=500)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict, max_length=100)
    algos: list[Annotated[str, StringConstraints(max_length=100)]] | None = Field(
        default=None, max_length=100
    )

    @field_validator("paths")
    @classmethod
    def _plain_paths(cls, paths: list[str]) -> list[str]:
        for path in paths:
            if "\0" in path:
                raise ValueError("a path holds a NUL character")
        return paths

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, metadata: dict[str, MetadataValue]) -> dict[str, MetadataValue]:
        size = len(json.dumps(metadata, ensure_ascii=False).encode())
        if size > MAX_METADATA_BYTES:
            raise ValueError(f"metadata is {size} bytes as JSON; at most {MAX_METADATA_BYTES}")
        return metadata


class AlgoProgress(BaseModel):
    """How far one algo of a running job has come."""

    step: int = Field(ge=1, description="Position of this algo among the job's steps, from 1.")
    done: int = Field(default=0, ge=0)
    total: int | None = Field(default=None, ge=0, description="Unknown while None.")
    finished: bool = False


class Job(BaseModel):
    """One job as the queue holds it."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: JobKind
    payload: JobPayload
    state: JobState
    priority: int
    attempts: int = Field(description="Times the job was started.")
    max_attempts: int
    error: str | None = Field(default=None, description="Why it failed, one line.")
    progress: dict[str, AlgoProgress] = Field(default_factory=dict)
    cancel_requested: bool = False
    source: str = Field(description="Who queued it: api, watch, backfill, cli ...")
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    heartbeat_at: float | None = None


class JobPage(BaseModel):
    """One page of a job listing, newest first."""

    jobs: list[Job]
    total: int = Field(description="Jobs matching the listing's filter.")
    offset: int
    limit: int


class QueueCounts(BaseModel):
    """How many jobs are in each state."""

    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
