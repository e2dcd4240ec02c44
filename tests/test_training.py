"""``reelsearch train`` end to end on a real local Ray: a small locally built CLIP (its image
tower a fixed colour-layout model, its text tower random) learns captions of generated clips
("a red disc"), and held-out retrieval rises well above chance; the result is a
model folder the clip encoder loads, with its report and plot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import torch
from tiny_clip import save_layout_clip
from training_clips import write_dataset

from reelsearch.plugins.clip import ClipConfig, ClipEncoder

CLI = [sys.executable, "-m", "reelsearch"]
FAST = [
    "--epochs", "20", "--batch-size", "6", "--lr", "1e-3", "--weight-decay", "0.1",
    "--held-out", "0.25", "--seed", "0",
]  # fmt: skip
"""Both towers learn 18 clips in a few seconds of CPU; 6 clips are held out."""


def training_env(tmp_path: Path, model: Path) -> dict[str, str]:
    """A data home and config of its own: the clip encoder on ``model``, a local Ray of 2 CPUs."""
    config = tmp_path / "reelsearch.toml"
    config.write_text(f'ray_num_cpus = 2\n[components.encoders.clip]\ncheckpoint = "{model}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSEARCH_")}
    return env | {
        "REELSEARCH_HOME": str(tmp_path / "home"),
        "REELSEARCH_CONFIG": str(config),
        "COLUMNS": "200",
    }


def reelsearch(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The manifest of 24 generated clips, and the small CLIP to start from."""
    root = tmp_path_factory.mktemp("training")
    return write_dataset(root / "clips"), save_layout_clip(root / "layout-clip")


def test_training_raises_held_out_recall_well_above_chance(
    dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, start = dataset
    env = training_env(tmp_path, start)
    result = reelsearch(["train", str(manifest), *FAST, "--run", "colours"], env)
    assert result.returncode == 0, result.stderr[-3000:]

    model = tmp_path / "home" / "models" / "colours"
    report = json.loads((model / "report.json").read_text())
    assert report["pairs"] == {"train": 18, "held_out": 6, "videos_train": 18, "videos_held_out": 6}
    before, after = report["before"], report["after"]
    assert before["queries"] == after["queries"] == 6
    # chance: R@1 1/6, mAP ~0.41 (the mean of 1/rank over ranks 1-6)
    assert after["R@1"] >= before["R@1"] + 1 / 3
    assert after["R@1"] >= 2 / 6
    assert max(row["R@1"] for row in report["epochs"]) >= 3 / 6
    assert after["mAP"] >= max(0.6, before["mAP"] + 0.25)
    assert after["median_rank"] < before["median_rank"]
    assert [row["epoch"] for row in report["epochs"]] == list(range(21))
    assert report["epochs"][-1]["loss"] < report["epochs"][1]["loss"]
    assert report["frames"] == {"cached_pairs": 0, "decoded_pairs": 24, "decoded_videos": 24}
    assert (model / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # progress per epoch on the console, then the lines that switch the encoder to the model
    lines = result.stdout.splitlines()
    assert lines[0].startswith("before training  R@1 ")
    assert any(line.startswith("epoch 20/20  loss") for line in lines)
    assert lines[-2:] == ['model = "ViT-B-32"', f'checkpoint = "{model}"']

    # the held-out videos never entered training
    run = json.loads(
        (tmp_path / "home" / "features" / "training" / "colours" / "run.json").read_text()
    )
    splits: dict[str, set[str]] = {}
    for pair in run["pairs"]:
        splits.setdefault(pair["split"], set()).add(pair["content_hash"])
    assert len(splits["held_out"]) == 6
    assert not splits["held_out"] & splits["train"]

    # the clip encoder loads the model folder: both towers changed, the dimension did not
    trained = ClipEncoder(ClipConfig(checkpoint=model, device="cpu"))
    original = ClipEncoder(ClipConfig(checkpoint=start, device="cpu"))
    caption = ["a red disc"]
    image = [torch.randint(0, 255, (48, 64, 3), dtype=torch.uint8).numpy()]
    for encode in ("encode_text", "encode_images"):
        inputs = caption if encode == "encode_text" else image
        new, old = getattr(trained, encode)(inputs), getattr(original, encode)(inputs)
        assert new.shape == old.shape
        assert not torch.allclose(torch.from_numpy(new), torch.from_numpy(old), atol=1e-3)
