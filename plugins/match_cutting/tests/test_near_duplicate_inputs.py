"""``near_duplicates`` compares shots by their ``shot_embeddings`` vectors, an optional input
(``uses``) that joins every run of it, and by colour layouts where that algo could not run (no
CLIP weights offline) or is left out of the configured algos: never blocked, memoised apart.

Solid red, blue and red shots tell the two paths apart: the SDK's fake encoder (dominant
colours) puts both red shots in one group, while a solid frame has no colour layout (nothing
where in the frame differs), so by layouts every shot stands alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from runtimes import FakeEncoderPlugin

from reelsearch.core.runtime import Runtime
from reelsearch.sdk.testing import AlgoContract, RegisterPlugin, SinkContract

PLUGINS = ["shots", "content-detector", "clip", "visual", "match-cutting"]
FAKE = {"algos": {"shot_embeddings": {"encoder": "fake"}}}
TARGETS = ["shot_embeddings", "match_cuts"]
MakeVideo = Callable[..., Path]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CLIP weights reachable: the default ``clip`` encoder cannot load."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))


def _runtime(register_plugin: RegisterPlugin, **components: object) -> Runtime:
    return register_plugin(
        FakeEncoderPlugin, name="fake-encoder", plugins=PLUGINS, components=components
    )


def _groups(runtime: Runtime, video: Path) -> list[int]:
    asset = runtime.asset(video)
    points = runtime.store.points("near_duplicates")
    by_shot = {p.payload["shot_index"]: p.payload["group"] for p in points}
    assert {p.payload["asset_id"] for p in runtime.store.points("near_duplicates")} == {asset.id}
    return [by_shot[index] for index in sorted(by_shot)]


def test_shot_embeddings_decide_the_groups_where_they_ran(
    register_plugin: RegisterPlugin, make_video: MakeVideo, offline: None
) -> None:
    video = make_video("rbr.mp4", [("red", 24), ("blue", 24), ("red", 24)])
    runtime = _runtime(register_plugin, **FAKE)
    (report,) = runtime.ingest([video], algos=TARGETS).reports
    assert {"shot_embeddings", "near_duplicates", "match_cuts"} <= set(report.computed)
    assert report.computed.index("shot_embeddings") < report.computed.index("near_duplicates")
    assert _groups(runtime, video) == [0, 1, 0]


def test_without_clip_weights_near_duplicates_run_on_colour_layouts(
    register_plugin: RegisterPlugin, make_video: MakeVideo, offline: None
) -> None:
    video = make_video("rbr.mp4", [("red", 24), ("blue", 24), ("red", 24)])
    runtime = _runtime(register_plugin)  # shot_embeddings on the default clip encoder
    (report,) = runtime.ingest([video], algos=TARGETS).reports
    assert "CLIP weights unavailable" in report.skipped["shot_embeddings"]
    assert "near_duplicates" not in report.skipped
    assert {"near_duplicates", "match_cuts"} <= set(report.computed)
    assert _groups(runtime, video) == [0, 1, 2]  # solid frames: no layout to match
    runtime.close()

    # Once shot embeddings can be made, the layout-based groups are not reused.
    again = _runtime(register_plugin, **FAKE)
    (report,) = again.ingest([video], algos=TARGETS).reports
    assert {"shot_embeddings", "near_duplicates", "match_cuts"} <= set(report.computed)
    assert "shots" in report.reused
    assert _groups(again, video) == [0, 1, 0]


def test_near_duplicates_alone_use_shot_embeddings_and_reuse_them(
    register_plugin: RegisterPlugin, make_video: MakeVideo
) -> None:
    video = make_video("rbr.mp4", [("red", 24), ("blue", 24), ("red", 24)])
    runtime = _runtime(register_plugin, **FAKE)
    runtime.ingest([video], algos=["shot_embeddings", "near_duplicates"])
    assert _groups(runtime, video) == [0, 1, 0]
    # As a backfill job or `ingest --algo near_duplicates` asks: the same key, nothing redone.
    (alone,) = runtime.ingest([video], algos=["near_duplicates"]).reports
    assert alone.computed == []
    assert {"shot_embeddings", "near_duplicates"} <= set(alone.reused)
    assert _groups(runtime, video) == [0, 1, 0]


def test_shot_embeddings_left_out_of_the_algos_give_layouts_memoised_apart(
    register_plugin: RegisterPlugin, make_video: MakeVideo
) -> None:
    video = make_video("rbr.mp4", [("red", 24), ("blue", 24), ("red", 24)])
    runtime = register_plugin(
        FakeEncoderPlugin,
        name="fake-encoder",
        plugins=PLUGINS,
        components=FAKE,
        algos=["shots", "near_duplicates"],
    )
    (without,) = runtime.ingest([video]).reports
    assert "shot_embeddings" not in without.computed
    assert _groups(runtime, video) == [0, 1, 2]
    runtime.close()
    again = _runtime(register_plugin, **FAKE)  # every algo configured: embeddings join in
    (alone,) = again.ingest([video], algos=["near_duplicates"]).reports
    assert {"shot_embeddings", "near_duplicates"} <= set(alone.computed)
    assert _groups(again, video) == [0, 1, 0]


def test_turning_embeddings_off_compares_layouts(
    register_plugin: RegisterPlugin, make_video: MakeVideo
) -> None:
    video = make_video("rbr.mp4", [("red", 24), ("blue", 24), ("red", 24)])
    runtime = _runtime(
        register_plugin, algos={**FAKE["algos"], "near_duplicates": {"embeddings": False}}
    )
    runtime.ingest([video], algos=TARGETS)
    assert _groups(runtime, video) == [0, 1, 2]


class TestNearDuplicatesContract(AlgoContract, SinkContract):
    algo_name = "near_duplicates"

    @pytest.fixture
    def algo_runtime(self, register_plugin: RegisterPlugin) -> Runtime:
        return _runtime(register_plugin, **FAKE)

    @pytest.fixture
    def algo_video(self, make_video: MakeVideo) -> Path:
        return make_video("rbr.mp4", [("red", 24), ("blue", 24), ("red", 24)])
