"""Watch folders: videos that land in them are ingested, and leave the catalog when deleted.

A :class:`FolderWatcher` follows the ``watch_folders`` (with their sub-folders) through
``watchfiles`` and queues jobs on a :class:`~reelsearch.core.jobs.worker.Worker`:

- a new or changed video is queued once its size and modification time have stayed the same for
  ``watch_stable_seconds`` (a copy still being written is not read half-way);
- a subtitle sidecar (``movie.srt``, ``movie.en.vtt``: the video's name without extension, dot
  tags, ``.srt`` or ``.vtt``) that arrives, changes or goes after its video queues a re-run of
  the video; only the algos whose fingerprint the sidecar changes (dialogue) compute again,
  every other output is reused from the feature store;
- a deleted video's catalog entry is removed (``watch_deleted = "remove"``) or kept (``"keep"``).

Other files, and hidden or temporary ones (``.name``, ``name~``, ``*.part``, ``*.tmp``, ...), are
ignored. At start the watcher catches up with what changed while it was not running, comparing
the folders with what it last saw (kept in the jobs database) and with the catalog.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reelsearch.core.errors import ReelsearchError
from reelsearch.core.extras import require
from reelsearch.core.jobs.models import Job, JobKind, JobPayload
from reelsearch.core.jobs.paths import check_allowed
from reelsearch.core.jobs.worker import Worker
from reelsearch.core.media.probe import content_hash
from reelsearch.core.models import asset_id_for

logger = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset(
    [
        ".3gp",
        ".avi",
        ".flv",
        ".m2ts",
        ".m4v",
        ".mkv",
        ".mov",
        ".mp4",
        ".mpeg",
        ".mpg",
        ".mts",
        ".mxf",
        ".ogv",
        ".ts",
        ".webm",
        ".wmv",
    ]
)
"""Extensions of the files taken for videos (any case)."""
SIDECAR_SUFFIXES = frozenset({".srt", ".vtt"})
"""Extensions of subtitle sidecars (any case)."""
TEMPORARY_SUFFIXES = frozenset(
    [
        ".part",
        ".partial",
        ".tmp",
        ".temp",
        ".crdownload",
        ".download",
        ".swp",
        ".filepart",
        ".!qb",
        ".aria2",
    ]
)


def ignored(path: Path, root: Path) -> bool:
    """Whether ``path`` (under ``root``) is left alone: hidden or temporary (a dot-name
    anywhere under ``root``, a ``~`` backup, a download or editor temporary file), or named
    with bytes that are not UTF-8."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    name = path.name
    return (
        not readable_name(path)
        or any(part.startswith((".", "~$")) for part in parts)
        or name.endswith("~")
        or path.suffix.lower() in TEMPORARY_SUFFIXES
    )


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def readable_name(path: Path) -> bool:
    """Whether ``path`` is valid Unicode text; a name with undecodable bytes is skipped (with
    a warning), since the catalog and the job queue store paths as text."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        logger.warning("watch folders: skipping a file whose name is not valid UTF-8: %r", path)
        return False
    return True


def is_sidecar(path: Path) -> bool:
    return path.suffix.lower() in SIDECAR_SUFFIXES


def belongs_to(sidecar: Path, video: Path) -> bool:
    """Whether ``sidecar`` is a subtitle file of ``video`` (same folder, name rule above)."""
    name = sidecar.name[: -len(sidecar.suffix)]
    return sidecar.parent == video.parent and (
        name == video.stem or name.startswith(video.stem + ".")
    )


def sidecars_signature(video: Path) -> str:
    """Names, sizes and modification times of ``video``'s sidecars: changes when one does."""
    found = []
    try:
        siblings = sorted(video.parent.iterdir())
    except OSError:
        return ""
    for path in siblings:
        if is_sidecar(path) and belongs_to(path, video):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(found)


@dataclass
class _Pending:
    """A file waiting for its writes to end."""

    size: int
    mtime_ns: int
    since: float
    refresh: bool = False
    """Only its sidecars changed: re-run it rather than ingest it."""


