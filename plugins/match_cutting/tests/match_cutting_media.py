"""Videos with known match cuts, written with PyAV: portraits framed alike or not, a textured
pan moving left or right at different speeds, MDN clips repeated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
MEDIA = [ROOT / "tests" / "data" / "media", ROOT.parent / "shared" / "media"]
SIZE = (320, 180)
FPS = 25


def media(relative: str) -> Path | None:
    """A real media file from the project's test data or the shared folder, if present."""
    for folder in MEDIA:
        if (folder / relative).is_file():
            return folder / relative
    return None


def write_video(path: Path, frames: Iterable[np.ndarray], fps: int = FPS) -> Path:
    """Encode RGB frames (all one size) as H.264 at ``fps``."""
    with av.open(str(path), mode="w") as container:
        stream = None
        for frame in frames:
            if stream is None:
                stream = container.add_stream("libx264", rate=Fraction(fps))
                stream.height, stream.width = frame.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": "18", "g": "1000"}
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        assert stream is not None, "no frames"
        container.mux(stream.encode(None))
    return path


def portrait_shot(
    photo: Path, box: tuple[float, float, float], background: Sequence[int], frames: int = 25
) -> list[np.ndarray]:
    """A still shot of ``photo`` (a head-and-shoulders portrait) whose height is ``box[2]`` of
    the frame's, centred at ``(box[0], box[1])`` (fractions of the frame), on a flat colour."""
    width, height = SIZE
    cx, cy, scale = box
    with Image.open(photo) as image:
        still = image.convert("RGB")
        h = int(height * scale)
        w = int(still.width * h / still.height)
        still = still.resize((w, h))
    canvas = Image.new("RGB", SIZE, tuple(background))
    canvas.paste(still, (int(cx * width - w / 2), int(cy * height - h / 2)))
    frame = np.asarray(canvas)
    return [frame.copy() for _ in range(frames)]


TINTS = [(1.0, 0.15, 0.15), (0.15, 1.0, 0.15), (0.15, 0.15, 1.0), (1.0, 1.0, 0.1), (0.1, 1.0, 1.0)]
"""A colour per texture, so that the cuts between pans stand out to the shot detector."""


def texture(seed: int, width: int, height: int) -> np.ndarray:
    """A smooth random texture (blurred noise) in one of :data:`TINTS`, rich enough for
    optical flow."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8, width // 8, 3)).astype(np.float32)
    small = (small * np.array(TINTS[seed % len(TINTS)])).astype(np.uint8)
    return np.asarray(Image.fromarray(small).resize((width, height), Image.BICUBIC))


def pan_shot(seed: int, speed: float, frames: int = 25) -> list[np.ndarray]:
    """A camera pan over a texture: the picture moves ``speed`` pixels a frame (positive:
    content moves left to right)."""
    width, height = SIZE
    span = int(abs(speed) * frames) + 2
    world = texture(seed, width + span, height)
    out = []
    for i in range(frames):
        shift = round(i * abs(speed))
        x = span - 1 - shift if speed > 0 else shift
        out.append(np.ascontiguousarray(world[:, x : x + width]))
    return out


def clip_frames(path: Path, start: int, count: int) -> list[np.ndarray]:
    """``count`` frames of a real video from frame ``start``, resized to :data:`SIZE`."""
    out = []
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index >= start + count:
                break
            if index >= start:
                out.append(frame.to_ndarray(format="rgb24", width=SIZE[0], height=SIZE[1]))
    return out
