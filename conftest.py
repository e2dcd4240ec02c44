"""Fixtures shared by the tests under tests/ and each plugin's own tests (plugins/*/tests).

The test helpers in tests/ (``media_files``, ``runtimes``, ``tiny_clip``, ...) import by their
module name from every test folder: pytest puts tests/ on ``sys.path`` (``pythonpath`` in
pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from media_files import MakeVideo, RealMedia, real_media_file

from reelsearch.core.media.sample import PALETTE, write_video


@pytest.fixture(scope="session")
def real_media() -> RealMedia:
    """``real_media("bbb/big_buck_bunny_0_30.webm")``: a real media file, or a skip naming it."""
    return real_media_file


@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """``make_video("name.mp4", [("red", 24), ("blue", 36)])``: a generated video in tmp_path."""

    def make(name: str, segments: Sequence[tuple[str, int]], **kwargs: object) -> Path:
        return write_video(
            tmp_path / name,
            [(PALETTE[c], n) for c, n in segments],
            **kwargs,  # type: ignore[arg-type]
        )

    return make
