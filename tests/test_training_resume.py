"""A training run killed after its first checkpoints continues with ``--resume``: the epochs
already trained are not trained again, the frames are not decoded again, and the run ends
with the same report and model folder as one that was never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_training import CLI, FAST, reelsearch, training_env
from tiny_clip import save_layout_clip
from training_clips import write_dataset

pytestmark = pytest.mark.slow  # two runs of Ray Train: about two minutes on 2 cores


def wait_for_epoch(
    history: Path, epoch: int, process: subprocess.Popen[str], limit: float
) -> list[dict[str, object]]:
    """The run's history once it holds ``epoch`` (the epoch's checkpoint is reported first)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1][-3000:]
        try:
            rows = json.loads(history.read_text())
        except (OSError, ValueError):
            rows = []
        if rows and rows[-1]["epoch"] >= epoch:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"epoch {epoch} not reached in {limit} s")


def test_a_killed_run_resumes_from_its_last_checkpoint(tmp_path: Path) -> None:
    manifest = write_dataset(tmp_path / "clips")
    env = training_env(tmp_path, save_layout_clip(tmp_path / "layout"))
    run = tmp_path / "home" / "features" / "training" / "resumed"
    process = subprocess.Popen(
        [*CLI, "train", str(manifest), *FAST, "--run", "resumed"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the CLI and the Ray it started
    )
    try:
        done = wait_for_epoch(run / "history.json", 2, process, limit=240)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    assert not (tmp_path / "home" / "models" / "resumed" / "report.json").exists()

    result = reelsearch(["train", "--resume", "resumed"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "resuming run resumed" in result.stderr

    report = json.loads((tmp_path / "home" / "models" / "resumed" / "report.json").read_text())
    assert report["resumed"] is True
    assert [row["epoch"] for row in report["epochs"]] == list(range(21))
    # the epochs trained before the kill are the killed process's, not trained again (the
    # last one may be, if the kill came before Ray Train recorded its checkpoint)
    for row in report["epochs"][: len(done) - 1]:
        assert row == done[row["epoch"]]
    assert report["frames"] == {"cached_pairs": 24, "decoded_pairs": 0, "decoded_videos": 0}
    assert report["after"]["R@1"] > report["before"]["R@1"]
