"""Optional inputs (``Algo.uses``): an algo's used algos are part of every run of it wherever
they can be, so its output and memoisation key do not depend on how it was asked for (a named
target, a dependency, a backfill job); where a used algo cannot run, it runs without it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel
from runtimes import isolated_runtime

from reelsearch.core.errors import ModelUnavailableError
from reelsearch.core.host import LocalPlugin
from reelsearch.core.jobs import Backfill, JobKind, JobPayload, JobQueue, Worker
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Algo, AlgoContext, hookimpl

MakeVideo = Callable[..., Path]
RUNS: Counter[str] = Counter()


class Tag(BaseModel):
    source: str


class Vectors(Algo[Tag]):
    """Stands for ``shot_embeddings``: optional, and its "model" may be unavailable."""

    name = "toy_vectors"
    version = "1"
    Record = Tag
    unavailable: ClassVar[bool] = False

    def run(self, ctx: AlgoContext) -> list[Tag]:
        if self.unavailable:
            raise ModelUnavailableError("weights for 'toy_vectors' are not on this machine")
        RUNS[self.name] += 1
        return [Tag(source="vectors")]


class Groups(Algo[Tag]):
    """Stands for ``near_duplicates``: says which input it compared."""

    name = "toy_groups"
    version = "1"
    uses = frozenset({"toy_vectors", "toy_unregistered"})
    Record = Tag

    def run(self, ctx: AlgoContext) -> list[Tag]:
        RUNS[self.name] += 1
        assert not ctx.has("toy_unregistered")
        return [Tag(source="vectors" if ctx.has("toy_vectors") else "layouts")]


class OptionalPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: Callable[[type[Algo[Any, Any]]], None]) -> None:
        register(Vectors)
        register(Groups)


PLUGINS = [LocalPlugin("optional-inputs", OptionalPlugin)]
BOTH = ["toy_vectors", "toy_groups"]


@pytest.fixture(autouse=True)
def reset(monkeypatch: pytest.MonkeyPatch) -> None:
    RUNS.clear()
    monkeypatch.setattr(Vectors, "unavailable", False)


@pytest.fixture
def video(make_video: MakeVideo) -> Path:
    return make_video("toy.mp4", [("red", 12), ("blue", 12)], size=(64, 48))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def runtime(home: Path) -> Iterator[Runtime]:
    with isolated_runtime(home, PLUGINS, algos=BOTH) as rs:
        yield rs


def _groups(rs: Runtime, video: Path) -> list[dict[str, Any]] | None:
    """The memoised groups of ``video`` under the key every run of ``toy_groups`` uses."""
    order = rs.pipeline.order(["toy_groups"])
    return rs.features.get(rs.pipeline.keys(rs.asset(video), order)["toy_groups"])


def test_an_algo_alone_reuses_what_it_computed_with_its_optional_input(
    runtime: Runtime, video: Path
) -> None:
    (first,) = runtime.ingest([video], algos=BOTH).reports
    assert first.computed == ["toy_vectors", "toy_groups"]
    RUNS.clear()
    (alone,) = runtime.ingest([video], algos=["toy_groups"]).reports
    assert alone.computed == []
    assert alone.reused == ["toy_vectors", "toy_groups"]
    assert not RUNS
    assert _groups(runtime, video) == [{"source": "vectors"}]


def test_an_algo_alone_computes_its_optional_input_first(runtime: Runtime, video: Path) -> None:
    (report,) = runtime.ingest([video], algos=["toy_groups"]).reports
    assert report.computed == ["toy_vectors", "toy_groups"]
    assert _groups(runtime, video) == [{"source": "vectors"}]


def test_backfill_plans_and_runs_nothing_after_an_ingest_with_the_optional_input(
    home: Path, runtime: Runtime, video: Path
) -> None:
    runtime.ingest([video], algos=BOTH)
    queue = JobQueue.in_home(home)
    try:
        backfill = Backfill(runtime, queue)
        assert backfill.plan("toy_groups") == []
        assert backfill.plan() == []
        assert backfill.create("toy_groups").total == 0
        # What a backfill job of the algo alone runs agrees with the plan: nothing to do.
        RUNS.clear()
        payload = JobPayload(asset_ids=[runtime.asset(video).id], algos=["toy_groups"])
        queue.enqueue(JobKind.BACKFILL, payload, source="backfill")
        Worker(runtime, queue).run_until_idle()
        assert not RUNS
        assert _groups(runtime, video) == [{"source": "vectors"}]
    finally:
        queue.close()


def test_an_unavailable_optional_input_leaves_the_algo_running_without_it(
    runtime: Runtime, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Vectors, "unavailable", True)
    (report,) = runtime.ingest([video], algos=["toy_groups"]).reports
    assert report.computed == ["toy_groups"]
    assert "not on this machine" in report.skipped["toy_vectors"]
    assert "toy_groups" not in report.skipped
    asset = runtime.asset(video)
    order = runtime.pipeline.order(["toy_groups"])
    absent = runtime.pipeline.keys(asset, order, absent=["toy_vectors"])["toy_groups"]
    assert runtime.features.get(absent) == [{"source": "layouts"}]
    assert _groups(runtime, video) is None  # the key with the input present holds nothing
    RUNS.clear()
    (again,) = runtime.ingest([video], algos=["toy_groups"]).reports
    assert again.reused == ["toy_groups"]  # memoised under the key saying it ran without
    assert not RUNS

    monkeypatch.setattr(Vectors, "unavailable", False)  # the model arrives: groups from it
    (later,) = runtime.ingest([video], algos=["toy_groups"]).reports
    assert later.computed == ["toy_vectors", "toy_groups"]
    assert _groups(runtime, video) == [{"source": "vectors"}]


def test_an_optional_input_left_out_of_the_configured_algos_is_not_used(
    home: Path, video: Path
) -> None:
    with isolated_runtime(home, PLUGINS, algos=["toy_groups"]) as rs:
        assert rs.pipeline.order(["toy_groups"]) == ["toy_groups"]
        (report,) = rs.ingest([video]).reports
        assert report.computed == ["toy_groups"]
        queue = JobQueue.in_home(home)
        try:
            assert Backfill(rs, queue).plan() == []
        finally:
            queue.close()
    assert dict(RUNS) == {"toy_groups": 1}
