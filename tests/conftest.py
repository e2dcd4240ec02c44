"""Shared fixtures: real media from ../shared/media and videos generated with PyAV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import av
import numpy as np
import pytest

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


@pytest.fixture(scope="session")
def shared_media() -> Path:
    """``../shared/media``; tests that need it skip where it is absent."""
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"real test media not found at {SHARED_MEDIA}")
    return SHARED_MEDIA


MakeVideo = Callable[..., Path]

SOLID = {
    "red": (220, 30, 30),
    "green": (30, 180, 60),
    "blue": (30, 60, 220),
    "yellow": (240, 220, 40),
    "white": (255, 255, 255),
    "black": (0, 0, 0),
}


def write_video(
    path: Path,
    segments: Sequence[tuple[tuple[int, int, int], int]],
    *,
    size: tuple[int, int] = (64, 48),
    fps: int = 24,
    noise: int = 6,
) -> Path:
    """Write an H.264 mp4 of solid-colour segments ``(rgb, frames)`` with a little noise, so
    each segment is one shot with a hard cut between segments."""
    rng = np.random.default_rng(7)
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for rgb, count in segments:
            for _ in range(count):
                frame = np.empty((height, width, 3), dtype=np.int16)
                frame[:] = rgb
                frame += rng.integers(-noise, noise + 1, size=frame.shape, dtype=np.int16)
                image = av.VideoFrame.from_ndarray(
                    np.clip(frame, 0, 255).astype(np.uint8), format="rgb24"
                )
                container.mux(stream.encode(image))
        container.mux(stream.encode())
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """``make_video("name.mp4", [("red", 24), ("blue", 36)])``: a generated video in tmp_path."""

    def make(name: str, segments: Sequence[tuple[str, int]], **kwargs: object) -> Path:
        return write_video(
            tmp_path / name,
            [(SOLID[c], n) for c, n in segments],
            **kwargs,  # type: ignore[arg-type]
        )

    return make
