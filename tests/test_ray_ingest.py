"""Ingest on a real local Ray: stateful algos run on a pool of actors that keep their model
loaded from asset to asset, and the shot-embedding algo runs the real clip encoder (a small
locally built model) there."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image as PILImage
from pydantic import BaseModel
from runtimes import isolated_settings
from tiny_clip import save_layout_clip

from reelsearch.core.executor import Executor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.visual import ShotEmbeddingsAlgo
from reelsearch.sdk import Algo, AlgoContext, SearchRequest, hookimpl
from reelsearch.sdk.testing import PALETTE

MakeVideo = Callable[..., Path]

_loads = 0
_runs = 0


class Loaded(BaseModel):
    pid: int
    loads: int
    runs: int


class LoadsAModel(Algo[Loaded]):
    """Loads a "model" on its first run in a process; reports the process and its counts."""

    name = "loads_a_model"
    version = "1"
    Record = Loaded
    stateful = True

    def run(self, ctx: AlgoContext) -> list[Loaded]:
        global _loads, _runs
        if _loads == 0:
            _loads += 1
        _runs += 1
        return [Loaded(pid=os.getpid(), loads=_loads, runs=_runs)]


class LoadsAModelPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: Callable[[type[Algo[Loaded]]], None]) -> None:
        register(LoadsAModel)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray of 2 CPUs for the module, started (~5 s) and shut down by its executor."""
    from reelsearch.core.executor.ray import RayExecutor

    with RayExecutor(num_cpus=2, object_store_memory=128 * 1024**2):
        yield


@pytest.fixture
def ray_executor(local_ray: None) -> Executor:
    """An executor on the module's Ray, for one runtime (which closes it, leaving Ray up)."""
    from reelsearch.core.executor.ray import RayExecutor

    return RayExecutor()


@pytest.mark.parametrize("actors", [1, None])
def test_a_stateful_algo_loads_its_model_once_per_actor(
    ray_executor: Executor, make_video: MakeVideo, tmp_path: Path, actors: int | None
) -> None:
    videos = [make_video(f"v{i}.mp4", [("red", 6 + i)]) for i in range(5)]
    settings = isolated_settings(
        tmp_path / "home", algos=["loads_a_model"], executor="ray", ray_actors=actors
    )
    plugin = LocalPlugin("loads-a-model", LoadsAModelPlugin)
    with Runtime(settings, plugins=[plugin], executor=ray_executor) as rs:
        reports = rs.ingest(videos).reports
        assert len(reports) == 5
        records = [
            rs.features.get(rs.pipeline.keys(r.asset, ["loads_a_model"])["loads_a_model"])
            for r in reports
        ]
    runs_by_actor: dict[int, list[int]] = defaultdict(list)
    for (record,) in records:  # type: ignore[misc]
        assert record["loads"] == 1
        runs_by_actor[record["pid"]].append(record["runs"])
    assert os.getpid() not in runs_by_actor
    assert 1 <= len(runs_by_actor) <= (actors or ray_executor.capacity())
    for runs in runs_by_actor.values():  # one actor's runs, all on its one loaded model
        assert sorted(runs) == list(range(1, len(runs) + 1))


def test_the_clip_encoder_runs_on_the_actor_pool(
    ray_executor: Executor, make_video: MakeVideo, tmp_path: Path
) -> None:
    assert ShotEmbeddingsAlgo.stateful
    model = save_layout_clip(tmp_path / "layout")
    settings = isolated_settings(
        tmp_path / "home",
        executor="ray",
        ray_actors=2,
        components={"encoders": {"clip": {"checkpoint": str(model)}}},
    )
    red_blue = make_video("red_blue.mp4", [("red", 24), ("blue", 24)])
    green = make_video("green.mp4", [("green", 48)])
    still = tmp_path / "blue.png"
    PILImage.new("RGB", (64, 48), PALETTE["blue"]).save(still)
    with Runtime(settings, executor=ray_executor) as rs:
        reports = rs.ingest([red_blue, green], algos=["shot_embeddings"]).reports
        assert [r.skipped for r in reports] == [{}, {}]
        assert all("shot_embeddings" in r.computed for r in reports)
        hits = rs.search(SearchRequest(image=str(still), algos=["visual"], limit=3)).hits
    assert (hits[0].asset_id, hits[0].shot_index) == (reports[0].asset.id, 1)
    assert len(hits) == 3
