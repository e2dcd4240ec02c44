"""Edited videos with exactly known cuts, assembled from real clips: test and benchmark media.

Where each transition puts its cut (the first frame of the new shot):

- ``cut``: the first frame of the next clip.
- ``dissolve`` of ``frames`` frames: frame ``j`` of the transition blends the clips with weight
  ``(j + 1) / (frames + 1)`` on the next one; the cut is the first frame where the next clip
  weighs at least half, ``start + frames // 2``.
- ``fade``: ``frames`` frames fading out to black, ``hold`` black frames, ``frames`` frames
  fading in; the cut is the middle of the black, ``start + frames + hold // 2``.

A dissolve or fade uses the last ``frames`` frames of one clip and the first ``frames`` of the
next. Clips stream through: only a transition's frames are held in memory.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reelsearch.core.media.decode import FrameSize, RGBFrames, RGBImage, decode_frames
from reelsearch.core.media.encode import VideoWriter

TransitionKind = Literal["cut", "dissolve", "fade"]


@dataclass(frozen=True)
class Transition:
    """How one clip gives way to the next.

    Attributes:
        kind: ``cut``, ``dissolve`` or ``fade`` (out to black and in again).
        frames: Length of a dissolve, or of each half of a fade.
        hold: Black frames between a fade's halves.
    """

    kind: TransitionKind = "cut"
    frames: int = 0
    hold: int = 0

    def __post_init__(self) -> None:
        if self.kind != "cut" and self.frames < 1:
            raise ValueError(f"a {self.kind} needs frames >= 1")
        if self.frames < 0 or self.hold < 0:
            raise ValueError("frames and hold must be >= 0")

    @property
    def overlap(self) -> int:
        """Frames taken from the end of the outgoing clip and the start of the incoming one."""
        return 0 if self.kind == "cut" else self.frames

    @property
    def cut_offset(self) -> int:
        """Where the cut lies, counted from the transition's first frame."""
        if self.kind == "dissolve":
            return self.frames // 2
        if self.kind == "fade":
            return self.frames + self.hold // 2
        return 0

    def blend(self, outgoing: RGBFrames, incoming: RGBFrames) -> RGBFrames:
        """The transition's frames, from the outgoing clip's last and the incoming one's first
        :attr:`overlap` frames."""
        if self.kind == "cut":
            return outgoing[:0]
        if self.kind == "dissolve":
            return _mix(outgoing, incoming)
        black = np.zeros_like(outgoing)
        hold = np.zeros((self.hold, *outgoing.shape[1:]), np.uint8)
        return np.concatenate([_mix(outgoing, black), hold, _mix(black, incoming)])


CUT = Transition()


def clip_frames(
    path: str | os.PathLike[str], size: FrameSize, *, start: int = 0, count: int | None = None
) -> Iterator[RGBImage]:
    """Frames ``[start, start + count)`` of a video (to its end by default), scaled to ``size``."""
    frames = (frame for batch in decode_frames(path, size, batch_size=32) for frame in batch)
    stop = None if count is None else start + count
    yield from itertools.islice(frames, start, stop)


class Montage:
    """Clips joined by transitions, streamed frame by frame.

    Args:
        clips: Each clip's frames (arrays or iterators of ``(h, w, 3)`` RGB frames, one size).
        transitions: One fewer than the clips.

    Attributes:
        cuts: The cut frames, complete once the montage has been iterated to its end.
    """

    def __init__(self, clips: Sequence[Iterable[RGBImage]], transitions: Sequence[Transition]):
        if len(transitions) != len(clips) - 1:
            raise ValueError(f"{len(clips)} clips need {len(clips) - 1} transitions")
        self.clips = clips
        self.transitions = transitions
        self.cuts: list[int] = []

    def __iter__(self) -> Iterator[RGBImage]:
        self.cuts = []
        position = 0
        held: list[RGBImage] = []
        for index, clip in enumerate(self.clips):
            frames = iter(clip)
            if index:
                transition = self.transitions[index - 1]
                head = list(itertools.islice(frames, transition.overlap))
                if len(held) < transition.overlap or len(head) < transition.overlap:
                    raise ValueError(
                        f"clips {index - 1} and {index} are shorter than a {transition.kind}"
                    )
                self.cuts.append(position + transition.cut_offset)
                for frame in transition.blend(_stack(held), _stack(head)):
                    yield frame
                    position += 1
            keep = self.transitions[index].overlap if index < len(self.transitions) else 0
            tail: deque[RGBImage] = deque()
            for frame in frames:
                tail.append(frame)
                if len(tail) > keep:
                    yield tail.popleft()
                    position += 1
            held = list(tail)


def write_montage(
    path: str | os.PathLike[str],
    clips: Sequence[Iterable[RGBImage]],
    transitions: Sequence[Transition],
    fps: float,
    size: FrameSize,
) -> list[int]:
    """Write the montage of ``clips`` (frames of ``size``) as an H.264 MP4; return its cuts."""
    montage = Montage(clips, transitions)
    with VideoWriter(path, fps, size, crf=18) as writer:
        for frame in montage:
            writer.write(frame)
    return montage.cuts


def _stack(frames: list[RGBImage]) -> RGBFrames:
    return np.stack(frames) if frames else np.zeros((0, 1, 1, 3), np.uint8)


def _mix(first: RGBFrames, second: RGBFrames) -> RGBFrames:
    count = len(first)
    weight = np.arange(1, count + 1, dtype=np.float32)[:, None, None, None] / np.float32(count + 1)
    mixed = (1 - weight) * first + weight * second
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
