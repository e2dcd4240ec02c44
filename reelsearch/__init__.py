"""reelsearch: in-video search. Find shots by description, example image or shot, or dialogue.

Applications embed the runtime through this module, and only this module::

    from reelsearch import Runtime, SearchFilter, SearchRequest

    with Runtime.open() as rs:
        rs.ingest(["movie.mp4"], title="My Movie")
        request = SearchRequest(text="red race car", filter=SearchFilter(titles=["My Movie"]))
        for hit in rs.search(request).hits:
            print(hit.title, hit.start_timecode, hit.score)

Plugin authors import :mod:`reelsearch.sdk` instead. Every name here loads on first use, so
``import reelsearch`` (which every subpackage runs first) stays light.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from reelsearch.core.config import Settings, load_settings
    from reelsearch.core.errors import (
        ConfigError,
        ForbiddenPathError,
        HomeLockedError,
        JobError,
        MediaError,
        MissingExtraError,
        ModelUnavailableError,
        PluginError,
        ReelsearchError,
        RequestError,
        StoreError,
        UnknownComponentError,
    )
    from reelsearch.core.jobs.backfill import Backfill
    from reelsearch.core.jobs.models import Job, JobKind, JobPayload, JobState
    from reelsearch.core.jobs.queue import JobQueue
    from reelsearch.core.jobs.watch import FolderWatcher
    from reelsearch.core.jobs.worker import Worker
    from reelsearch.core.models import (
        Asset,
        Hit,
        HitGroup,
        Intersection,
        MediaInfo,
        SearcherFailure,
        SearchFilter,
        SearchRequest,
        SearchResponse,
        TimeRange,
    )
    from reelsearch.core.pipeline import AssetReport
    from reelsearch.core.runtime import IngestResult, Runtime
    from reelsearch.core.store.base import PointFilter

_HOMES: dict[str, tuple[str, ...]] = {
    "reelsearch.core.config": ("Settings", "load_settings"),
    "reelsearch.core.errors": (
        "ConfigError",
        "ForbiddenPathError",
        "HomeLockedError",
        "JobError",
        "MediaError",
        "MissingExtraError",
        "ModelUnavailableError",
        "PluginError",
        "ReelsearchError",
        "RequestError",
        "StoreError",
        "UnknownComponentError",
    ),
    "reelsearch.core.jobs.backfill": ("Backfill",),
    "reelsearch.core.jobs.models": ("Job", "JobKind", "JobPayload", "JobState"),
    "reelsearch.core.jobs.queue": ("JobQueue",),
    "reelsearch.core.jobs.worker": ("Worker",),
    "reelsearch.core.jobs.watch": ("FolderWatcher",),
    "reelsearch.core.models": (
        "Asset",
        "Hit",
        "HitGroup",
        "Intersection",
        "MediaInfo",
        "SearchFilter",
        "SearchRequest",
        "SearchResponse",
        "SearcherFailure",
        "TimeRange",
    ),
    "reelsearch.core.pipeline": ("AssetReport",),
    "reelsearch.core.runtime": ("IngestResult", "Runtime"),
    "reelsearch.core.store.base": ("PointFilter",),
}
"""Where each public name lives; it is imported from there on first use."""
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "Asset",
    "AssetReport",
    "Backfill",
    "ConfigError",
    "FolderWatcher",
    "ForbiddenPathError",
    "Hit",
    "HitGroup",
    "HomeLockedError",
    "IngestResult",
    "Intersection",
    "Job",
    "JobError",
    "JobKind",
    "JobPayload",
    "JobQueue",
    "JobState",
    "MediaError",
    "MediaInfo",
    "MissingExtraError",
    "ModelUnavailableError",
    "PluginError",
    "PointFilter",
    "ReelsearchError",
    "RequestError",
    "Runtime",
    "SearchFilter",
    "SearchRequest",
    "SearchResponse",
    "SearcherFailure",
    "Settings",
    "StoreError",
    "TimeRange",
    "UnknownComponentError",
    "Worker",
    "__version__",
    "load_settings",
]


def _version() -> str:
    import importlib.metadata  # read on first use: it costs a CLI start tens of milliseconds

    try:
        return importlib.metadata.version("reelsearch")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source tree
        return "0.0.0"


def __getattr__(name: str) -> typing.Any:
    if name == "__version__":
        globals()[name] = version = _version()
        return version
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
