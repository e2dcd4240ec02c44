"""Synthetic videos with known shots: the demo's sample and the tests' fixtures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "green": (30, 180, 60),
    "blue": (30, 60, 220),
    "yellow": (240, 220, 40),
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "purple": (140, 50, 170),
    "orange": (245, 140, 20),
    "gray": (128, 128, 128),
    "pink": (245, 150, 190),
    "brown": (120, 75, 40),
}
"""Named colours of generated videos (and of the SDK's fake encoder)."""

Segment = tuple[tuple[int, int, int], int]
"""A shot of a sample video: its colour and its length in frames."""


def write_video(
    path: Path,
    segments: Sequence[Segment],
    *,
    size: tuple[int, int] = (64, 48),
    fps: int = 24,
    noise: int = 6,
    moving_square: bool = False,
    timecode: str | None = None,
) -> Path:
    """Write an H.264 mp4 of solid-colour segments with a little noise: each segment is one
    shot, with a hard cut between segments.

    Args:
        path: Where to write (``.mp4``).
        segments: ``(rgb, frames)`` per shot.
        size: ``(width, height)``; both even.
        fps: Frame rate.
        noise: Amplitude of per-pixel noise, so frames are not identical.
        moving_square: Draw a grey square that drifts across each shot (camera-like motion).
        timecode: The file's start timecode (a QuickTime ``tmcd`` track), e.g. 01:00:00:00.
    """
    rng = np.random.default_rng(7)
    width, height = size
    side = max(4, height // 4)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        if timecode:
            container.metadata["timecode"] = timecode
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for rgb, count in segments:
            for i in range(count):
                frame = np.empty((height, width, 3), dtype=np.int16)
                frame[:] = rgb
                if moving_square:
                    x = int((width - side) * i / max(1, count - 1))
                    frame[height // 3 : height // 3 + side, x : x + side] = 128
                frame += rng.integers(-noise, noise + 1, size=frame.shape, dtype=np.int16)
                image = av.VideoFrame.from_ndarray(
                    np.clip(frame, 0, 255).astype(np.uint8), format="rgb24"
                )
                container.mux(stream.encode(image))
        container.mux(stream.encode())
    return path


SAMPLE_SUBTITLES = """1
00:00:00,200 --> 00:00:01,800
ANNA: Friends don't lie.

2
00:00:02,600 --> 00:00:03,900
BEN: Did you see that red car race past us?

3
00:00:04,100 --> 00:00:05,800
ANNA: Ask not what your country can do for you.

4
00:00:06,600 --> 00:00:07,800
BEN: Merry Christmas, everyone!
"""


def sample_video(path: Path) -> Path:
    """The demo's sample: 8 s at 24 fps, 320x180, six shots of different colours with motion,
    and a sidecar ``.srt`` beside it with four lines of dialogue by two speakers.

    Its cuts are at frames 24, 60, 96, 120 and 156 (192 frames in all).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".srt").write_text(SAMPLE_SUBTITLES)
    shots = [
        ("red", 24),
        ("blue", 36),
        ("green", 36),
        ("yellow", 24),
        ("purple", 36),
        ("orange", 36),
    ]
    return write_video(
        path, [(PALETTE[c], n) for c, n in shots], size=(320, 180), moving_square=True
    )
