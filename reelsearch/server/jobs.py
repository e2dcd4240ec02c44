"""The jobs a server runs on its data home: the worker, the watch folders and the backfill
pacer in the server's process, the warm-up of its searchers, and the checks on the files an
HTTP client asks it to ingest.

The server owns its data home (one process at a time may open it), so every new file reaches
the catalog through its job queue: ``POST /api/ingest``, a watch folder, or a backfill.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from fastapi import HTTPException, status

from reelsearch.core.errors import ForbiddenPathError, MediaError, ReelsearchError
from reelsearch.core.jobs import Backfill, BackfillRun, JobQueue, Worker
from reelsearch.core.jobs.paths import allowed_roots, check_allowed
from reelsearch.core.jobs.watch import VIDEO_SUFFIXES
from reelsearch.core.media.probe import probe
from reelsearch.core.models import SearchRequest
from reelsearch.core.runtime import Runtime
from reelsearch.server.limits import too_large

log = logging.getLogger("reelsearch.server")

WARM_UP_QUERY = "warm up"
PRUNE_INTERVAL_S = 3600.0
"""How often the server deletes jobs older than ``jobs_keep_days``."""
DAY_S = 86_400.0
UPLOADS = "videos"
"""The folder under ``<home>/uploads`` that keeps uploaded videos (they are catalog files)."""
_UNSAFE = re.compile(r"[^\w. -]+")
STILL_CODECS = frozenset({"png", "jpeg2000", "webp", "gif", "bmp", "tiff", "apng"})
"""Codecs of still images, which FFmpeg opens as one-frame videos: not taken as uploads."""
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class JobService:
    """The server's job queue with the threads that work it.

    The queue opens on first use (routes queue jobs even before the threads start);
    :meth:`start` starts the worker, the backfill pacer, the watch folders (after catching up
    with them) and the searchers' warm-up, in threads; :meth:`stop` ends them.

    Args:
        runtime: The runtime that owns the data home.
        watch: Folders to watch besides the ``watch_folders`` setting.
        warm: Warm the searchers' models up at start (health says ``starting`` until then).
    """

    def __init__(self, runtime: Runtime, watch: Sequence[Path] = (), *, warm: bool = True) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.watch_folders = list(
            dict.fromkeys(Path(f).expanduser().resolve() for f in [*settings.watch_folders, *watch])
        )
        self.roots = list(
            dict.fromkeys(p.expanduser().resolve() for p in [*allowed_roots(settings), *watch])
        )
        self.warm = warm
        self.ready = threading.Event()
        self.local_token: str | None = None
        """Set by ``reelsearch serve`` (see :mod:`reelsearch.server.address`)."""
        self.uploads = settings.home / "uploads" / UPLOADS
        self._queue: JobQueue | None = None
        self._worker: Worker | None = None
        self._backfill: Backfill | None = None
        self._watcher: object | None = None
        self._starter: threading.Thread | None = None
        self._pruner: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def queue(self) -> JobQueue:
        with self._lock:
            if self._queue is None:
                self._queue = JobQueue.of(self.runtime.settings)
            return self._queue

    @property
    def worker(self) -> Worker:
        """The worker; its own path check allows any file: callers' paths are checked here
        (:meth:`vet_path`) before they are queued, local callers' and watch folders' too."""
        with self._lock:
            if self._worker is None:
                self._worker = Worker(self.runtime, self.queue_unlocked(), roots=[])
            return self._worker

    @property
    def backfill(self) -> Backfill:
        with self._lock:
            if self._backfill is None:
                self._backfill = Backfill(self.runtime, self.queue_unlocked())
            return self._backfill

    def queue_unlocked(self) -> JobQueue:
        if self._queue is None:
            self._queue = JobQueue.of(self.runtime.settings)
        return self._queue

    def start(self) -> None:
        """Start the worker and the backfill pacer now; watch folders, warm-up and the
        automatic backfill follow in a thread, and :attr:`ready` is set once the searchers are
        warm. Old jobs are pruned now and every hour."""
        self.ready.clear()
        self._stopping.clear()
        self.worker.start()
        self.backfill.start()
        self._starter = threading.Thread(target=self._warm_and_watch, name="reelsearch-start")
        self._starter.start()
        self._pruner = threading.Thread(target=self._prune_old_jobs, name="reelsearch-prune")
        self._pruner.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching, pacing and taking jobs (running jobs get ``timeout`` seconds to end;
        one interrupted is requeued at the next start), and close the queue."""
        self._stopping.set()
        if self._pruner is not None:
            self._pruner.join(timeout)
            self._pruner = None
        if self._starter is not None:
            self._starter.join(timeout)
            self._starter = None
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()  # type: ignore[attr-defined]
        with self._lock:
            backfill, worker, queue = self._backfill, self._worker, self._queue
            self._backfill = self._worker = self._queue = None
        if backfill is not None:
            backfill.stop()
        if worker is not None:
            worker.stop(timeout)
        if queue is not None:
            queue.close()

    def _warm_and_watch(self) -> None:
        try:
            if self.watch_folders:
                from reelsearch.core.jobs.watch import FolderWatcher

                watcher = FolderWatcher(self.worker, self.watch_folders)
                self._watcher = watcher
                queued = watcher.start()
                log.info("watch folders: caught up, %d job(s) queued", len(queued))
            if self.warm:
                warm_searchers(self.runtime)
        except ReelsearchError as exc:
            log.warning("server start: %s", exc)
        finally:
            self.ready.set()
        if self.runtime.settings.backfill_auto and not self._stopping.is_set():
            self.start_backfill()

    def start_backfill(self) -> BackfillRun | None:
        """Backfill every default algo whose current output some catalog asset lacks (a new
        algo, a new version or config), at the configured pace; the run already under way is
        kept rather than doubled. ``None`` when nothing lacks anything."""
        try:
            if not any(item.missing and not item.error for item in self.backfill.plan()):
                return None
            run = self.backfill.create()
        except ReelsearchError as exc:
            log.warning("automatic backfill: %s", exc)
            return None
        log.info("backfill %d of %s: %d asset(s)", run.id, ", ".join(run.algos), run.total)
        return run

    def _prune_old_jobs(self) -> None:
        keep_s = self.runtime.settings.jobs_keep_days * DAY_S
        while not self._stopping.is_set():
            try:
                pruned = self.queue.prune(keep_s)
            except ReelsearchError as exc:
                log.warning("pruning old jobs: %s", exc)
            else:
                if pruned:
                    log.info("pruned %d job(s) older than %g days", pruned, keep_s / DAY_S)
            self._stopping.wait(PRUNE_INTERVAL_S)

    def vet_path(self, text: str, *, local: bool) -> Path:
        """The file an ingest request names, made absolute (symlinks resolved for remote
        callers).

        A remote caller may name only regular files under the allowed roots (``ingest_roots``
        and the watch folders); nothing outside them is looked at, not even to resolve a
        symlink. A local caller (one that can read the data home) may name any file, as a
        direct ingest could.

        Raises:
            ForbiddenPathError: A URL, a relative path, ``..``, or a path outside the roots
                (or a symlink leading out of them); 403.
            HTTPException: 404 when no regular file is there.
        """
        if local:
            return check_allowed(text, [])
        if _URL.match(text) and not text.startswith("/"):
            raise ForbiddenPathError(f"{text[:200]!r} is a URL; name a file on the server")
        if not self.roots:
            raise ForbiddenPathError(
                "this server takes no file paths over HTTP: list the folders it may read in "
                "the ingest_roots setting (or watch folders), or upload the file"
            )
        if "\0" in text:
            raise ForbiddenPathError("a path holds a NUL character")
        if not text.startswith("/"):
            raise ForbiddenPathError(f"{text[:200]!r} is not an absolute path")
        if ".." in Path(text).parts:
            raise ForbiddenPathError(f"{text[:200]!r} holds '..'")
        lexical = Path(os.path.normpath(text))
        if not any(lexical.is_relative_to(root) for root in self.roots):
            raise ForbiddenPathError(
                f"{text[:200]!r} is not under a folder this server may read (ingest_roots "
                "and watch folders)"
            )
        path = check_allowed(lexical, self.roots)
        if not path.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no file {text[:200]!r}")
        return path

    def save_upload(self, stream: BinaryIO, filename: str | None, max_bytes: int) -> Path:
        """Keep an uploaded video under ``<home>/uploads/videos``, after checking it is one.

        Raises:
            HTTPException: 413 over ``max_bytes``, 415 when it is not a video reelsearch reads.
        """
        name = _safe_name(filename)
        self.uploads.mkdir(parents=True, exist_ok=True)
        partial = self.uploads / f".{uuid.uuid4().hex}.partial"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(partial, "xb") as file:
                while chunk := stream.read(2**20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large(max_bytes, "videos")
                    digest.update(chunk)
                    file.write(chunk)
            folder = self.uploads / digest.hexdigest()[:32]
            folder.mkdir(exist_ok=True)
            target = folder / name
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        try:
            media = probe(target)
            still = media.video_codec in STILL_CODECS or media.frame_count <= 1
            if target.suffix.lower() not in VIDEO_SUFFIXES or still:
                raise MediaError(
                    f"{target}: a {media.video_codec} image or a file whose name is not a "
                    f"video's ({', '.join(sorted(VIDEO_SUFFIXES))})"
                )
        except MediaError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            detail = str(exc).replace(str(target), repr(name))
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"the upload is not a video reelsearch reads: {detail}",
            ) from None
        return target


def warm_searchers(runtime: Runtime) -> None:
    """Load every searcher's models now, by a one-hit search through each that takes text (the
    query encoders load as they would for the first real query); one that cannot run here is
    logged and left cold."""
    started = time.perf_counter()
    registry = runtime.registry
    for name in registry.names("searcher"):
        searcher = registry.get("searcher", name).component
        if "text" not in getattr(searcher, "query_kinds", ()):
            continue
        try:
            runtime.search(SearchRequest(text=WARM_UP_QUERY, algos=[name], limit=1))
        except ReelsearchError as exc:
            log.info("search %r is not warm: %s", name, exc)
    log.info("searchers warm in %.1f s", time.perf_counter() - started)


def _safe_name(filename: str | None) -> str:
    """An uploaded file's name, reduced to a plain file name (no folders, no odd characters)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")[:120]
    return cleaned or "upload.mp4"
