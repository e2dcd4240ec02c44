"""Shared fixtures: real media from ../shared/media and videos generated with PyAV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from reelsearch.core.media.sample import PALETTE, write_video

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


@pytest.fixture(scope="session")
def shared_media() -> Path:
    """``../shared/media``; tests that need it skip where it is absent."""
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"real test media not found at {SHARED_MEDIA}")
    return SHARED_MEDIA


MakeVideo = Callable[..., Path]


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
