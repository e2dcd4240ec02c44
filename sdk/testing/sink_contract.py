"""Contract tests every algo's sink should pass.

Subclass :class:`SinkContract` with the same ``algo_name`` and fixtures as
:class:`~reelsearch.sdk.testing.AlgoContract` (``algo_runtime``, ``algo_video``); a test
class may subclass both::

    class TestMyAlgo(AlgoContract, SinkContract):
        algo_name = "mine"
        ...

An algo without a sink, or whose model cannot load here, is skipped with the reason.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Algo, Asset, CollectionSpec, Point, PointFilter, Sink
from reelsearch.sdk.testing.algo_contract import METADATA, TITLE, AlgoFixtures


class SinkContract(AlgoFixtures):
    """Behaviour every :class:`Sink` must show, on its own and written by the runtime."""

    @pytest.fixture
    def sink(self, algo: Algo[Any, Any]) -> Sink[Any]:
        sink = algo.sink()
        if sink is None:
            pytest.skip(f"algo {algo.name!r} has no sink: its records stay in the feature store")
        return sink

    @pytest.fixture
    def points(self, sink: Sink[Any], asset: Asset, records: list[BaseModel]) -> list[Point]:
        return list(sink.points(asset, records))

    @pytest.fixture
    def written(
        self, algo_runtime: Runtime, algo_video: Path, asset: Asset, sink: Sink[Any]
    ) -> int:
        """How many points the runtime holds for ``algo_video`` once it is ingested (as
        ``TITLE``)."""
        result = algo_runtime.ingest(
            [algo_video], title=TITLE, metadata=METADATA, algos=[self.algo_name]
        )
        (report,) = result.reports
        if self.algo_name in report.skipped:
            pytest.skip(
                f"algo {self.algo_name!r} cannot run here: {report.skipped[self.algo_name]}"
            )
        mine = PointFilter(asset_ids=[asset.id])
        stored = algo_runtime.store.count(sink.collection().name, filter=mine)
        assert report.written.get(self.algo_name, stored) == stored
        return stored

    def test_declares_one_collection(self, sink: Sink[Any]) -> None:
        spec = sink.collection()
        assert isinstance(spec, CollectionSpec)
        assert sink.collection() == spec, "the collection must not change between calls"

    def test_points_have_unique_deterministic_ids(
        self, sink: Sink[Any], asset: Asset, records: list[BaseModel], points: list[Point]
    ) -> None:
        assert points, "algo_video must give the sink records to write"
        ids = [point.id for point in points]
        assert len(set(ids)) == len(ids)
        assert all(str(uuid.UUID(point_id)) == point_id for point_id in ids)
        assert [point.id for point in sink.points(asset, records)] == ids

    def test_vectors_are_those_the_collection_declares(
        self, sink: Sink[Any], points: list[Point]
    ) -> None:
        spec = sink.collection()
        if not spec.vectors:
            pytest.skip(f"collection {spec.name!r} holds payload only")
        for point in points:
            assert set(point.vectors) <= set(spec.vectors)
            for name, vector in point.vectors.items():
                assert len(vector) == spec.vectors[name].size
                assert all(math.isfinite(value) for value in vector)

    def test_no_records_make_no_points(self, sink: Sink[Any], asset: Asset) -> None:
        assert list(sink.points(asset, [])) == []

    def test_the_runtime_writes_every_point_with_the_standard_payload(
        self,
        algo_runtime: Runtime,
        sink: Sink[Any],
        asset: Asset,
        points: list[Point],
        written: int,
    ) -> None:
        assert written == len(points)
        mine = PointFilter(asset_ids=[asset.id])
        stored = list(algo_runtime.store.points(sink.collection().name, filter=mine))
        assert sorted(p.id for p in stored) == sorted(p.id for p in points)
        for point in stored:
            assert point.payload["asset_id"] == asset.id
            assert point.payload["title"] == TITLE
            assert point.payload.get("metadata", METADATA) == METADATA
            assert 0 <= point.payload["start"] <= point.payload["end"]

    def test_the_standard_filters_find_the_points(
        self, algo_runtime: Runtime, sink: Sink[Any], written: int
    ) -> None:
        collection = sink.collection().name
        assert algo_runtime.store.count(collection, filter=PointFilter(titles=[TITLE])) == written
        assert algo_runtime.store.count(collection, filter=PointFilter(titles=["Nope"])) == 0

    def test_writing_again_changes_nothing(
        self, algo_runtime: Runtime, algo_video: Path, sink: Sink[Any], written: int
    ) -> None:
        algo_runtime.ingest([algo_video], title=TITLE, metadata=METADATA, algos=[self.algo_name])
        assert algo_runtime.store.count(sink.collection().name) == written