class FolderWatcher:
    """Follows watch folders and queues ingest, re-run and remove jobs on ``worker``.

    Args:
        worker: The worker whose queue gets the jobs (and which it wakes).
        folders: Folders to watch; default the ``watch_folders`` setting.
        deleted: ``"remove"`` or ``"keep"`` a deleted video's entry; default ``watch_deleted``.
        stable_seconds: How long a file must stay unchanged; default ``watch_stable_seconds``.
        poll_seconds: How often pending files are looked at again.
    """

    def __init__(
        self,
        worker: Worker,
        folders: Sequence[Path] | None = None,
        *,
        deleted: str | None = None,
        stable_seconds: float | None = None,
        poll_seconds: float = 0.25,
    ) -> None:
        settings = worker.runtime.settings
        self.worker = worker
        self.folders = [
            Path(f).expanduser().resolve()
            for f in (folders if folders is not None else settings.watch_folders)
        ]
        self.deleted = deleted or settings.watch_deleted
        self.stable_seconds = (
            settings.watch_stable_seconds if stable_seconds is None else stable_seconds
        )
        self.poll_seconds = poll_seconds
        self._pending: dict[Path, _Pending] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> list[Job]:
        """Catch up with the folders, then follow them in a thread; the jobs catching up
        queued (more follow as pending files settle)."""
        require("watchfiles", extra="server", needed_by="watch folders")
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
        self._stopping.clear()
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._follow, args=(ready,), name="reelsearch-watch", daemon=True
        )
        self._thread.start()
        ready.wait(10)
        return self.catch_up()

    def stop(self) -> None:
        """Stop following the folders (files still settling are looked at on the next start)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def pending(self) -> list[Path]:
        """Files waiting for their writes to end."""
        with self._lock:
            return sorted(self._pending)

    def catch_up(self) -> list[Job]:
        """Compare the folders with what was last seen and with the catalog: new and changed
        videos wait to settle, videos whose sidecars changed are re-run, and the entries of
        deleted videos are removed (per ``deleted``). Returns the jobs queued now."""
        seen = self._seen()
        present: set[Path] = set()
        jobs: list[Job] = []
        for folder in self.folders:
            for path in self._videos_under(folder, folder):
                present.add(path)
                self._catch_up_one(path, seen.get(str(path)), jobs)
        catalogued = {
            Path(a.uri) for a in self.worker.runtime.catalog.assets() if self._watched(Path(a.uri))
        }
        for path in sorted({Path(p) for p in seen} | catalogued):
            if path not in present and self._watched(path) and not path.exists():
                jobs.extend(self._gone(path))
        jobs.extend(self.check_pending())
        return jobs

    def handle(self, changes: Iterable[tuple[object, str]]) -> list[Job]:
        """React to ``watchfiles`` changes; returns the jobs queued at once (deletions).

        A folder moved in is looked through; a folder moved out takes its videos with it.
        """
        jobs: list[Job] = []
        for _, name in sorted(changes, key=lambda change: change[1]):
            path = Path(name)
            folder = self._folder_of(path)
            if folder is None or ignored(path, folder):
                continue
            if path.is_dir():
                for video in self._videos_under(path, folder):
                    self._wait_for(video)
            elif is_video(path):
                if path.is_file():
                    self._wait_for(path)
                else:
                    jobs.extend(self._gone(path))
            elif is_sidecar(path):
                for video in self._videos_of(path):
                    self._wait_for(video, refresh=True, restart=True)
            elif not path.exists():
                for seen in self._seen():
                    if Path(seen).is_relative_to(path) and not Path(seen).exists():
                        jobs.extend(self._gone(Path(seen)))
        return jobs

    def check_pending(self, now: float | None = None) -> list[Job]:
        """Queue the pending files that stayed unchanged for ``stable_seconds``."""
        now = time.monotonic() if now is None else now
        ready: list[tuple[Path, bool]] = []
        with self._lock:
            for path, waiting in list(self._pending.items()):
                try:
                    stat = path.stat()
                except OSError:
                    del self._pending[path]
                    continue
                if (stat.st_size, stat.st_mtime_ns) != (waiting.size, waiting.mtime_ns):
                    self._pending[path] = _Pending(
                        stat.st_size, stat.st_mtime_ns, now, waiting.refresh
                    )
                elif now - waiting.since >= self.stable_seconds:
                    del self._pending[path]
                    ready.append((path, waiting.refresh))
        jobs = []
        for path, refresh in ready:
            job = self._queue(path, JobKind.REINGEST_ALGOS if refresh else JobKind.INGEST)
            if job is not None:
                jobs.append(job)
        return jobs

    def _follow(self, ready: threading.Event) -> None:
        from watchfiles import watch

        ready.set()
        try:
            for changes in watch(
                *self.folders,
                watch_filter=None,
                debounce=200,
                step=50,
                rust_timeout=max(50, int(self.poll_seconds * 1000)),
                yield_on_timeout=True,
                stop_event=self._stopping,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                try:
                    self.handle(changes)
                    self.check_pending()
                except ReelsearchError:
                    logger.exception("watch folders: cannot queue a job")
        except (OSError, RuntimeError):
            logger.exception("watch folders: watching stopped")

    def _catch_up_one(self, path: Path, seen: tuple[int, int, str] | None, jobs: list[Job]) -> None:
        stat = path.stat()
        if seen is not None and seen[:2] == (stat.st_size, stat.st_mtime_ns):
            if seen[2] != sidecars_signature(path):
                self._wait_for(path, refresh=True)
            return
        entry = self.worker.runtime.catalog.get(asset_id_for(str(path)))
        if (
            seen is None
            and entry is not None
            and entry.media is not None
            and entry.media.size_bytes == stat.st_size
            and entry.content_hash == content_hash(path)
        ):
            self._remember(path, stat.st_size, stat.st_mtime_ns)  # ingested some other way
            return
        self._wait_for(path)

    def _wait_for(self, video: Path, *, refresh: bool = False, restart: bool = False) -> None:
        """Put ``video`` among the pending files; ``restart``: wait ``stable_seconds`` from now
        whatever its size (a sidecar of it is being written)."""
        try:
            stat = video.stat()
        except OSError:
            return
        with self._lock:
            waiting = self._pending.get(video)
            if waiting is not None and not waiting.refresh:
                refresh = False  # an ingest takes the sidecars along
            size, mtime = (-1, -1) if restart else (stat.st_size, stat.st_mtime_ns)
            self._pending[video] = _Pending(size, mtime, time.monotonic(), refresh)

    @staticmethod
    def _videos_under(path: Path, folder: Path) -> list[Path]:
        """The videos in ``path`` and its sub-folders (``folder`` is the watch folder)."""
        return [
            video
            for video in sorted(path.rglob("*"))
            if is_video(video) and not ignored(video, folder) and video.is_file()
        ]

    def _videos_of(self, sidecar: Path) -> list[Path]:
        try:
            siblings = sorted(sidecar.parent.iterdir())
        except OSError:
            return []
        return [v for v in siblings if is_video(v) and belongs_to(sidecar, v) and v.is_file()]

    def _queue(self, path: Path, kind: JobKind) -> Job | None:
        try:
            check_allowed(path, self.folders)  # a symlink out of the folder is not followed
            stat = path.stat()
            job = self.worker.submit(kind, JobPayload(paths=[str(path)]), source="watch")
        except (ReelsearchError, OSError, ValueError) as exc:
            logger.warning("watch folders: not queued: %s", exc)
            return None
        self._remember(path, stat.st_size, stat.st_mtime_ns)
        return job

    def _gone(self, path: Path) -> list[Job]:
        with self._lock:
            self._pending.pop(path, None)
        known = str(path) in self._seen() or self.worker.runtime.catalog.get(
            asset_id_for(str(path))
        )
        self._forget(path)
        if self.deleted != "remove" or not known:
            return []
        return [self.worker.submit(JobKind.REMOVE, JobPayload(paths=[str(path)]), source="watch")]

    def _folder_of(self, path: Path) -> Path | None:
        return next((f for f in self.folders if path.is_relative_to(f)), None)

    def _watched(self, path: Path) -> bool:
        folder = self._folder_of(path)
        return folder is not None and is_video(path) and not ignored(path, folder)

    def _seen(self) -> dict[str, tuple[int, int, str]]:
        with self.worker.queue.db.read() as db:
            rows = db.execute("SELECT path, size, mtime_ns, sidecars FROM watched_files")
            return {path: (size, mtime, sidecars) for path, size, mtime, sidecars in rows}

    def _remember(self, path: Path, size: int, mtime_ns: int) -> None:
        with self.worker.queue.db.write() as db:
            db.execute(
                "INSERT INTO watched_files (path, size, mtime_ns, sidecars) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
                "mtime_ns = excluded.mtime_ns, sidecars = excluded.sidecars",
                (str(path), size, mtime_ns, sidecars_signature(path)),
            )

    def _forget(self, path: Path) -> None:
        with self.worker.queue.db.write() as db:
            db.execute("DELETE FROM watched_files WHERE path = ?", (str(path),))
