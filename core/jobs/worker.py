"""Running queued jobs inside the process that owns the data home (the server).

A :class:`Worker` runs up to ``concurrency`` jobs at a time, each in a thread of its own, on
the runtime's store and executor: an ingest job is :meth:`Runtime.ingest` with an ``on_step``
callback that records each algo's progress in the job and stops the job, between two algo steps,
once someone cancels it. A job that fails records its error as one line and touches nothing
else: the pipeline leaves nothing of a new file that failed, and other jobs go on.

Search keeps answering meanwhile (it reads the same store from other threads), and never sees a
file that is half ingested: its catalog entry is written after all its points, and the gateway
drops hits of assets that have no catalog entry.

Example::

    with Runtime(settings) as rs:
        worker = Worker(rs, JobQueue.in_home(settings.home))
        worker.start()
        worker.submit(JobKind.INGEST, JobPayload(paths=["/media/ep1.mp4"]))
        ...
        worker.stop()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from reelsearch.core.components import ProgressCallback
from reelsearch.core.errors import (
    ExecutorError,
    FeatureStoreError,
    JobError,
    ReelsearchError,
    StoreError,
)
from reelsearch.core.jobs.models import Job, JobKind, JobPayload
from reelsearch.core.jobs.paths import allowed_roots, check_allowed
from reelsearch.core.jobs.queue import JobQueue
from reelsearch.core.models import Asset, MetadataValue, asset_id_for
from reelsearch.core.runtime import Runtime

logger = logging.getLogger(__name__)

_Unit = tuple[list[str], str | None, dict[str, MetadataValue]]
"""Files ingested together, with their title and metadata."""

RETRYABLE = (ExecutorError, StoreError, FeatureStoreError, OSError)
"""Failures worth another attempt (a cluster or store hiccup); a bad file is not one."""

PROGRESS_EVERY_S = 0.5
"""Least time between two progress writes of one algo step."""


class JobCancelledError(Exception):
    """Raised between two algo steps of a job that someone cancelled."""


class WorkerStoppingError(Exception):
    """Raised between two algo steps of a job when its worker stops: it goes back to the queue."""


class Worker:
    """Runs jobs of ``queue`` on ``runtime``, ``concurrency`` at a time.

    Args:
        runtime: The runtime that owns the data home.
        queue: The data home's job queue.
        concurrency: Jobs at a time; default the ``jobs_concurrency`` setting.
        roots: Folders whose files jobs may read; default the ``ingest_roots`` and
            ``watch_folders`` settings. Empty: any file (a local, trusted caller).
        poll_seconds: How often an idle thread looks for a job queued by another process.
    """

    def __init__(
        self,
        runtime: Runtime,
        queue: JobQueue,
        *,
        concurrency: int | None = None,
        roots: Sequence[Path] | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        self.runtime = runtime
        self.queue = queue
        self.concurrency = concurrency or runtime.settings.jobs_concurrency
        self.roots = list(roots) if roots is not None else allowed_roots(runtime.settings)
        self.poll_seconds = poll_seconds
        self.on_finished: list[Callable[[Job], None]] = []
        """Called with each job as it ends (done, failed or cancelled), in its thread."""
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy: set[str] = set()
        self._busy_changed = threading.Condition()

    def start(self) -> list[int]:
        """Requeue the jobs a dead process left running, then start the threads.

        Returns:
            The ids of the requeued jobs.
        """
        requeued = self.queue.requeue_abandoned()
        if requeued:
            logger.info("requeued %d interrupted job(s): %s", len(requeued), requeued)
        self._stopping.clear()
        self.runtime.pipeline  # noqa: B018 - built once here, not raced by the threads
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._loop, name=f"reelsearch-job-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return requeued

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking jobs and wait (up to ``timeout``) for the running ones to end."""
        self._stopping.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]

    def submit(self, kind: JobKind | str, payload: JobPayload, *, source: str = "api") -> Job:
        """Queue a job (see :meth:`JobQueue.enqueue`) and wake an idle thread for it.

        Raises:
            JobError: A path of ``payload`` is outside the allowed roots.
        """
        for path in payload.paths:
            check_allowed(path, self.roots)
        job = self.queue.enqueue(kind, payload, source=source)
        self.wake()
        return job

    def wake(self) -> None:
        """Tell idle threads to look for a job now."""
        with self._wake:
            self._wake.notify_all()

    def run_next(self) -> Job | None:
        """Claim one job and run it in this thread; the ended job, or ``None`` if none queued."""
        job = self.queue.claim_next()
        if job is None:
            return None
        return self.run(job)

    def run_until_idle(self, timeout: float = 600.0) -> list[Job]:
        """Run jobs in this thread until none is queued (or ``timeout`` passed); those run."""
        deadline = time.monotonic() + timeout
        ended = []
        while time.monotonic() < deadline:
            job = self.run_next()
            if job is None:
                break
            ended.append(job)
        return ended

    def run(self, job: Job, *, stoppable: bool = False) -> Job:
        """Run the claimed (running) ``job`` to its end; the job as it ended.

        With ``stoppable``, :meth:`stop` interrupts it between two algo steps and puts it back
        in the queue.
        """
        try:
            with self._holding(job):
                self._execute(job, self._stopping if stoppable else threading.Event())
        except JobCancelledError:
            ended = self.queue.cancelled(job.id)
        except WorkerStoppingError:
            return self.queue.requeue(job.id)
        except ReelsearchError as exc:
            ended = self.queue.fail(job.id, exc, retry=isinstance(exc, RETRYABLE))
        except RETRYABLE as exc:
            ended = self.queue.fail(job.id, f"{type(exc).__name__}: {exc}", retry=True)
        except Exception as exc:  # a bug: the job fails, the worker goes on
            logger.exception("job %d failed", job.id)
            ended = self.queue.fail(job.id, f"{type(exc).__name__}: {exc}")
        else:
            ended = self.queue.finish(job.id)
        if ended.state.finished:
            for callback in self.on_finished:
                callback(ended)
        return ended

    @contextmanager
    def _holding(self, job: Job) -> Iterator[None]:
        """Wait until no other job of this worker works on ``job``'s assets, and hold them
        meanwhile: two jobs on one file (an ingest and a sidecar's re-run) run one at a time."""
        keys = set(job.payload.asset_ids)
        keys.update(_entry_id(path) for path in job.payload.paths)
        with self._busy_changed:
            while keys & self._busy:
                self._busy_changed.wait()
            self._busy |= keys
        try:
            yield
        finally:
            with self._busy_changed:
                self._busy -= keys
                self._busy_changed.notify_all()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self.queue.claim_next()
            except ReelsearchError:
                logger.exception("cannot claim a job")
                job = None
            if job is None:
                with self._wake:
                    self._wake.wait(self.poll_seconds)
                continue
            self.run(job, stoppable=True)

    def _execute(self, job: Job, stopping: threading.Event) -> None:
        payload = job.payload
        if job.kind is JobKind.REMOVE:
            self._remove(payload)
            return
        units = self._backfill_units(payload) if job.kind is JobKind.BACKFILL else []
        if job.kind is not JobKind.BACKFILL:
            if not payload.paths:
                raise JobError(f"job {job.id} names no file")
            units = self._ingest_units(payload)
        steps = _Steps(self.queue, job, stopping)
        failures: dict[str, ReelsearchError] = {}
        for paths, title, metadata in units:
            result = self.runtime.ingest(
                paths,
                title=title,
                metadata=metadata,
                algos=payload.algos,
                strict=False,
                on_step=steps,
            )
            steps.close()
            failures.update(result.failures)
        if failures:
            raise _joined(failures)

    def _ingest_units(self, payload: JobPayload) -> list[_Unit]:
        """The files of an ingest or re-run, under the payload's title and metadata; a file
        already catalogued keeps its own unless the payload gives new ones."""
        paths = [str(check_allowed(path, self.roots)) for path in payload.paths]
        if payload.title is not None or payload.metadata:
            return [(paths, payload.title, payload.metadata)]
        units: list[_Unit] = []
        new = []
        for path in paths:
            entry = self.runtime.catalog.get(_entry_id(path))
            if entry is None:
                new.append(path)
            else:
                units.append(([path], entry.title, entry.metadata))
        return ([(new, None, {})] if new else []) + units

    def _backfill_units(self, payload: JobPayload) -> list[_Unit]:
        """The catalogued files of a backfill, under their titles; one removed since the
        backfill was planned is left out."""
        assets = [self.runtime.catalog.get(asset_id) for asset_id in payload.asset_ids]
        return [([a.uri], a.title, a.metadata) for a in assets if a is not None]

    def _remove(self, payload: JobPayload) -> None:
        catalog = self.runtime.catalog
        ids = list(payload.asset_ids)
        for path in payload.paths:
            ids.append(_entry_id(path))
        for asset_id in ids:
            if catalog.get(asset_id) is not None:
                catalog.remove(asset_id)


