"""The SDK's algo and sink contracts, run against every built-in algo and the example plugin
(examples/colorstats)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest
from runtimes import FakeEncoderPlugin

from reelsearch.core.media.sample import sample_video
from reelsearch.sdk.testing import (
    PALETTE,
    AlgoContract,
    RegisterPlugin,
    Runtime,
    SinkContract,
    write_video,
)

ROOT = Path(__file__).resolve().parents[1]
FAKE = {"algos": {"shot_embeddings": {"encoder": "fake"}, "dialogue": {"encoder": "fake"}}}


@pytest.fixture
def algo_runtime(register_plugin: RegisterPlugin) -> Runtime:
    """The installed (built-in) plugins, with the SDK's fake encoder for the algos that embed."""
    return register_plugin(FakeEncoderPlugin, name="fake-encoder", components=FAKE)


@pytest.fixture
def algo_video(tmp_path: Path) -> Path:
    """Three shots: red, blue, red."""
    return write_video(
        tmp_path / "shots.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24), (PALETTE["red"], 24)]
    )


class TestShots(AlgoContract, SinkContract):
    algo_name = "shots"


class TestShotEmbeddings(AlgoContract, SinkContract):
    algo_name = "shot_embeddings"


class TestDialogue(AlgoContract, SinkContract):
    algo_name = "dialogue"

    @pytest.fixture
    def algo_video(self, tmp_path: Path) -> Path:
        """The demo's sample, whose .srt gives four lines without speech to text."""
        return sample_video(tmp_path / "sample.mp4")


@pytest.fixture
def colorstats(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "colorstats"))
    return importlib.import_module("reelsearch_colorstats")


class TestColorstats(AlgoContract, SinkContract):
    algo_name = "colorstats"

    @pytest.fixture
    def algo_runtime(self, register_plugin: RegisterPlugin, colorstats: ModuleType) -> Runtime:
        return register_plugin(colorstats, name="colorstats")
