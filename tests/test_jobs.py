"""The job queue (real SQLite in a data home) and the worker (real ingests of generated videos)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel
from runtimes import isolated_runtime, isolated_settings

from reelsearch.core.errors import JobError, UnknownJobError
from reelsearch.core.executor import Executor
from reelsearch.core.executor.base import Batch, BatchOutcome, run_batch
from reelsearch.core.host import LocalPlugin
from reelsearch.core.jobs import (
    Job,
    JobKind,
    JobPayload,
    JobQueue,
    JobsDatabase,
    JobState,
    Priority,
    Worker,
)
from reelsearch.core.jobs.database import SCHEMA_VERSION
from reelsearch.core.models import asset_id_for, point_id
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import CollectionSpec, Point, VectorSpec
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    Capability,
    Hit,
    SearchContext,
    Searcher,
    SearchRequest,
    Sink,
    hookimpl,
)

MakeVideo = Callable[..., Path]
SEGMENTS = [("red", 12), ("blue", 12), ("green", 12)]


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    jobs = JobQueue.in_home(tmp_path / "home")
    yield jobs
    jobs.close()


def ingest(*paths: str, **fields: object) -> JobPayload:
    return JobPayload(paths=list(paths), **fields)  # type: ignore[arg-type]


def test_the_queue_is_a_wal_sqlite_file_in_the_home(queue: JobQueue, tmp_path: Path) -> None:
    queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    path = tmp_path / "home" / "jobs.sqlite"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1


def test_a_job_goes_from_queued_to_running_to_done(queue: JobQueue) -> None:
    job = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4", title="Alpha"), source="watch")
    assert (job.state, job.attempts, job.source) == (JobState.QUEUED, 0, "watch")
    assert job.payload.title == "Alpha"
    assert job.priority == Priority.NEW_MEDIA
    claimed = queue.claim_next()
    assert claimed is not None
    assert claimed.id == job.id
    assert (claimed.state, claimed.attempts) == (JobState.RUNNING, 1)
    assert claimed.started_at is not None
    assert claimed.started_at >= job.created_at
    assert queue.claim_next() is None
    queue.progress(job.id, "shots", 5, 10)
    queue.progress(job.id, "shots", 10, 10, finished=True)
    queue.progress(job.id, "dialogue", 1, None)
    running = queue.get(job.id)
    assert running.progress["shots"].model_dump() == {
        "step": 1,
        "done": 10,
        "total": 10,
        "finished": True,
    }
    assert (running.progress["dialogue"].step, running.progress["dialogue"].total) == (2, None)
    done = queue.finish(job.id)
    assert done.state is JobState.DONE
    assert done.finished_at is not None
    with pytest.raises(JobError, match="is done, not running"):
        queue.finish(job.id)


def test_new_media_runs_before_refresh_before_backfill_oldest_first(queue: JobQueue) -> None:
    backfill = queue.enqueue(JobKind.BACKFILL, JobPayload(asset_ids=["ab12cd34"]))
    refresh = queue.enqueue(JobKind.REINGEST_ALGOS, ingest("/m/a.mp4"))
    first = queue.enqueue(JobKind.INGEST, ingest("/m/b.mp4"))
    second = queue.enqueue(JobKind.INGEST, ingest("/m/c.mp4"))
    order = []
    while (job := queue.claim_next()) is not None:
        order.append(job.id)
    assert order == [first.id, second.id, refresh.id, backfill.id]


def test_an_identical_queued_job_is_not_queued_twice(queue: JobQueue) -> None:
    one = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4", title="A"))
    again = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4", title="A"))
    other = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4", title="B"))
    assert again.id == one.id
    assert other.id != one.id
    queue.claim_next()  # once it runs, the same request queues a new job
    assert queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4", title="A")).id not in (one.id,)
    assert queue.counts().model_dump() == {
        "queued": 2,
        "running": 1,
        "done": 0,
        "failed": 0,
        "cancelled": 0,
    }


def test_a_passing_failure_is_retried_until_attempts_run_out(tmp_path: Path) -> None:
    queue = JobQueue.in_home(tmp_path, max_attempts=2)
    job = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    queue.claim_next()
    retried = queue.fail(job.id, "store\n  unreachable", retry=True)
    assert (retried.state, retried.error) == (JobState.QUEUED, "store unreachable")
    assert queue.claim_next() is not None
    final = queue.fail(job.id, OSError("store unreachable"), retry=True)
    assert (final.state, final.attempts, final.error) == (JobState.FAILED, 2, "store unreachable")


def test_errors_are_kept_as_one_bounded_line(queue: JobQueue) -> None:
    job = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    queue.claim_next()
    failed = queue.fail(job.id, "bad\nvideo " + "x" * 5000)
    assert failed.error is not None
    assert "\n" not in failed.error
    assert failed.error.startswith("bad video x")
    assert len(failed.error) <= 1000


def test_cancel_a_queued_job_at_once_and_a_running_one_by_request(queue: JobQueue) -> None:
    running = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    queued = queue.enqueue(JobKind.INGEST, ingest("/m/b.mp4"))
    queue.claim_next()
    assert queue.cancel(queued.id).state is JobState.CANCELLED
    asked = queue.cancel(running.id)
    assert asked.state is JobState.RUNNING
    assert asked.cancel_requested
    assert queue.cancel_requested(running.id)
    assert queue.cancelled(running.id).state is JobState.CANCELLED
    assert queue.cancel(running.id).state is JobState.CANCELLED  # finished: unchanged
    with pytest.raises(UnknownJobError, match="there is no job 999"):
        queue.cancel(999)


def test_listing_pages_newest_first_and_filters_by_state(queue: JobQueue) -> None:
    ids = [queue.enqueue(JobKind.INGEST, ingest(f"/m/{n}.mp4")).id for n in range(5)]
    queue.claim_next()
    page = queue.list(limit=2, offset=1)
    assert [j.id for j in page.jobs] == [ids[3], ids[2]]
    assert page.total == 5
    running = queue.list(state="running")
    assert [j.id for j in running.jobs] == [ids[0]]
    assert running.total == 1
    assert queue.list(kind=JobKind.BACKFILL).total == 0
    assert queue.list(limit=10_000).limit == 500
    with pytest.raises(JobError, match="limit must be at least 1"):
        queue.list(limit=0)
    with pytest.raises(ValueError, match="not a valid JobState"):
        queue.list(state="sleeping")


def test_jobs_survive_closing_and_reopening(tmp_path: Path) -> None:
    first = JobQueue.in_home(tmp_path)
    job = first.enqueue(JobKind.INGEST, ingest("/m/a.mp4", metadata={"season": 2}))
    first.close()
    again = JobQueue.in_home(tmp_path)
    assert again.get(job.id) == job


def test_a_database_from_a_newer_reelsearch_is_refused(tmp_path: Path) -> None:
    JobsDatabase.in_home(tmp_path).close()
    with sqlite3.connect(tmp_path / "jobs.sqlite") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(JobError, match="newer than this reelsearch knows"):
        JobsDatabase.in_home(tmp_path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "jobs.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(JobError, match="is not a usable jobs database"):
        JobsDatabase.in_home(tmp_path)


CLAIM_AND_HANG = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from reelsearch.core.jobs import JobQueue
    queue = JobQueue.in_home(Path(sys.argv[1]))
    job = queue.claim_next()
    queue.progress(job.id, "shots", 3, 10)
    print(job.id, flush=True)
    time.sleep(600)
    """
)


