"""Backfill: assets lacking an algo's current output, planned without running a model, queued
at a pace, below new media, resumable after a restart; real ingests of generated videos."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ConfigDict
from runtimes import isolated_runtime

from reelsearch.core.errors import UnknownComponentError, UnknownJobError
from reelsearch.core.host import LocalPlugin
from reelsearch.core.jobs import Backfill, JobKind, JobPayload, JobQueue, JobState, Worker
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Algo, AlgoContext, hookimpl

MakeVideo = Callable[..., Path]


class Count(BaseModel):
    frames: int


class TallyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: int = 1


class Tally(Algo[Count, TallyConfig]):
    """Counts frames; records when it warms up (loads its "model") and runs."""

    name = "tally"
    version = "1"
    Record = Count
    Config = TallyConfig
    warm_ups: ClassVar[int] = 0
    runs: ClassVar[int] = 0

    def warm_up(self) -> None:
        type(self).warm_ups += 1

    def run(self, ctx: AlgoContext) -> list[Count]:
        type(self).runs += 1
        frames = ctx.asset.media.frame_count if ctx.asset.media else 0
        return [Count(frames=frames // self.config.step)]


class TallyPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: Callable[[type[Algo[Any, Any]]], None]) -> None:
        register(Tally)


PLUGINS = [LocalPlugin("tally", TallyPlugin)]


@pytest.fixture
def catalog(tmp_path: Path, make_video: MakeVideo) -> list[Path]:
    """Three videos ingested with the shots algo only."""
    videos = [
        make_video(f"clip{n}.mp4", [("red", 8 + n), ("blue", 8)], size=(64, 48)) for n in range(3)
    ]
    with isolated_runtime(tmp_path / "home", PLUGINS, algos=["shots"]) as rs:
        rs.ingest(videos)
    return videos


@pytest.fixture
def opened(tmp_path: Path, catalog: list[Path]) -> Iterator[tuple[Runtime, JobQueue, Backfill]]:
    """The catalog reopened with ``tally`` among the default algos, its queue and backfill."""
    Tally.warm_ups = Tally.runs = 0
    with isolated_runtime(tmp_path / "home", PLUGINS, algos=["shots", "tally"]) as rs:
        queue = JobQueue.in_home(tmp_path / "home")
        yield rs, queue, Backfill(rs, queue)
        queue.close()


def test_plan_lists_what_lacks_the_current_output_without_running_a_model(
    opened: tuple[Runtime, JobQueue, Backfill],
) -> None:
    _, _, backfill = opened
    plan = backfill.plan("tally")
    assert sorted(item.title for item in plan) == ["clip0", "clip1", "clip2"]
    assert {tuple(item.missing) for item in plan} == {("tally",)}
    assert all(item.error is None for item in plan)
    assert backfill.plan("shots") == []
    assert {tuple(item.missing) for item in backfill.plan()} == {("tally",)}
    assert (Tally.warm_ups, Tally.runs) == (0, 0)
    with pytest.raises(UnknownComponentError, match="unknown algo 'nope'"):
        backfill.plan("nope")


def test_a_new_config_makes_every_asset_lack_the_algo_again(
    tmp_path: Path, opened: tuple[Runtime, JobQueue, Backfill]
) -> None:
    rs, queue, backfill = opened
    backfill.create("tally", per_minute=600, max_concurrent=3)
    backfill.tick()
    Worker(rs, queue).run_until_idle()
    assert backfill.plan("tally") == []
    rs.close()
    changed = {"algos": {"tally": {"step": 2}}}
    with isolated_runtime(tmp_path / "home", PLUGINS, components=changed) as again:
        assert len(Backfill(again, queue).plan("tally")) == 3


def test_jobs_are_queued_at_the_pace_and_below_new_media(
    opened: tuple[Runtime, JobQueue, Backfill], make_video: MakeVideo
) -> None:
    rs, queue, backfill = opened
    run = backfill.create("tally", per_minute=2, max_concurrent=1)
    assert (run.total, run.pending, run.state) == (3, 3, "running")
    assert backfill.create("tally").id == run.id  # one run per algos at a time
    assert backfill.tick(now=1000.0) == 1
    assert backfill.tick(now=1001.0) == 0  # max_concurrent: one queued already
    fresh = make_video("fresh.mp4", [("green", 10)], size=(64, 48))
    new = queue.enqueue(JobKind.INGEST, JobPayload(paths=[str(fresh)]))
    worker = Worker(rs, queue)
    ended = worker.run_until_idle()
    assert ended[0].id == new.id  # new media first
    assert [j.kind for j in ended] == [JobKind.INGEST, JobKind.BACKFILL]
    assert list(ended[1].progress) == ["tally"]  # only what was missing was computed
    assert backfill.tick(now=1002.0) == 1  # two a minute
    worker.run_until_idle()
    assert backfill.tick(now=1003.0) == 0  # the minute's two are spent
    assert backfill.tick(now=1061.0) == 1
    worker.run_until_idle()
    assert backfill.tick(now=1062.0) == 0
    done = backfill.get(run.id)
    assert (done.state, done.done, done.pending, done.total) == ("done", 3, 0, 3)
    assert Tally.runs == 4  # three backfilled and the fresh video


def test_a_backfill_goes_on_after_a_restart(
    tmp_path: Path, opened: tuple[Runtime, JobQueue, Backfill]
) -> None:
    rs, queue, backfill = opened
    run = backfill.create("tally", per_minute=600, max_concurrent=1)
    backfill.tick()
    claimed = queue.claim_next()  # the process dies while its first job runs
    assert claimed is not None
    with queue.db.write() as db:
        db.execute("UPDATE jobs SET owner = 'gone:1' WHERE id = ?", (claimed.id,))
    queue.close()
    reopened = JobQueue.in_home(tmp_path / "home")
    try:
        again = Backfill(rs, reopened)
        assert again.runs(state="running")[0].id == run.id
        worker = Worker(rs, reopened)
        assert worker.start() == [claimed.id]
        worker.stop()
        for _ in range(3):
            worker.run_until_idle()
            again.tick()
        final = again.get(run.id)
        assert (final.state, final.done, final.failed) == ("done", 3, 0)
        assert again.plan("tally") == []
    finally:
        reopened.close()


def test_a_cancelled_backfill_queues_nothing_more(
    opened: tuple[Runtime, JobQueue, Backfill],
) -> None:
    _, queue, backfill = opened
    run = backfill.create("tally", per_minute=600, max_concurrent=2)
    backfill.tick()
    cancelled = backfill.cancel(run.id)
    assert (cancelled.state, cancelled.cancelled, cancelled.pending) == ("cancelled", 2, 1)
    assert backfill.tick() == 0
    assert queue.counts().queued == 0
    with pytest.raises(UnknownJobError, match="there is no backfill 99"):
        backfill.get(99)


def test_a_backfill_of_a_file_gone_since_fails_alone(
    opened: tuple[Runtime, JobQueue, Backfill], catalog: list[Path]
) -> None:
    rs, queue, backfill = opened
    catalog[0].unlink()
    run = backfill.create("tally", per_minute=600, max_concurrent=3)
    backfill.tick()
    ended = Worker(rs, queue).run_until_idle()
    states = sorted(j.state for j in ended)
    assert states == [JobState.DONE, JobState.DONE, JobState.FAILED]
    failed = next(j for j in ended if j.state is JobState.FAILED)
    assert failed.error is not None
    assert "clip0.mp4" in failed.error
    backfill.tick()
    assert backfill.get(run.id).model_dump(include={"state", "done", "failed"}) == {
        "state": "done",
        "done": 2,
        "failed": 1,
    }
