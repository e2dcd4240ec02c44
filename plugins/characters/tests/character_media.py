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


def shot_frames(
    shot: PlannedShot, number: int, count: int = SHOT_FRAMES
) -> list[NDArray[np.uint8]]:
    """The ``count`` frames of one planned shot."""
    stills = [(_load(name), FACE_Y[name]) for name in shot.stills]
    frames = []
    for i in range(count):
        t = i / (count - 1)
        if not stills:
            frames.append(_empty(number, t))
            continue
        part = WIDTH // len(stills)
        frames.append(
            np.concatenate([_frame(s, y, part, HEIGHT, t, shot.move) for s, y in stills], axis=1)
        )
    return frames


def write_video(
    path: Path,
    plan: tuple[PlannedShot, ...] = PLAN,
    *,
    shot_frames_count: int = SHOT_FRAMES,
    sound: NDArray[np.float32] | None = None,
) -> list[PlannedShot]:
    """Write the planned shots as an H.264 MP4 at ``path``, each ``shot_frames_count`` frames
    long, with ``sound`` (16 kHz mono samples) as an AAC track if given; returns the plan."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "18", "g": str(FPS)}
        audio = container.add_stream("aac", rate=SOUND_RATE) if sound is not None else None
        if audio is not None:
            audio.layout = "mono"
        for number, shot in enumerate(plan):
            for image in shot_frames(shot, number, shot_frames_count):
                container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
        if audio is not None and sound is not None:
            for start in range(0, len(sound), 1024):
                chunk = np.ascontiguousarray(sound[None, start : start + 1024], np.float32)
                frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                frame.sample_rate = SOUND_RATE
                container.mux(audio.encode(frame))
            container.mux(audio.encode())
    return list(plan)


SOUND_RATE = 16_000
VOICES = {"obama": "en-us+m3", "biden": "en-us+f2"}
"""The espeak-ng voice each person speaks with in the voiced video."""
VOICED_PLAN = (
    PlannedShot(("obama.jpg",), frozenset({"obama"}), "zoom-in"),
    PlannedShot(("biden.jpg",), frozenset({"biden"}), "pan"),
    PlannedShot(("obama1.jpg",), frozenset({"obama"}), "pan"),
    PlannedShot(("biden2.jpg",), frozenset({"biden"}), "zoom-out"),
    PlannedShot(("obama.jpg",), frozenset({"obama"}), "zoom-out"),
    PlannedShot(("biden.jpg",), frozenset({"biden"}), "zoom-in"),
)
VOICED_LINES = (
    "The river was cold this morning.",
    "Bring the maps to the kitchen.",
    "We leave before the sun comes up.",
    "Nobody told me about the bridge.",
    "Keep the lantern close to you.",
    "I will wait for you at the station.",
)
"""What the person on screen says in each shot of ``VOICED_PLAN``."""
VOICED_SHOT_SECONDS = 3.5
LINE_OFFSET = 0.5
"""Seconds into its shot each line starts."""


@dataclass(frozen=True)
class SpokenLine:
    """A line of the voiced video: who says it, when, and what."""

    person: str
    start: float
    end: float
    text: str


def speak(text: str, voice: str, wav: Path) -> NDArray[np.float32]:
    """``text`` said by espeak-ng's ``voice`` (written to ``wav``), as 16 kHz mono samples."""
    import subprocess

    from reelsearch.sdk import decode_audio

    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True)
    return decode_audio(wav, SOUND_RATE)


def write_voiced_video(path: Path) -> list[SpokenLine]:
    """A video of ``VOICED_PLAN``: in each shot the person on screen says one line of
    ``VOICED_LINES`` in their own voice; a SubRip file beside it (``<stem>.srt``) times the
    lines without naming speakers. Returns the lines."""
    frames = round(VOICED_SHOT_SECONDS * FPS)
    sound = np.zeros(round(len(VOICED_PLAN) * VOICED_SHOT_SECONDS * SOUND_RATE), np.float32)
    lines = []
    for number, (shot, text) in enumerate(zip(VOICED_PLAN, VOICED_LINES, strict=True)):
        (person,) = shot.people
        samples = speak(text, VOICES[person], path.with_name(f"{path.stem}-{number}.wav"))
        start = number * VOICED_SHOT_SECONDS + LINE_OFFSET
        first = round(start * SOUND_RATE)
        sound[first : first + len(samples)] = samples[: len(sound) - first]
        lines.append(SpokenLine(person, start, start + len(samples) / SOUND_RATE, text))
    write_video(path, VOICED_PLAN, shot_frames_count=frames, sound=sound)
    path.with_suffix(".srt").write_text(
        "".join(
            f"{n}\n{_srt_time(line.start)} --> {_srt_time(line.end)}\n{line.text}\n\n"
            for n, line in enumerate(lines, 1)
        ),
        encoding="utf-8",
    )
    return lines


def _srt_time(seconds: float) -> str:
    minutes, millis = divmod(round(seconds * 1000), 60_000)
    return f"{minutes // 60:02}:{minutes % 60:02}:{millis // 1000:02},{millis % 1000:03}"