def test_a_job_left_running_by_a_killed_process_is_requeued(tmp_path: Path) -> None:
    queue = JobQueue.in_home(tmp_path)
    job = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    with subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_HANG, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as worker:
        try:
            assert worker.stdout is not None
            assert int(worker.stdout.readline()) == job.id
            assert queue.get(job.id).state is JobState.RUNNING
            assert queue.requeue_abandoned() == []  # its worker is alive
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
    assert queue.requeue_abandoned() == [job.id]
    requeued = queue.get(job.id)
    assert (requeued.state, requeued.attempts) == (JobState.QUEUED, 1)
    claimed = queue.claim_next()
    assert claimed is not None
    assert claimed.attempts == 2
    assert claimed.progress == {}


def test_a_job_interrupted_on_every_attempt_fails_saying_so(tmp_path: Path) -> None:
    queue = JobQueue.in_home(tmp_path, max_attempts=1)
    job = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    queue.claim_next()
    with queue.db.write() as db:  # as a process that died would have left it
        db.execute("UPDATE jobs SET owner = 'elsewhere:1' WHERE id = ?", (job.id,))
    assert queue.requeue_abandoned() == []
    failed = queue.get(job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "interrupted 1 times (its worker stopped)"


def test_a_silent_worker_is_taken_for_gone_after_stale_after(queue: JobQueue) -> None:
    job = queue.enqueue(JobKind.INGEST, ingest("/m/a.mp4"))
    queue.claim_next()
    assert queue.requeue_abandoned(stale_after=60) == []
    with queue.db.write() as db:
        db.execute("UPDATE jobs SET heartbeat_at = ? WHERE id = ?", (time.time() - 120, job.id))
    assert queue.requeue_abandoned(stale_after=60) == [job.id]


# The worker, on real ingests.


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    with isolated_runtime(tmp_path / "home", algos=["shots"]) as rs:
        yield rs


def test_the_worker_ingests_a_video_and_records_progress(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo
) -> None:
    video = make_video("colours.mp4", SEGMENTS, size=(64, 48))
    worker = Worker(runtime, queue)
    job = worker.submit(JobKind.INGEST, ingest(str(video), title="Colours", metadata={"s": 1}))
    ended = worker.run_next()
    assert ended is not None
    assert ended.id == job.id
    assert ended.state is JobState.DONE, ended.error
    assert ended.progress["shots"].finished
    assert ended.progress["shots"].step == 1
    asset = runtime.catalog.get(asset_id_for(str(video.resolve())))
    assert asset is not None
    assert (asset.title, asset.metadata) == ("Colours", {"s": 1})


def test_a_corrupt_file_fails_its_job_alone_with_the_media_error(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo, tmp_path: Path
) -> None:
    good = make_video("good.mp4", SEGMENTS, size=(64, 48))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(good.read_bytes()[:300])
    worker = Worker(runtime, queue)
    failing = worker.submit(JobKind.INGEST, ingest(str(bad)))
    passing = worker.submit(JobKind.INGEST, ingest(str(good)))
    ended = {job.id: job for job in worker.run_until_idle()}
    assert ended[passing.id].state is JobState.DONE
    failed = ended[failing.id]
    assert failed.state is JobState.FAILED
    assert failed.attempts == 1
    assert failed.error is not None
    assert "bad.mp4" in failed.error
    assert "\n" not in failed.error
    assert [a.title for a in runtime.catalog.assets()] == ["good"]


def test_a_remove_job_forgets_the_file(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo
) -> None:
    video = make_video("gone.mp4", SEGMENTS, size=(64, 48))
    runtime.ingest([video])
    worker = Worker(runtime, queue)
    worker.submit(JobKind.REMOVE, ingest(str(video)))
    assert [j.state for j in worker.run_until_idle()] == [JobState.DONE]
    assert runtime.catalog.assets() == []


def test_cancelling_a_running_job_stops_it_between_two_algo_steps(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo
) -> None:
    video = make_video("long.mp4", SEGMENTS, size=(64, 48))
    job = queue.enqueue(JobKind.INGEST, ingest(str(video)))
    claimed = queue.claim_next()
    assert claimed is not None
    queue.cancel(job.id)
    ended = Worker(runtime, queue).run(claimed)
    assert ended.state is JobState.CANCELLED
    assert runtime.catalog.assets() == []


def test_a_stopping_worker_puts_its_job_back_between_two_steps(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo
) -> None:
    video = make_video("v.mp4", SEGMENTS, size=(64, 48))
    worker = Worker(runtime, queue)
    worker.start()
    worker.stop()
    job = queue.enqueue(JobKind.INGEST, ingest(str(video)))
    claimed = queue.claim_next()
    assert claimed is not None
    requeued = worker.run(claimed, stoppable=True)
    assert (requeued.id, requeued.state, requeued.attempts) == (job.id, JobState.QUEUED, 0)
    assert runtime.catalog.assets() == []
    assert [j.state for j in worker.run_until_idle()] == [JobState.DONE]


def test_worker_threads_run_queued_jobs_and_requeue_abandoned_ones(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo
) -> None:
    videos = [make_video(f"v{n}.mp4", SEGMENTS, size=(64, 48)) for n in range(3)]
    left = queue.enqueue(JobKind.INGEST, ingest(str(videos[0])))
    queue.claim_next()
    with queue.db.write() as db:
        db.execute("UPDATE jobs SET owner = 'elsewhere:1' WHERE id = ?", (left.id,))
    worker = Worker(runtime, queue, concurrency=2, poll_seconds=0.05)
    ended: list[Job] = []
    all_done = threading.Event()

    def finished(job: Job) -> None:
        ended.append(job)
        if len(ended) == 3:
            all_done.set()

    worker.on_finished.append(finished)
    assert worker.start() == [left.id]
    try:
        for video in videos[1:]:
            worker.submit(JobKind.INGEST, ingest(str(video)))
        assert all_done.wait(120)
    finally:
        worker.stop()
    assert sorted(j.state for j in ended) == [JobState.DONE] * 3
    assert sorted(a.title for a in runtime.catalog.assets()) == ["v0", "v1", "v2"]


# A file being ingested is never visible to search.


class Mark(BaseModel):
    index: int


class GateSink(Sink[Mark]):
    """Writes one point per record, then holds the ingest of a file named in ``hold`` until
    ``release`` is set."""

    written = threading.Event()
    release = threading.Event()
    hold: ClassVar[set[str]] = {"two", "held"}

    def collection(self) -> CollectionSpec:
        return CollectionSpec(name="marks", vectors={"v": VectorSpec(size=2)})

    def points(self, asset: Asset, records: Sequence[Mark]) -> Iterable[Point]:
        for record in records:
            yield Point(
                id=point_id(asset.id, "marks", "1", record.index),
                vectors={"v": [1.0, 0.0]},
                payload={
                    "asset_id": asset.id,
                    "title": asset.title,
                    "metadata": asset.metadata,
                    "start": 0.0,
                    "end": 1.0,
                },
            )

    def on_write_complete(self, asset: Asset, written: int) -> None:
        if asset.title in GateSink.hold:
            GateSink.written.set()
            assert GateSink.release.wait(60)


class Marks(Algo[Mark]):
    name = "marks"
    version = "1"
    Record = Mark

    def run(self, ctx: AlgoContext) -> list[Mark]:
        return [Mark(index=0)]

    def sink(self) -> GateSink:
        return GateSink()


class MarksSearcher(Searcher):
    """Every point of the collection, as a hit."""

    name = "marks"
    algo = "marks"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FILTERS})

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        return [
            Hit(
                id=p.id,
                asset_id=p.payload["asset_id"],
                title=p.payload["title"],
                algo="marks",
                score=1.0,
                start=0.0,
                end=1.0,
            )
            for p in ctx.store.points(ctx.collection("marks"))
        ]


class MarksPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: Callable[[type[Algo[Any]]], None]) -> None:
        register(Marks)

    @staticmethod
    @hookimpl
    def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
        register(MarksSearcher)


def test_search_answers_while_a_job_runs_and_never_shows_a_half_ingested_file(
    tmp_path: Path, make_video: MakeVideo
) -> None:
    GateSink.written.clear()
    GateSink.release.clear()
    first, second = (make_video(f"{n}.mp4", SEGMENTS, size=(64, 48)) for n in ("one", "two"))
    plugins = [LocalPlugin("marks", MarksPlugin)]
    with isolated_runtime(tmp_path / "home", plugins, algos=["marks"]) as rs:
        GateSink.release.set()
        rs.ingest([first])
        GateSink.release.clear()
        GateSink.written.clear()
        queue = JobQueue.in_home(tmp_path / "home")
        worker = Worker(rs, queue, poll_seconds=0.05)
        worker.start()
        try:
            job = worker.submit(JobKind.INGEST, ingest(str(second)))
            assert GateSink.written.wait(60)  # its points are in the store, its entry is not
            assert len(list(rs.store.points("marks"))) == 2
            hits = rs.search(SearchRequest(text="anything")).hits
            assert [h.title for h in hits] == ["one"]
            assert queue.get(job.id).state is JobState.RUNNING
            GateSink.release.set()
            deadline = time.monotonic() + 60
            while queue.get(job.id).state is JobState.RUNNING and time.monotonic() < deadline:
                time.sleep(0.05)
            assert queue.get(job.id).state is JobState.DONE
        finally:
            GateSink.release.set()
            worker.stop()
            queue.close()
        assert sorted(h.title for h in rs.search(SearchRequest(text="anything")).hits) == [
            "one",
            "two",
        ]


