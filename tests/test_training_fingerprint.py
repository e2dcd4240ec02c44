"""Switching the clip encoder to a trained model folder, or training again into the same
folder, changes the shot_embeddings memoisation key, so the catalog re-embeds; going back to
the same weights finds the vectors already computed."""

from __future__ import annotations

from pathlib import Path

from runtimes import isolated_settings
from tiny_clip import LAYOUT_CONFIG, save_clip
from training_clips import write_clip

from reelsearch.core.executor import LocalExecutor
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.clip import ClipConfig


def embedding_key(home: Path, video: Path, checkpoint: Path | None) -> str:
    clip = {"checkpoint": str(checkpoint)} if checkpoint else {}
    settings = isolated_settings(home, components={"encoders": {"clip": clip}})
    with Runtime(settings, executor=LocalExecutor()) as rs:
        asset = rs.asset(video)
        key = rs.pipeline.keys(asset, ["shots", "shot_embeddings"])["shot_embeddings"]
    return key.config_hash


def test_new_weights_change_the_shot_embeddings_key(tmp_path: Path) -> None:
    video = write_clip(tmp_path / "clip.mp4", [("red", "disc", "left")])
    first = save_clip(tmp_path / "model-a", LAYOUT_CONFIG, seed=0)
    second = save_clip(tmp_path / "model-b", LAYOUT_CONFIG, seed=1)
    home = tmp_path / "home"

    original = embedding_key(home, video, first)
    assert embedding_key(home, video, None) != original
    assert embedding_key(home, video, second) != original
    assert embedding_key(home, video, first) == original  # same weights: the vectors are reused

    save_clip(first, LAYOUT_CONFIG, seed=2)  # trained again into the same folder
    assert embedding_key(home, video, first) != original


def test_the_encoder_config_names_its_weights_in_json(tmp_path: Path) -> None:
    folder = save_clip(tmp_path / "model", LAYOUT_CONFIG)
    config = ClipConfig(checkpoint=folder)
    described = config.model_dump(mode="json")["checkpoint"]
    size = (folder / "open_clip_pytorch_model.bin").stat().st_size
    assert described.startswith(f"{folder} (open_clip_config.json:")
    assert f"open_clip_pytorch_model.bin:{size}:" in described
    assert config.checkpoint == folder  # the option itself stays the path
    assert ClipConfig().model_dump(mode="json")["checkpoint"] is None
