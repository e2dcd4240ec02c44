"""Every error reelsearch raises on purpose derives from :class:`ReelsearchError`.

Each names the thing at fault and, where there is one, the remedy, so that the CLI and the
server can show it as one line instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

    from reelsearch.core.home import LockHolder


def close_names(name: str, known: Iterable[str]) -> str:
    """``; closest: 'a', 'b'`` for the known names nearest ``name`` (ignoring case), else
    ``; known: ...`` when there are few known names, else nothing: to end a message about an
    unknown name with."""
    folded = {k.casefold(): k for k in known}
    near = [folded[k] for k in get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.5)]
    if near:
        return "; closest: " + ", ".join(map(repr, near))
    if folded and len(folded) <= 8:
        return "; known: " + ", ".join(map(repr, sorted(folded.values())))
    return ""


class ReelsearchError(Exception):
    """Base class of every error reelsearch raises on purpose."""


class ConfigError(ReelsearchError):
    """The configuration file or a ``REELSEARCH_*`` variable is invalid."""


class PluginError(ReelsearchError):
    """A plugin failed to import, or registered something invalid."""


class UnknownComponentError(ReelsearchError, LookupError):
    """An algo, encoder, searcher or post-processor name that no plugin registered."""

    def __init__(
        self, kind: str, name: str, known: list[str], needed_by: str | None = None
    ) -> None:
        self.kind, self.name, self.known = kind, name, known
        listing = ", ".join(sorted(known)) or "none registered"
        context = f" (a dependency of {needed_by!r})" if needed_by else ""
        near = close_names(name, known) if len(known) > 8 else ""
        super().__init__(f"unknown {kind} {name!r}{context}{near}; known {kind}s: {listing}")


class DependencyCycleError(ReelsearchError):
    """Algos depend on each other in a cycle."""


class StoreError(ReelsearchError):
    """The vector store refused an operation or holds incompatible data."""


class FeatureStoreError(ReelsearchError):
    """The feature store could not read or write an entry."""


class MediaError(ReelsearchError):
    """A media file is missing, empty, truncated, corrupt or not a video."""


class ModelUnavailableError(ReelsearchError):
    """A model's weights could not be loaded (offline, wrong name or missing checkpoint)."""


class MissingExtraError(ModelUnavailableError):
    """An optional dependency is not installed; the message names the ``pip install
    'reelsearch[EXTRA]'`` command that adds it (see :mod:`reelsearch.core.extras`).

    A :class:`ModelUnavailableError`, so that ingest skips an algo whose extra is missing,
    as it skips one whose model cannot load.
    """

    def __init__(self, message: str, extra: str) -> None:
        self.extra = extra
        super().__init__(message)

    def __reduce__(self) -> tuple[type[MissingExtraError], tuple[str, str]]:
        return type(self), (str(self), self.extra)  # crosses process boundaries (Ray)


class RequestError(ReelsearchError, ValueError):
    """A search request is malformed or exceeds a limit."""


class ExecutorError(ReelsearchError):
    """The executor could not start or a task failed on it."""


def validation_problems(exc: ValidationError, root: str = "") -> str:
    """A pydantic error as one line: ``field.path: message; ...`` (``root`` names the top)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or root}: {err['msg']}" for err in exc.errors()
    )


class HomeLockedError(ReelsearchError):
    """Another process holds the data home (see :class:`reelsearch.core.home.HomeLock`).

    Attributes:
        holder: Who holds it, as its lock file says (``None`` if it did not say).
    """

    def __init__(self, message: str, holder: LockHolder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class AlgoError(ReelsearchError):
    """An algo raised something other than a reelsearch error while running on one asset."""


class JobError(ReelsearchError):
    """The job queue refused an operation, or its database cannot be used."""


class UnknownJobError(JobError, LookupError):
    """A job id that the queue does not hold."""


class ForbiddenPathError(JobError):
    """A job names a file outside the folders it may read (``ingest_roots``, watch folders)."""


class ServerError(ReelsearchError):
    """The server that owns a data home refused a request of the CLI, or stopped answering."""
