"""The algo DAG: dependency order, memoisation, partial recomputation, sinks, bad input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict
from runtimes import numbered_point

from reelsearch.core.errors import (
    DependencyCycleError,
    MediaError,
    ModelUnavailableError,
    UnknownComponentError,
)
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    CollectionSpec,
    Point,
    PointFilter,
    Sink,
    VectorSpec,
    hookimpl,
)
from reelsearch.sdk.testing.fixtures import RegisterPlugin

RUNS: Counter[str] = Counter()


class Number(BaseModel):
    index: int
    value: int


class NumbersConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = 3


class Numbers(Algo[Number]):
    name = "numbers"
    version = "1"
    Record = Number
    Config = NumbersConfig

    def run(self, ctx: AlgoContext) -> list[Number]:
        RUNS[self.name] += 1
        assert isinstance(self.config, NumbersConfig)
        return [Number(index=i, value=i + 1) for i in range(self.config.count)]


class SquaresSink(Sink[Number]):
    def collection(self) -> CollectionSpec:
        return CollectionSpec(name="squares", vectors={"v": VectorSpec(size=2)})

    def points(self, asset: Asset, records: Sequence[Number]) -> Iterable[Point]:
        for r in records:
            vectors = {"v": [1.0, float(r.value)]}
            yield numbered_point(
                asset, "squares", r.index, version=Squares.version, vectors=vectors, value=r.value
            )


class Squares(Algo[Number]):
    name = "squares"
    version = "1"
    depends_on = ("numbers",)
    Record = Number
    fail: ClassVar[bool] = False

    def run(self, ctx: AlgoContext) -> list[Number]:
        RUNS[self.name] += 1
        if self.fail:
            raise RuntimeError("squares exploded")
        return [Number(index=n.index, value=n.value**2) for n in ctx.records("numbers", Number)]

    def sink(self) -> SquaresSink:
        return SquaresSink()


class Other(Algo[Number]):
    name = "other"
    version = "1"
    Record = Number

    def run(self, ctx: AlgoContext) -> list[Number]:
        RUNS[self.name] += 1
        return [Number(index=0, value=int(ctx.asset.media.frame_count if ctx.asset.media else 0))]


class ToyPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: object) -> None:
        for algo in (Numbers, Squares, Other):
            register(algo)  # type: ignore[operator]


TOY = ["numbers", "squares", "other"]


@pytest.fixture(autouse=True)
def reset_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    RUNS.clear()
    monkeypatch.setattr(Squares, "fail", False)


@pytest.fixture
def video(make_video: object) -> Path:
    return make_video("toy.mp4", [("red", 12), ("blue", 12)])  # type: ignore[operator,no-any-return]


def _ingest_and_close(register_plugin: RegisterPlugin, video: Path, title: str) -> None:
    """Ingest with one runtime and close it, so that another can open the same data home."""
    with register_plugin(ToyPlugin) as rs:
        rs.ingest([video], title=title, algos=TOY)


def _values(rs: Runtime, title: str | None = None) -> list[int]:
    points, _ = rs.store.scroll("squares", filter=PointFilter(titles=[title] if title else []))
    return sorted(p.payload["value"] for p in points)


def test_runs_dependencies_first_and_writes_the_sink(
    register_plugin: RegisterPlugin, video: Path
) -> None:
    rs = register_plugin(ToyPlugin)
    result = rs.ingest([video], title="Toy", algos=["squares", "other"])
    (report,) = result.reports
    assert report.computed == TOY
    assert report.written == {"squares": 3}
    assert _values(rs, "Toy") == [1, 4, 9]
    assert rs.catalog.titles() == {"Toy": 1}


def test_reingesting_the_same_bytes_does_no_work(
    register_plugin: RegisterPlugin, video: Path
) -> None:
    _ingest_and_close(register_plugin, video, "Toy")
    RUNS.clear()
    rs = register_plugin(ToyPlugin)  # a new runtime over the same data home
    (report,) = rs.ingest([video], title="Toy", algos=TOY).reports
    assert Counter() == RUNS
    assert report.computed == []
    assert report.reused == TOY
    assert report.written == {}


def test_new_config_recomputes_only_that_algo_and_dependents(
    register_plugin: RegisterPlugin, video: Path
) -> None:
    _ingest_and_close(register_plugin, video, "Toy")
    RUNS.clear()
    rs = register_plugin(ToyPlugin, components={"algos": {"numbers": {"count": 4}}})
    (report,) = rs.ingest([video], title="Toy", algos=TOY).reports
    assert report.computed == ["numbers", "squares"]
    assert report.reused == ["other"]
    assert _values(rs) == [1, 4, 9, 16]


def test_new_version_recomputes_only_that_algo(
    register_plugin: RegisterPlugin, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_and_close(register_plugin, video, "Toy")
    RUNS.clear()
    monkeypatch.setattr(Squares, "version", "2")
    rs = register_plugin(ToyPlugin)
    (report,) = rs.ingest([video], title="Toy", algos=TOY).reports
    assert report.computed == ["squares"]
    assert _values(rs) == [1, 4, 9]
    assert rs.store.count("squares") == 3, "the old version's points are replaced"


def test_renamed_title_recomputes_nothing_but_updates_the_store(
    register_plugin: RegisterPlugin, video: Path
) -> None:
    _ingest_and_close(register_plugin, video, "Old")
    RUNS.clear()
    rs = register_plugin(ToyPlugin)
    (report,) = rs.ingest([video], title="New", algos=TOY).reports
    assert Counter() == RUNS
    assert report.refreshed == ["squares"]
    assert _values(rs, "New") == [1, 4, 9]
    assert _values(rs, "Old") == []
    assert rs.catalog.titles() == {"New": 1}


def test_bad_file_stores_nothing_and_keeps_what_is_stored(
    register_plugin: RegisterPlugin, video: Path, tmp_path: Path
) -> None:
    rs = register_plugin(ToyPlugin)
    rs.ingest([video], title="Toy", algos=TOY)
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video")
    with pytest.raises(MediaError, match=r"notes\.mp4"):
        rs.ingest([bogus], title="Bogus", algos=TOY)
    result = rs.ingest([bogus, video], title="Toy", algos=TOY, strict=False)
    assert list(result.failures) == [str(bogus)]
    assert rs.catalog.titles() == {"Toy": 1}
    assert _values(rs) == [1, 4, 9]


def test_failing_algo_leaves_the_store_as_it_was(
    register_plugin: RegisterPlugin, video: Path, make_video: object
) -> None:
    rs = register_plugin(ToyPlugin)
    rs.ingest([video], title="Toy", algos=TOY)
    second = make_video("second.mp4", [("green", 10)])  # type: ignore[operator]
    Squares.fail = True
    with pytest.raises(Exception, match="squares exploded"):
        rs.ingest([second], title="Second", algos=TOY)
    assert _values(rs) == [1, 4, 9]
    assert rs.catalog.titles() == {"Toy": 1}


def test_unknown_algo_and_unknown_dependency_are_named(register_plugin: RegisterPlugin) -> None:
    rs = register_plugin(ToyPlugin)
    with pytest.raises(UnknownComponentError, match=r"unknown algo 'nope'; known algos: .*numbers"):
        rs.pipeline.run([], ["nope"])
    rs.close()  # one runtime at a time owns the data home
    orphan = type(
        "Orphan",
        (Numbers,),
        {"name": "orphan", "depends_on": ("missing",)},
    )

    class OrphanPlugin:
        @staticmethod
        @hookimpl
        def register_algos(register: object) -> None:
            register(orphan)  # type: ignore[operator]

    rs2 = register_plugin(OrphanPlugin, name="orphan")
    with pytest.raises(UnknownComponentError, match="a dependency of 'orphan'"):
        rs2.pipeline.run([], ["orphan"])


def test_an_unavailable_model_skips_that_algo_and_its_dependents(
    register_plugin: RegisterPlugin, video: Path
) -> None:
    class NeedsWeights(Numbers):
        name = "needs-weights"

        def run(self, ctx: AlgoContext) -> list[Number]:
            raise ModelUnavailableError("weights for 'needs-weights' are not on this machine")

    class UsesIt(Numbers):
        name = "uses-it"
        depends_on = ("needs-weights",)

    class WeightsPlugin:
        @staticmethod
        @hookimpl
        def register_algos(register: object) -> None:
            for algo in (Numbers, Squares, NeedsWeights, UsesIt):
                register(algo)  # type: ignore[operator]

    rs = register_plugin(WeightsPlugin)
    (report,) = rs.ingest([video], title="Toy", algos=["uses-it", "squares"]).reports
    assert report.computed == ["numbers", "squares"]
    assert report.skipped == {
        "needs-weights": "weights for 'needs-weights' are not on this machine",
        "uses-it": "needs 'needs-weights', which could not run",
    }
    assert _values(rs) == [1, 4, 9]


def test_a_bad_side_input_drops_only_its_asset_unless_strict(
    register_plugin: RegisterPlugin, video: Path, make_video: object
) -> None:
    class Picky(Numbers):
        name = "picky"

        def fingerprint(self, asset: Asset) -> str:
            if asset.title == "Broken":
                raise MediaError(f"{asset.uri}.srt:3: malformed timestamp")
            return ""

    class PickyPlugin:
        @staticmethod
        @hookimpl
        def register_algos(register: object) -> None:
            register(Picky)  # type: ignore[operator]

    rs = register_plugin(PickyPlugin)
    with pytest.raises(MediaError, match="malformed timestamp"):
        rs.ingest([video], title="Broken", algos=["picky"])
    assert rs.catalog.titles() == {}
    other = make_video("other.mp4", [("green", 10)])  # type: ignore[operator]
    result = rs.ingest([video], title="Broken", algos=["picky"], strict=False)
    assert [str(e) for e in result.failures.values()] == [
        f"{video.resolve()}.srt:3: malformed timestamp"
    ]
    assert result.reports == []
    result = rs.ingest([other], title="Fine", algos=["picky"], strict=False)
    assert [r.computed for r in result.reports] == [["picky"]]
    assert rs.catalog.titles() == {"Fine": 1}


def test_dependency_cycles_are_refused(register_plugin: RegisterPlugin) -> None:
    algo_a = type("A", (Numbers,), {"name": "a", "depends_on": ("b",)})
    algo_b = type("B", (Numbers,), {"name": "b", "depends_on": ("a",)})

    class CyclePlugin:
        @staticmethod
        @hookimpl
        def register_algos(register: object) -> None:
            register(algo_a)  # type: ignore[operator]
            register(algo_b)  # type: ignore[operator]

    rs = register_plugin(CyclePlugin)
    with pytest.raises(DependencyCycleError, match="a -> b -> a"):
        rs.pipeline.run([], ["a"])
