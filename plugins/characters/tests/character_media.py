"""Videos of two people for the characters plugin's tests and benchmark, built with PyAV from
the public-domain portraits in ``tests/data/media/faces`` (two of Obama, two of Biden in the
video; ``obama2.jpg`` is kept out of it, to search by).

Every shot is a still moving: a slow zoom or a pan, so that no two frames are equal. Hard
cuts between stills of different people and colours make the shots; the content detector
finds them. Shots of one person alone lie between faceless shots where the other person's
shots would touch them in time, so that "both on screen" has one right answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image

FACES = Path(__file__).resolve().parents[3] / "tests" / "data" / "media" / "faces"
WIDTH, HEIGHT, FPS = 480, 270, 10
SHOT_FRAMES = 14
FACE_Y = {
    "obama.jpg": 0.24,
    "obama1.jpg": 0.45,
    "obama2.jpg": 0.35,
    "biden.jpg": 0.18,
    "biden2.jpg": 0.44,
}
"""Where each portrait's face is, as a fraction of its height: the camera frames it."""
HELD_OUT = "obama2.jpg"
"""A photo of one of the two people that is not in the video."""


@dataclass(frozen=True)
class PlannedShot:
    """One shot: the stills side by side, who they show, how the camera moves."""

    stills: tuple[str, ...]
    people: frozenset[str]
    move: str  # "zoom-in", "zoom-out", "pan", or "still" for a shot without a face


PLAN = (
    PlannedShot(("obama.jpg",), frozenset({"obama"}), "zoom-in"),
    PlannedShot((), frozenset(), "still"),
    PlannedShot(("biden.jpg",), frozenset({"biden"}), "pan"),
    PlannedShot((), frozenset(), "still"),
    PlannedShot(("obama1.jpg",), frozenset({"obama"}), "pan"),
    PlannedShot(("obama.jpg", "biden2.jpg"), frozenset({"obama", "biden"}), "zoom-in"),
    PlannedShot((), frozenset(), "still"),
    PlannedShot(("biden2.jpg",), frozenset({"biden"}), "zoom-out"),
    PlannedShot((), frozenset(), "still"),
    PlannedShot(("obama1.jpg",), frozenset({"obama"}), "zoom-out"),
    PlannedShot(("biden.jpg", "obama1.jpg"), frozenset({"obama", "biden"}), "pan"),
)


def _load(name: str) -> Image.Image:
    with Image.open(FACES / name) as still:
        return still.convert("RGB")


def _frame(
    still: Image.Image, face_y: float, width: int, height: int, t: float, move: str
) -> NDArray[np.uint8]:
    """``still`` framed at ``width`` x ``height``, the camera at time ``t`` (0 to 1) of its
    move: zooms scale the crop by 15%, pans slide it by 15% of the still's width."""
    aspect = width / height
    crop_w = min(still.width, still.height * aspect)
    crop_h = crop_w / aspect
    scale = {"zoom-in": 1 - 0.15 * t, "zoom-out": 0.85 + 0.15 * t}.get(move, 0.9)
    w, h = crop_w * scale, crop_h * scale
    cx = still.width / 2 + (still.width * 0.15 * (t - 0.5) if move == "pan" else 0)
    cx = min(max(cx, w / 2), still.width - w / 2)
    cy = min(max(still.height * face_y, h / 2), still.height - h / 2)
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    return np.asarray(still.resize((width, height), Image.Resampling.BILINEAR, box=box))


def _empty(number: int, t: float) -> NDArray[np.uint8]:
    """A faceless shot: a colour gradient drifting."""
    x = np.linspace(0, 1, WIDTH)[None, :, None]
    y = np.linspace(0, 1, HEIGHT)[:, None, None]
    base = np.array([[40, 120, 200], [200, 90, 40]][number % 2], np.float64)
    image = base * (0.6 + 0.4 * x) * (0.7 + 0.3 * y) + 20 * t
    return np.clip(image, 0, 255).astype(np.uint8)


def shot_frames(shot: PlannedShot, number: int) -> list[NDArray[np.uint8]]:
    """The frames of one planned shot."""
    stills = [(_load(name), FACE_Y[name]) for name in shot.stills]
    frames = []
    for i in range(SHOT_FRAMES):
        t = i / (SHOT_FRAMES - 1)
        if not stills:
            frames.append(_empty(number, t))
            continue
        part = WIDTH // len(stills)
        frames.append(
            np.concatenate([_frame(s, y, part, HEIGHT, t, shot.move) for s, y in stills], axis=1)
        )
    return frames


def write_video(path: Path, plan: tuple[PlannedShot, ...] = PLAN) -> list[PlannedShot]:
    """Write the planned shots as an H.264 MP4 at ``path``; returns the plan."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "18", "g": str(FPS)}
        for number, shot in enumerate(plan):
            for image in shot_frames(shot, number):
                container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    return list(plan)
