"""Contract tests every algo should pass.

Subclass :class:`AlgoContract`, set ``algo_name``, and provide two fixtures: ``algo_runtime``
(a runtime with the algo's plugin loaded, e.g. from ``register_plugin``) and ``algo_video``
(a video on which the algo finds at least one record)::

    class TestMyAlgo(AlgoContract):
        algo_name = "mine"

        @pytest.fixture
        def algo_runtime(self, register_plugin):
            return register_plugin(my_plugin)

        @pytest.fixture
        def algo_video(self, tmp_path):
            return write_video(tmp_path / "two.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24)])

An algo whose model cannot load here is skipped with the reason, never passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Algo, AlgoContext, Asset, ModelUnavailableError, Resources


def run_algo(runtime: Runtime, name: str, asset: Asset) -> list[BaseModel]:
    """Run algo ``name`` on ``asset`` in this process, its dependencies first, as the executor
    would (each algo warmed up, then run); no feature or vector store is involved. The algos
    it ``uses`` are not run: it gets none of those optional inputs.

    Skips the calling test, with the reason, when a model the algos need cannot load here.
    """
    done: dict[str, list[BaseModel]] = {}

    def run(algo_name: str) -> list[BaseModel]:
        if algo_name not in done:
            algo = runtime.algo(algo_name)
            inputs = {dependency: run(dependency) for dependency in algo.depends_on}
            media_dir = runtime.settings.media_dir / asset.id / algo_name
            context = AlgoContext(asset, inputs, media_dir, runtime.components)
            try:
                done[algo_name] = list(algo.warmed().run(context))
            except ModelUnavailableError as exc:
                pytest.skip(f"algo {algo_name!r} cannot run here: {exc}")
        return done[algo_name]

    return run(name)


def dumps(records: Sequence[BaseModel]) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in records]


TITLE = "Contract"
METADATA: dict[str, Any] = {"source": "contract"}


class AlgoFixtures:
    """What the algo and sink contracts share: the algo, the asset made of ``algo_video``,
    and the records the algo finds in it."""

    algo_name: ClassVar[str]

    @pytest.fixture
    def algo(self, algo_runtime: Runtime) -> Algo[Any, Any]:
        return algo_runtime.algo(self.algo_name)

    @pytest.fixture
    def asset(self, algo_runtime: Runtime, algo_video: Path) -> Asset:
        return algo_runtime.asset(algo_video, TITLE, METADATA)

    @pytest.fixture
    def records(self, algo_runtime: Runtime, asset: Asset) -> list[BaseModel]:
        return run_algo(algo_runtime, self.algo_name, asset)


class AlgoContract(AlgoFixtures):
    """Behaviour every :class:`Algo` must show."""

    def test_declares_a_versioned_schema_and_a_strict_config(self, algo: Algo[Any, Any]) -> None:
        assert algo.name == self.algo_name
        assert isinstance(algo.version, str)
        assert algo.version
        assert issubclass(algo.Record, BaseModel)
        assert algo.Config.model_config.get("extra") == "forbid", "misspelled options must fail"
        assert isinstance(algo.config, algo.Config)
        assert isinstance(algo.resources, Resources)
        assert algo.schema_version >= 1

    def test_depends_only_on_registered_algos(
        self, algo: Algo[Any, Any], algo_runtime: Runtime
    ) -> None:
        if not algo.depends_on:
            pytest.skip(f"algo {algo.name!r} depends on no other algo")
        for dependency in algo.depends_on:
            assert dependency != algo.name
            assert algo_runtime.algo(dependency).name == dependency

    def test_uses_only_other_algos_and_runs_without_them(
        self, algo: Algo[Any, Any], records: list[BaseModel]
    ) -> None:
        """``uses`` names optional inputs: ``records`` came from a run given none of them."""
        if not algo.uses:
            pytest.skip(f"algo {algo.name!r} uses no optional input")
        assert isinstance(algo.uses, frozenset)
        assert algo.name not in algo.uses
        assert not algo.uses & set(algo.depends_on), "an input is optional or needed, not both"
        assert records, "the algo must give records without its optional inputs"

    def test_run_gives_records_of_its_schema(
        self, algo: Algo[Any, Any], records: list[BaseModel]
    ) -> None:
        assert records, "algo_video must be a video on which the algo finds records"
        assert all(isinstance(record, algo.Record) for record in records)

    def test_records_survive_the_feature_store_and_the_executor(
        self, algo: Algo[Any, Any], records: list[BaseModel]
    ) -> None:
        """Records are memoised and shipped between processes as JSON: nothing may be lost."""
        again = [algo.Record.model_validate_json(record.model_dump_json()) for record in records]
        assert dumps(again) == dumps(records)

    def test_runs_are_deterministic(
        self, algo_runtime: Runtime, asset: Asset, records: list[BaseModel]
    ) -> None:
        assert dumps(run_algo(algo_runtime, self.algo_name, asset)) == dumps(records)

    def test_fingerprint_is_stable(self, algo: Algo[Any, Any], asset: Asset) -> None:
        fingerprint = algo.fingerprint(asset)
        assert isinstance(fingerprint, str)
        assert algo.fingerprint(asset) == fingerprint

    def test_ingest_computes_it_once_then_reuses_it(
        self, algo_runtime: Runtime, algo_video: Path
    ) -> None:
        (first,) = algo_runtime.ingest([algo_video], algos=[self.algo_name]).reports
        if self.algo_name in first.skipped:
            pytest.skip(f"algo {self.algo_name!r} cannot run here: {first.skipped[self.algo_name]}")
        assert self.algo_name in first.computed
        (second,) = algo_runtime.ingest([algo_video], algos=[self.algo_name]).reports
        assert self.algo_name in second.reused
        assert self.algo_name not in second.computed
