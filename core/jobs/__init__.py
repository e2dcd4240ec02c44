"""Jobs of a data home: a durable queue, the worker that runs it, watch folders and backfill.

The process that owns the data home (the server) runs them::

    with Runtime(settings) as rs:
        queue = JobQueue.in_home(settings.home)
        worker = Worker(rs, queue)
        worker.start()                        # requeues jobs a crash left running
        watcher = FolderWatcher(rs, worker)   # needs the watchfiles package
        watcher.start()                       # catches up, then follows the folders
        backfill = Backfill(rs, queue)
        backfill.start()                      # queues assets lacking an algo's output

:mod:`reelsearch.core.jobs.watch` imports ``watchfiles`` (the ``server`` extra) and is not
imported here.
"""

from __future__ import annotations

from reelsearch.core.jobs.backfill import Backfill, BackfillRun, PlanItem
from reelsearch.core.jobs.database import JobsDatabase
from reelsearch.core.jobs.models import (
    AlgoProgress,
    Job,
    JobKind,
    JobPage,
    JobPayload,
    JobState,
    Priority,
    QueueCounts,
)
from reelsearch.core.jobs.queue import JobQueue
from reelsearch.core.jobs.worker import Worker

__all__ = [
    "AlgoProgress",
    "Backfill",
    "BackfillRun",
    "Job",
    "JobKind",
    "JobPage",
    "JobPayload",
    "JobQueue",
    "JobState",
    "JobsDatabase",
    "PlanItem",
    "Priority",
    "QueueCounts",
    "Worker",
]
