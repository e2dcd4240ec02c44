"""Checks shared by the shot detectors' tests: cuts found on a decoded video, near the truth."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reelsearch.sdk import ShotDetector, decode_frames, probe

BBB_CUTS = [283, 376, 551]
"""The three cuts of the Big Buck Bunny clip (bbb/big_buck_bunny_0_30.webm)."""


def detect(detector: ShotDetector, path: Path) -> list[int]:
    """The cuts ``detector`` finds in the video at ``path``, decoded at its frame size."""
    return detector.detect(decode_frames(path, detector.frame_size), probe(path).fps)


def assert_cuts_near(found: Sequence[int], truth: Sequence[int], tolerance: int = 1) -> None:
    """As many cuts as ``truth``, each within ``tolerance`` frames of its own."""
    assert len(found) == len(truth), f"found {list(found)}, expected {list(truth)}"
    for got, want in zip(found, truth, strict=True):
        assert abs(got - want) <= tolerance, f"found {list(found)}, expected {list(truth)}"
