"""The durable job queue: what to ingest, re-run, remove or backfill, in the data home.

A job is queued, claimed by a worker (running), then done, failed (with a one-line error) or
cancelled. A failed job whose error is worth retrying goes back to the queue until it has been
tried ``max_attempts`` times. Jobs are claimed highest priority first (new media before
backfill), oldest first within a priority, and an identical job already queued is not queued
twice.

Crash safety: a worker stamps the jobs it runs with its owner (host and pid) and a heartbeat.
:meth:`JobQueue.requeue_abandoned` puts back the running jobs whose owner died (or whose
heartbeat stopped), so a job interrupted by a crash runs again after a restart; re-running an
ingest is idempotent (deterministic point ids, memoised features).

Example::

    queue = JobQueue.in_home(settings.home)
    job = queue.enqueue(JobKind.INGEST, JobPayload(paths=["/media/ep1.mp4"]), source="api")
    claimed = queue.claim_next()
    queue.progress(claimed.id, "shots", done=10, total=100)
    queue.finish(claimed.id)
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from reelsearch.core.config import Settings
from reelsearch.core.errors import JobError, UnknownJobError
from reelsearch.core.jobs.database import JobsDatabase
from reelsearch.core.jobs.models import (
    DEFAULT_PRIORITY,
    AlgoProgress,
    Job,
    JobKind,
    JobPage,
    JobPayload,
    JobState,
    QueueCounts,
)

MAX_ERROR_CHARS = 1_000
MAX_PAGE = 500
DEFAULT_MAX_ATTEMPTS = 3

_COLUMNS = (
    "id, kind, payload, state, priority, attempts, max_attempts, error, progress, "
    "cancel_requested, source, created_at, started_at, finished_at, heartbeat_at"
)


def one_line(error: BaseException | str) -> str:
    """An error as one line of at most :data:`MAX_ERROR_CHARS` characters."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def this_owner() -> str:
    """How a worker of this process signs the jobs it runs: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str | None) -> bool:
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's worker: only its heartbeat tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobQueue:
    """Jobs of one data home, in its jobs database.

    Args:
        database: The jobs database (see :meth:`in_home`).
        max_attempts: Times a job may start before a retryable failure becomes final.
    """

    def __init__(self, database: JobsDatabase, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS):
        if max_attempts < 1:
            raise JobError(f"max_attempts must be at least 1, got {max_attempts}")
        self.db = database
        self.max_attempts = max_attempts
        self.owner = this_owner()

    @classmethod
    def in_home(cls, home: Path, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> JobQueue:
        """The queue in ``<home>/jobs.sqlite``."""
        return cls(JobsDatabase.in_home(home), max_attempts=max_attempts)

    @classmethod
    def of(cls, settings: Settings) -> JobQueue:
        """The queue of the data home of ``settings``, with its ``jobs_max_attempts``."""
        return cls.in_home(settings.home, max_attempts=settings.jobs_max_attempts)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def enqueue(
        self,
        kind: JobKind | str,
        payload: JobPayload,
        *,
        priority: int | None = None,
        source: str = "api",
    ) -> Job:
        """Queue a job, or return the identical one (same kind and payload) already queued.

        Args:
            kind: What the job does.
            payload: What it works on.
            priority: Higher runs first; default by kind (new media above backfill).
            source: Who queued it (shown in listings).
        """
        kind = JobKind(kind)
        body = payload.model_dump_json()
        key = hashlib.sha256(f"{kind}\0{body}".encode()).hexdigest()
        rank = int(DEFAULT_PRIORITY[kind] if priority is None else priority)
        with self.db.write() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE dedupe_key = ? AND state = 'queued'", (key,)
            ).fetchone()
            if row is None:
                row = db.execute(
                    "INSERT INTO jobs (kind, payload, dedupe_key, state, priority, max_attempts, "
                    "source, created_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?) RETURNING id",
                    (kind.value, body, key, rank, self.max_attempts, source[:40], time.time()),
                ).fetchone()
            elif rank > DEFAULT_PRIORITY[kind]:  # asked again, more urgently
                db.execute(
                    "UPDATE jobs SET priority = MAX(priority, ?) WHERE id = ?", (rank, row[0])
                )
            return self._get(db, int(row[0]))

    def claim_next(self, kinds: Collection[JobKind] | None = None) -> Job | None:
        """Take the next queued job (of one of ``kinds``) and mark it running, or ``None``."""
        where, args = "state = 'queued'", []
        if kinds:
            where += f" AND kind IN ({', '.join('?' * len(kinds))})"
            args = [JobKind(k).value for k in kinds]
        now = time.time()
        with self.db.write() as db:
            row = db.execute(
                f"SELECT id FROM jobs WHERE {where} ORDER BY priority DESC, id LIMIT 1", args
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, owner = ?, "
                "started_at = ?, heartbeat_at = ?, finished_at = NULL, progress = '{}' "
                "WHERE id = ?",
                (self.owner, now, now, row[0]),
            )
            return self._get(db, int(row[0]))

    def heartbeat(self, job_id: int) -> None:
        """Say that the running job ``job_id`` is still being worked on."""
        with self.db.write() as db:
            db.execute(
                "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running'",
                (time.time(), job_id),
            )

    def progress(
        self,
        job_id: int,
        algo: str,
        done: int = 0,
        total: int | None = None,
        *,
        finished: bool = False,
    ) -> None:
        """Record how far ``algo`` has come in the running job ``job_id`` (also a heartbeat).

        An algo seen for the first time becomes the job's next step.
        """
        with self.db.write() as db:
            row = db.execute(
                "SELECT progress FROM jobs WHERE id = ? AND state = 'running'", (job_id,)
            ).fetchone()
            if row is None:
                return
            steps: dict[str, Any] = json.loads(row[0])
            step = steps.get(algo, {}).get("step", len(steps) + 1)
            steps[algo] = AlgoProgress(
                step=step, done=max(0, done), total=total, finished=finished
            ).model_dump()
            db.execute(
                "UPDATE jobs SET progress = ?, heartbeat_at = ? WHERE id = ?",
                (json.dumps(steps), time.time(), job_id),
            )

    def finish(self, job_id: int) -> Job:
        """Mark the running job ``job_id`` done."""
        return self._end(job_id, JobState.DONE, None)

    def fail(self, job_id: int, error: BaseException | str, *, retry: bool = False) -> Job:
        """Mark the running job ``job_id`` failed with ``error`` (kept as one line).

        With ``retry``, a job that has attempts left goes back to the queue instead.
        """
        message = one_line(error)
        if retry:
            with self.db.write() as db:
                if _queued_twin(db, job_id) is not None:
                    requeued = 0  # the identical queued job will do the work
                else:
                    requeued = db.execute(
                        "UPDATE jobs SET state = 'queued', error = ?, owner = NULL "
                        "WHERE id = ? AND state = 'running' AND attempts < max_attempts "
                        "AND cancel_requested = 0",
                        (message, job_id),
                    ).rowcount
                if requeued:
                    return self._get(db, job_id)
        return self._end(job_id, JobState.FAILED, message)

    def requeue(self, job_id: int) -> Job:
        """Put the running job ``job_id`` back in the queue (its worker is stopping); the
        attempt is not counted. If an identical job was queued meanwhile, this one is
        cancelled instead."""
        with self.db.write() as db:
            job = self._get(db, job_id)
            if job.state is not JobState.RUNNING:
                raise JobError(f"job {job_id} is {job.state}, not running; it cannot be requeued")
            twin = _queued_twin(db, job_id)
            if twin is None:
                db.execute(
                    "UPDATE jobs SET state = 'queued', owner = NULL, progress = '{}', "
                    "attempts = MAX(0, attempts - 1) WHERE id = ?",
                    (job_id,),
                )
            else:
                db.execute(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ?, error = ? WHERE id = ?",
                    (time.time(), f"interrupted; job {twin} does the same", job_id),
                )
            return self._get(db, job_id)

    def cancelled(self, job_id: int) -> Job:
        """Mark the running job ``job_id`` cancelled (its worker stopped it)."""
        return self._end(job_id, JobState.CANCELLED, None)

    def cancel(self, job_id: int) -> Job:
        """Cancel a job: a queued one at once, a running one between two of its steps.

        A finished job is returned unchanged.

        Raises:
            UnknownJobError: There is no job ``job_id``.
        """
        with self.db.write() as db:
            job = self._get(db, job_id)
            if job.state is JobState.QUEUED:
                db.execute(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ?",
                    (time.time(), job_id),
                )
            elif job.state is JobState.RUNNING:
                db.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))
            return self._get(db, job_id)

    def cancel_requested(self, job_id: int) -> bool:
        """Whether someone asked to cancel the job ``job_id``."""
        with self.db.read() as db:
            row = db.execute("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,))
            found = row.fetchone()
        return bool(found and found[0])

    def get(self, job_id: int) -> Job:
        """The job ``job_id``.

        Raises:
            UnknownJobError: There is no such job.
        """
        with self.db.read() as db:
            return self._get(db, job_id)

    def list(
        self,
        state: JobState | str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        kind: JobKind | str | None = None,
    ) -> JobPage:
        """A page of jobs, newest first, optionally only those in ``state`` (or of ``kind``).

        ``limit`` is capped at :data:`MAX_PAGE`.
        """
        if limit < 1 or offset < 0:
            raise JobError(f"limit must be at least 1 and offset at least 0 ({limit}, {offset})")
        limit = min(limit, MAX_PAGE)
        where, args = self._where(state, kind)
        with self.db.read() as db:
            total = db.execute(f"SELECT COUNT(*) FROM jobs{where}", args).fetchone()[0]
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM jobs{where} ORDER BY id DESC LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return JobPage(jobs=[_job(r) for r in rows], total=total, offset=offset, limit=limit)

    def counts(self) -> QueueCounts:
        """How many jobs are in each state."""
        with self.db.read() as db:
            rows = db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()
        return QueueCounts(**{state: count for state, count in rows})

    def unfinished(self, kind: JobKind | str | None = None) -> builtins.list[Job]:
        """Every queued or running job (of ``kind``), oldest first."""
        where, args = self._where(None, kind)
        where += (" AND" if where else " WHERE") + " state IN ('queued', 'running')"
        with self.db.read() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM jobs{where} ORDER BY id", args)
            return [_job(r) for r in rows.fetchall()]

    def requeue_abandoned(self, stale_after: float | None = None) -> builtins.list[int]:
        """Put back in the queue the running jobs whose worker is gone; their ids.

        A worker is gone when its process on this host no longer exists, or, with
        ``stale_after``, when it has not given a heartbeat for that many seconds. A job that
        already used all its attempts fails instead, with an error that says so.
        """
        now = time.time()
        with self.db.write() as db:
            rows = db.execute(
                "SELECT id, owner, heartbeat_at, attempts, max_attempts, cancel_requested "
                "FROM jobs WHERE state = 'running'"
            ).fetchall()
            requeued = []
            for job_id, owner, beat, attempts, most, cancel in rows:
                stale = stale_after is not None and (beat or 0) < now - stale_after
                if owner == self.owner and not stale:
                    continue  # ours, in this process
                if _owner_alive(owner) and not stale:
                    continue
                twin = _queued_twin(db, job_id)
                if cancel or twin is not None:
                    db.execute(
                        "UPDATE jobs SET state = 'cancelled', finished_at = ?, error = ? "
                        "WHERE id = ?",
                        (now, f"interrupted; job {twin} does the same" if twin else None, job_id),
                    )
                elif attempts >= most:
                    db.execute(
                        "UPDATE jobs SET state = 'failed', finished_at = ?, error = ? WHERE id = ?",
                        (now, f"interrupted {attempts} times (its worker stopped)", job_id),
                    )
                else:
                    db.execute(
                        "UPDATE jobs SET state = 'queued', owner = NULL WHERE id = ?", (job_id,)
                    )
                    requeued.append(int(job_id))
            return requeued

    def prune(self, older_than: float) -> int:
        """Delete the jobs that finished more than ``older_than`` seconds ago, and the backfill
        runs that ended as long ago; how many jobs went."""
        cutoff = time.time() - older_than
        with self.db.write() as db:
            db.execute(
                "DELETE FROM backfill_items WHERE backfill_id IN (SELECT id FROM backfills "
                "WHERE state != 'running' AND finished_at < ?)",
                (cutoff,),
            )
            db.execute(
                "DELETE FROM backfills WHERE state != 'running' AND finished_at < ?", (cutoff,)
            )
            return int(
                db.execute(
                    "DELETE FROM jobs WHERE state IN ('done', 'failed', 'cancelled') "
                    "AND finished_at < ? AND id NOT IN "
                    "(SELECT job_id FROM backfill_items WHERE job_id IS NOT NULL)",
                    (cutoff,),
                ).rowcount
            )

    def _end(self, job_id: int, state: JobState, error: str | None) -> Job:
        with self.db.write() as db:
            job = self._get(db, job_id)
            if job.state is not JobState.RUNNING:
                raise JobError(
                    f"job {job_id} is {job.state}, not running; it cannot become {state}"
                )
            db.execute(
                "UPDATE jobs SET state = ?, error = ?, finished_at = ?, owner = NULL WHERE id = ?",
                (state.value, error, time.time(), job_id),
            )
            return self._get(db, job_id)

    @staticmethod
    def _where(
        state: JobState | str | None, kind: JobKind | str | None
    ) -> tuple[str, builtins.list[str]]:
        clauses, args = [], []
        if state is not None:
            clauses.append("state = ?")
            args.append(JobState(state).value)
        if kind is not None:
            clauses.append("kind = ?")
            args.append(JobKind(kind).value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    @staticmethod
    def _get(db: sqlite3.Connection, job_id: int) -> Job:
        row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise UnknownJobError(f"there is no job {job_id}")
        return _job(row)


def _queued_twin(db: sqlite3.Connection, job_id: int) -> int | None:
    """The id of a queued job identical to ``job_id`` (same kind and payload), if any."""
    row = db.execute(
        "SELECT twin.id FROM jobs AS job JOIN jobs AS twin ON twin.dedupe_key = job.dedupe_key "
        "WHERE job.id = ? AND twin.state = 'queued' AND twin.id != job.id",
        (job_id,),
    ).fetchone()
    return int(row[0]) if row else None


def _job(row: Sequence[Any]) -> Job:
    (id_, kind, payload, state, priority, attempts, most, error, progress, cancel, source) = row[
        :11
    ]
    created, started, finished, beat = row[11:]
    return Job(
        id=id_,
        kind=kind,
        payload=JobPayload.model_validate_json(payload),
        state=state,
        priority=priority,
        attempts=attempts,
        max_attempts=most,
        error=error,
        progress=json.loads(progress),
        cancel_requested=bool(cancel),
        source=source,
        created_at=created,
        started_at=started,
        finished_at=finished,
        heartbeat_at=beat,
    )