class ElsewhereExecutor(Executor):
    """Runs tasks in this process, but is not a LocalExecutor: the pipeline treats it as it
    treats Ray (no progress callback reaches the tasks)."""

    def _run_batches(
        self, fn: Callable[[Any], Any], batches: list[Batch[Any]], resources: Any, actors: int
    ) -> Iterator[BatchOutcome[Any]]:
        for batch in batches:
            yield run_batch(fn, batch.items, batch.start)

    def _start(self, fn: Callable[[Any], Any], batch: Batch[Any], resources: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(run_batch(fn, batch.items, batch.start))
        return future


def test_on_another_executor_jobs_still_record_steps_and_stop_when_cancelled(
    tmp_path: Path, make_video: MakeVideo
) -> None:
    video = make_video("v.mp4", SEGMENTS, size=(64, 48))
    settings = isolated_settings(tmp_path / "home", algos=["shots"])
    with Runtime(settings, executor=ElsewhereExecutor()) as rs:
        queue = JobQueue.in_home(tmp_path / "home")
        try:
            worker = Worker(rs, queue)
            done = worker.submit(JobKind.INGEST, ingest(str(video)))
            assert [j.state for j in worker.run_until_idle()] == [JobState.DONE]
            assert queue.get(done.id).progress["shots"].finished
            other = make_video("other.mp4", SEGMENTS[::-1], size=(64, 48))
            cancelled = queue.enqueue(JobKind.INGEST, ingest(str(other)))
            claimed = queue.claim_next()
            assert claimed is not None
            queue.cancel(cancelled.id)
            assert worker.run(claimed).state is JobState.CANCELLED
            assert [a.title for a in rs.catalog.assets()] == ["v"]
        finally:
            queue.close()


def test_a_re_run_keeps_the_title_and_metadata_of_the_entry(
    runtime: Runtime, queue: JobQueue, make_video: MakeVideo
) -> None:
    video = make_video("ep1.mp4", SEGMENTS, size=(64, 48))
    runtime.ingest([video], title="My Show", metadata={"season": 2})
    worker = Worker(runtime, queue)
    worker.submit(JobKind.REINGEST_ALGOS, ingest(str(video)))
    worker.submit(JobKind.INGEST, ingest(str(video)))
    assert [j.state for j in worker.run_until_idle()] == [JobState.DONE] * 2
    [asset] = runtime.catalog.assets()
    assert (asset.title, asset.metadata) == ("My Show", {"season": 2})
    worker.submit(JobKind.INGEST, ingest(str(video), title="Renamed"))
    worker.run_until_idle()
    assert [a.title for a in runtime.catalog.assets()] == ["Renamed"]


SERVE_JOBS = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pydantic import BaseModel
    from reelsearch.core.config import load_settings
    from reelsearch.core.executor import LocalExecutor
    from reelsearch.core.host import LocalPlugin
    from reelsearch.core.jobs import JobQueue, Worker
    from reelsearch.core.runtime import Runtime
    from reelsearch.sdk import Algo, hookimpl

    class Beat(BaseModel):
        n: int

    class Slow(Algo[Beat]):
        name = "slow"
        version = "1"
        Record = Beat

        def run(self, ctx):
            print("RUNNING", flush=True)
            time.sleep(float(sys.argv[2]))
            return [Beat(n=1)]

    class SlowPlugin:
        @staticmethod
        @hookimpl
        def register_algos(register):
            register(Slow)

    home = Path(sys.argv[1])
    settings = load_settings(home=home, algos=["shots", "slow"])
    plugins = [LocalPlugin("slow", SlowPlugin)]
    with Runtime(settings, plugins=plugins, executor=LocalExecutor()) as rs:
        queue = JobQueue.in_home(home)
        worker = Worker(rs, queue, poll_seconds=0.05)
        print("REQUEUED", worker.start(), flush=True)
        while queue.unfinished():
            time.sleep(0.05)
        worker.stop()
    """
)


def serve_jobs(home: Path, sleep: float) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSEARCH_")}
    return subprocess.Popen(
        [sys.executable, "-c", SERVE_JOBS, str(home), str(sleep)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def catalog_state(home: Path) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    with isolated_runtime(home) as rs:
        assets = [a.model_dump() for a in rs.catalog.assets()]
        shots = sorted((p.id, p.payload) for p in rs.store.points("shots"))
    return assets, shots


def test_a_worker_killed_mid_job_finishes_it_after_a_restart_as_a_clean_run_would(
    tmp_path: Path, make_video: MakeVideo
) -> None:
    video = make_video("v.mp4", SEGMENTS, size=(64, 48))
    home, clean = tmp_path / "home", tmp_path / "clean"
    for where in (home, clean):
        with JobQueue.in_home(where) as jobs:
            job = jobs.enqueue(JobKind.INGEST, ingest(str(video), title="Killed"))
    with serve_jobs(home, sleep=600) as first:
        try:
            assert first.stdout is not None
            assert first.stdout.readline().startswith("REQUEUED []")
            assert first.stdout.readline().strip() == "RUNNING"
        finally:
            first.kill()  # SIGKILL, in the middle of the job
            first.wait()
    with JobQueue.in_home(home) as jobs:
        assert jobs.get(job.id).state is JobState.RUNNING
    for where in (home, clean):
        with serve_jobs(where, sleep=0) as again:
            out, _ = again.communicate(timeout=300)
        assert again.returncode == 0
        assert out.startswith(f"REQUEUED [{job.id}]" if where == home else "REQUEUED []")
    with JobQueue.in_home(home) as jobs:
        finished = jobs.get(job.id)
    assert (finished.state, finished.attempts) == (JobState.DONE, 2)
    assets, shots = catalog_state(home)
    assert [a["title"] for a in assets] == ["Killed"]
    assert (assets, shots) == catalog_state(clean)


def test_two_jobs_on_one_file_run_one_after_the_other(
    tmp_path: Path, make_video: MakeVideo
) -> None:
    GateSink.written.clear()
    GateSink.release.clear()
    held, other = (make_video(f"{n}.mp4", SEGMENTS, size=(64, 48)) for n in ("held", "other"))
    plugins = [LocalPlugin("marks", MarksPlugin)]
    with (
        isolated_runtime(tmp_path / "home", plugins, algos=["marks"]) as rs,
        JobQueue.in_home(tmp_path / "home") as queue,
    ):
        worker = Worker(rs, queue, concurrency=2, poll_seconds=0.05)
        first = queue.enqueue(JobKind.INGEST, ingest(str(held)))
        second = queue.enqueue(JobKind.REINGEST_ALGOS, ingest(str(held)))
        third = queue.enqueue(JobKind.INGEST, ingest(str(other)))
        worker.start()
        try:
            assert GateSink.written.wait(60)  # the first job holds its file in the sink
            deadline = time.monotonic() + 60
            while queue.get(third.id).state is not JobState.DONE:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            # the other file went through meanwhile; the same file's second job waits
            assert queue.get(first.id).state is JobState.RUNNING
            assert queue.get(second.id).state is JobState.RUNNING
            assert queue.get(second.id).progress == {}
            GateSink.release.set()
            while queue.counts().done < 3:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            GateSink.release.set()
            worker.stop()


def test_prune_deletes_only_jobs_finished_long_enough_ago(queue: JobQueue) -> None:
    old, recent, waiting = (
        queue.enqueue(JobKind.INGEST, ingest(f"/m/{n}.mp4")) for n in ("old", "recent", "wait")
    )
    for job in (old, recent):
        queue.claim_next()
        queue.finish(job.id)
    with queue.db.write() as db:
        db.execute("UPDATE jobs SET finished_at = ? WHERE id = ?", (time.time() - 7200, old.id))
    assert queue.prune(older_than=3600) == 1
    assert [j.id for j in queue.list().jobs] == [waiting.id, recent.id]
    with pytest.raises(UnknownJobError):
        queue.get(old.id)
