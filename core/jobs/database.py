"""The jobs database: one SQLite file in the data home (``<home>/jobs.sqlite``), in WAL mode.

It holds the job queue, the backfill runs and what the watch folders last saw, so that all of
it survives a restart. One connection is shared by the threads of a process behind a lock;
other processes may read the file at the same time (WAL), and a writer waits for another's
transaction up to a busy timeout.

The schema carries a version (``PRAGMA user_version``): an older file is migrated on open, a
newer one (made by a later reelsearch) is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reelsearch.core.errors import JobError

FILE_NAME = "jobs.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0

_SCHEMA_1 = """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    state TEXT NOT NULL,
    priority INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    error TEXT,
    progress TEXT NOT NULL DEFAULT '{}',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    owner TEXT,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    heartbeat_at REAL
);
CREATE UNIQUE INDEX jobs_queued_once ON jobs (dedupe_key) WHERE state = 'queued';
CREATE INDEX jobs_next ON jobs (state, priority DESC, id);
CREATE TABLE backfills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    algos TEXT NOT NULL,
    per_minute REAL NOT NULL,
    max_concurrent INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE TABLE backfill_items (
    backfill_id INTEGER NOT NULL REFERENCES backfills (id),
    asset_id TEXT NOT NULL,
    algos TEXT NOT NULL,
    job_id INTEGER REFERENCES jobs (id),
    queued_at REAL,
    PRIMARY KEY (backfill_id, asset_id)
);
CREATE INDEX backfill_items_job ON backfill_items (job_id);
CREATE TABLE watched_files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sidecars TEXT NOT NULL DEFAULT ''
);
"""

MIGRATIONS: dict[int, str] = {1: _SCHEMA_1}
"""The script that brings the schema from version ``n - 1`` to ``n``."""


class JobsDatabase:
    """The SQLite file of a data home's jobs, shared by the threads of this process.

    Args:
        path: The database file; its folder is created if missing.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # transactions are explicit (BEGIN IMMEDIATE)
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as exc:
            raise JobError(f"cannot open the jobs database {self.path}: {exc}") from exc
        self._lock = threading.RLock()
        try:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise JobError(f"{self.path} is not a usable jobs database: {exc}") from exc

    @classmethod
    def in_home(cls, home: Path) -> JobsDatabase:
        """The jobs database of the data home ``home``."""
        return cls(Path(home) / FILE_NAME)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on exit, rolled back if the block raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection, for reads (each statement sees a consistent snapshot)."""
        with self._lock:
            yield self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise JobError(
                f"the jobs database {self.path} has schema version {version}, newer than this "
                f"reelsearch knows ({SCHEMA_VERSION}); upgrade reelsearch to use this data home"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.write() as db:
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