class _Steps:
    """The ``on_step`` of one job's ingest: each algo's progress recorded in the job, and
    :class:`JobCancelledError` raised between two steps once the job is cancelled."""

    def __init__(self, queue: JobQueue, job: Job, stopping: threading.Event) -> None:
        self.queue, self.job, self.stopping = queue, job, stopping
        self.current: str | None = None
        self.last: tuple[int, int | None] = (0, None)

    def __call__(self, algo: str, asset: Asset) -> ProgressCallback:
        if self.queue.cancel_requested(self.job.id):
            raise JobCancelledError(self.job.id)
        if self.stopping.is_set():
            raise WorkerStoppingError(self.job.id)
        self.close()
        self.current, self.last = algo, (0, None)
        self.queue.progress(self.job.id, algo)
        written = [time.monotonic()]

        def progress(done: int, total: int | None) -> None:
            self.last = (done, total)
            now = time.monotonic()
            if now - written[0] >= PROGRESS_EVERY_S or (total is not None and done >= total):
                written[0] = now
                self.queue.progress(self.job.id, algo, done, total)

        return progress

    def close(self) -> None:
        """Mark the step under way finished."""
        if self.current is not None:
            self.queue.progress(self.job.id, self.current, *self.last, finished=True)
            self.current = None


def _entry_id(path: str) -> str:
    """The catalog id of the file at ``path`` (see :func:`asset_id_for`)."""
    try:
        return asset_id_for(str(Path(path).expanduser().resolve()))
    except (OSError, RuntimeError):  # a symlink loop: no file, no entry
        return asset_id_for(path)


def _joined(failures: dict[str, ReelsearchError]) -> ReelsearchError:
    """One error for a job whose files failed: the first error as it is when only one did."""
    errors = list(failures.values())
    if len(errors) == 1:
        return errors[0]
    return JobError(f"{len(errors)} files failed; the first: {errors[0]}")
