"""Backfill: bring a new or changed algo's output to every asset already in the catalog.

An asset lacks an algo when the feature store holds no entry under the algo's current key for
it (:meth:`Pipeline.keys` over :meth:`Pipeline.order`, as a run computes it: the asset's bytes,
the algo's version and config, its fingerprint and the keys of the algos it depends on or
uses). Working that out runs no algo and loads no model.

A backfill run records the assets it must fill in, then queues one low-priority job per asset,
at most ``per_minute`` a minute and ``max_concurrent`` queued or running at once, so new media
goes first. The run lives in the jobs database: after a restart it goes on where it was.

Example::

    backfill = Backfill(rs, queue)
    for item in backfill.plan("dialogue"):     # what a --dry-run prints
        print(item.title, item.missing)
    run = backfill.create("dialogue", per_minute=10)
    backfill.start()                           # a thread queues its jobs over time
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from reelsearch.core.errors import JobError, ReelsearchError, UnknownJobError
from reelsearch.core.jobs.models import JobKind, JobPayload
from reelsearch.core.jobs.queue import JobQueue, one_line
from reelsearch.core.models import Asset
from reelsearch.core.runtime import Runtime

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0


class PlanItem(BaseModel):
    """One catalog asset and the algos whose current output it lacks."""

    asset_id: str
    title: str
    uri: str
    missing: list[str] = Field(description="Algos to compute, in the order they run.")
    error: str | None = Field(
        default=None, description="Why its keys could not be worked out (it is not queued)."
    )


class BackfillRun(BaseModel):
    """A backfill: what it covers, how fast it goes and how far it has come."""

    id: int
    algos: list[str]
    per_minute: float
    max_concurrent: int
    state: Literal["running", "done", "cancelled"]
    created_at: float
    finished_at: float | None = None
    total: int = Field(description="Assets to fill in.")
    pending: int = Field(default=0, description="Assets not queued yet.")
    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0


class Backfill:
    """Plans and paces backfills of one runtime's catalog through its job queue.

    Args:
        runtime: The runtime that owns the data home.
        queue: Its job queue.
    """

    def __init__(self, runtime: Runtime, queue: JobQueue) -> None:
        self.runtime = runtime
        self.queue = queue
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def targets(self, algo: str | None = None) -> list[str]:
        """The algos a backfill of ``algo`` covers: it alone, or every default algo.

        Raises:
            UnknownComponentError: No plugin registered ``algo``.
        """
        targets = [algo] if algo else self.runtime.default_algos()
        self.runtime.pipeline.order(targets)  # names an unknown algo
        return targets

    def plan(self, algo: str | None = None) -> list[PlanItem]:
        """Every catalog asset that lacks the current output of ``algo`` (default: of any
        default algo), with what it lacks. Nothing runs and nothing is queued."""
        targets = self.targets(algo)
        order = self.runtime.pipeline.order(targets)  # what a run of them computes
        items = []
        for asset in self.runtime.catalog.assets():
            item = self._item(asset, order)
            if item.missing or item.error:
                items.append(item)
        return items

    def create(
        self,
        algo: str | None = None,
        *,
        per_minute: float | None = None,
        max_concurrent: int | None = None,
    ) -> BackfillRun:
        """Record a backfill of ``algo`` (default: every default algo) over what :meth:`plan`
        finds; its jobs are queued by :meth:`tick`. A run of the same algos still under way is
        returned instead of a second one."""
        settings = self.runtime.settings
        rate = per_minute if per_minute is not None else settings.backfill_per_minute
        most = max_concurrent if max_concurrent is not None else settings.backfill_max_concurrent
        if rate <= 0 or most < 1:
            raise JobError(
                f"a backfill needs per_minute > 0 and max_concurrent >= 1 ({rate}, {most})"
            )
        targets = self.targets(algo)
        key = json.dumps(sorted(targets))
        with self.queue.db.read() as db:
            row = db.execute(
                "SELECT id FROM backfills WHERE algos = ? AND state = 'running'", (key,)
            ).fetchone()
        if row is not None:
            return self.get(int(row[0]))
        items = [item for item in self.plan(algo) if item.missing and not item.error]
        with self.queue.db.write() as db:
            run_id = db.execute(
                "INSERT INTO backfills (algos, per_minute, max_concurrent, state, created_at) "
                "VALUES (?, ?, ?, 'running', ?) RETURNING id",
                (key, rate, most, time.time()),
            ).fetchone()[0]
            db.executemany(
                "INSERT INTO backfill_items (backfill_id, asset_id, algos) VALUES (?, ?, ?)",
                [
                    (run_id, item.asset_id, json.dumps([a for a in item.missing if a in targets]))
                    for item in items
                ],
            )
        return self.get(int(run_id))

    def tick(self, now: float | None = None) -> int:
        """Queue what each run's pace allows now, and close the runs that are over.

        Returns:
            How many jobs were queued.
        """
        now = time.time() if now is None else now
        queued = 0
        for run in self.runs(state="running"):
            if run.pending == 0:
                if _active(run) == 0:
                    self._set_state(run.id, "done", now)
                continue
            allowed = min(self._rate_allowance(run, now), run.max_concurrent - _active(run))
            if allowed > 0:
                queued += self._queue_items(run, allowed, now)
        return queued

    def runs(self, state: str | None = None) -> list[BackfillRun]:
        """The backfill runs, newest first (only those in ``state``, if given)."""
        where, args = ("WHERE state = ?", [state]) if state else ("", [])
        with self.queue.db.read() as db:
            ids = [
                r[0] for r in db.execute(f"SELECT id FROM backfills {where} ORDER BY id DESC", args)
            ]
        return [self.get(run_id) for run_id in ids]

    def get(self, run_id: int) -> BackfillRun:
        """The backfill run ``run_id`` with its progress.

        Raises:
            UnknownJobError: There is no such run.
        """
        with self.queue.db.read() as db:
            row = db.execute(
                "SELECT id, algos, per_minute, max_concurrent, state, created_at, finished_at "
                "FROM backfills WHERE id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise UnknownJobError(f"there is no backfill {run_id}")
            counts = dict(
                db.execute(
                    "SELECT COALESCE(jobs.state, 'pending'), COUNT(*) FROM backfill_items "
                    "LEFT JOIN jobs ON jobs.id = backfill_items.job_id "
                    "WHERE backfill_id = ? GROUP BY 1",
                    (run_id,),
                ).fetchall()
            )
        return BackfillRun(
            id=row[0],
            algos=json.loads(row[1]),
            per_minute=row[2],
            max_concurrent=row[3],
            state=row[4],
            created_at=row[5],
            finished_at=row[6],
            total=sum(counts.values()),
            **counts,
        )

    def cancel(self, run_id: int) -> BackfillRun:
        """Stop a backfill: nothing more is queued and its queued jobs are cancelled."""
        run = self.get(run_id)
        if run.state == "running":
            self._set_state(run_id, "cancelled", time.time())
            with self.queue.db.read() as db:
                jobs = [
                    r[0]
                    for r in db.execute(
                        "SELECT job_id FROM backfill_items WHERE backfill_id = ? "
                        "AND job_id IS NOT NULL",
                        (run_id,),
                    )
                ]
            for job_id in jobs:
                self.queue.cancel(job_id)
        return self.get(run_id)

    def start(self, interval: float = TICK_SECONDS) -> None:
        """Tick every ``interval`` seconds in a thread of its own until :meth:`stop`."""
        if self._thread is not None:
            return
        self._stopping.clear()

        def loop() -> None:
            while not self._stopping.wait(interval):
                try:
                    self.tick()
                except ReelsearchError:
                    logger.exception("backfill tick failed")

        self._thread = threading.Thread(target=loop, name="reelsearch-backfill", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _item(self, asset: Asset, order: Sequence[str]) -> PlanItem:
        item = PlanItem(asset_id=asset.id, title=asset.title, uri=asset.uri, missing=[])
        try:
            keys = self.runtime.pipeline.keys(asset, order)
            present = set(self.runtime.features.keys_for(asset.content_hash))
        except ReelsearchError as exc:
            return item.model_copy(update={"error": one_line(exc)})
        return item.model_copy(update={"missing": [n for n in order if keys[n] not in present]})

    def _rate_allowance(self, run: BackfillRun, now: float) -> int:
        window = max(60.0, 60.0 / run.per_minute)
        capacity = max(1, int(run.per_minute * window / 60.0))
        with self.queue.db.read() as db:
            recent = db.execute(
                "SELECT COUNT(*) FROM backfill_items WHERE backfill_id = ? AND queued_at > ?",
                (run.id, now - window),
            ).fetchone()[0]
        return int(capacity - recent)

    def _queue_items(self, run: BackfillRun, count: int, now: float) -> int:
        with self.queue.db.read() as db:
            rows = db.execute(
                "SELECT asset_id, algos FROM backfill_items WHERE backfill_id = ? "
                "AND job_id IS NULL ORDER BY rowid LIMIT ?",
                (run.id, count),
            ).fetchall()
        for asset_id, algos in rows:
            payload = JobPayload(asset_ids=[asset_id], algos=json.loads(algos))
            job = self.queue.enqueue(JobKind.BACKFILL, payload, source="backfill")
            with self.queue.db.write() as db:
                db.execute(
                    "UPDATE backfill_items SET job_id = ?, queued_at = ? "
                    "WHERE backfill_id = ? AND asset_id = ?",
                    (job.id, now, run.id, asset_id),
                )
        return len(rows)

    def _set_state(self, run_id: int, state: str, now: float) -> None:
        with self.queue.db.write() as db:
            db.execute(
                "UPDATE backfills SET state = ?, finished_at = ? WHERE id = ?",
                (state, now, run_id),
            )


def _active(run: BackfillRun) -> int:
    return run.queued + run.running
