"""Generated clips whose captions say what is in them, for the training tests and benchmark:
a coloured square or disc on the left or the right of a grey frame, drifting a little; the
caption names the colour and the shape.

Written with PyAV (H.264, one encoder thread: the same bytes, so the same content hashes and
the same held-out split, on every run), small enough that decoding them costs next to nothing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 190, 40),
    "blue": (30, 60, 220),
    "yellow": (235, 220, 30),
    "magenta": (210, 40, 200),
    "cyan": (40, 210, 220),
    "orange": (250, 140, 20),
    "black": (15, 15, 15),
}
SHAPES = ("square", "disc")
SIDES = ("left", "right")
WIDTH, HEIGHT, FPS = 64, 48, 12


def frame(colour: str, shape: str, side: str, shift: int) -> np.ndarray:
    """One RGB frame: the shape in its colour on its side of a grey background."""
    image = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    centre_x = {"left": 16, "right": 48}[side] + shift
    centre_y = HEIGHT // 2
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    if shape == "square":
        inside = (abs(xs - centre_x) <= 11) & (abs(ys - centre_y) <= 11)
    else:
        inside = (xs - centre_x) ** 2 + (ys - centre_y) ** 2 <= 12**2
    image[inside] = COLOURS[colour]
    return image


def write_clip(path: Path, segments: Sequence[tuple[str, str, str]], frames: int = FPS) -> Path:
    """A clip of ``segments`` (colour, shape, side), ``frames`` frames each."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"threads": "1"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for colour, shape, side in segments:
            for index in range(frames):
                image = frame(colour, shape, side, shift=index % 4 - 2)
                for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def caption(colour: str, shape: str) -> str:
    """What a clip shows; where the shape sits is left unsaid (it varies between clips)."""
    return f"a {colour} {shape}"


def write_dataset(folder: Path, colours: int = 6, shapes: int = 2) -> Path:
    """One clip per (colour, shape, side) and a JSONL manifest of their captions."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    combos = itertools.product(list(COLOURS)[:colours], SHAPES[:shapes], SIDES)
    for colour, shape, side in combos:
        name = f"{colour}-{shape}-{side}.mp4"
        write_clip(folder / name, [(colour, shape, side)])
        rows.append({"video": name, "caption": caption(colour, shape)})
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return manifest
