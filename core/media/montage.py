"""Edited videos with exactly known cuts, assembled from real clips: test and benchmark media.

Where each transition puts its cut (the first frame of the new shot):

- ``cut``: the first frame of the next clip.
- ``dissolve`` of ``frames`` frames: frame ``j`` of the transition blends the clips with weight
  ``(j + 1) / (frames + 1)`` on the next one; the cut is the first frame where the next clip
  weighs at least half, ``start + frames // 2``.
- ``fade``: ``frames`` frames fading out to black, ``hold`` black frames, ``frames`` frames
  fading in; the cut is the middle of the black, ``start + frames + hold // 2``.

Transitions overlap the clips (a dissolve uses the last frames of one clip and the first frames
of the next), so the montage is shorter than the clips laid end to end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from reelsearch.core.media.decode import FrameSize, RGBFrames, decode_frames
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


CUT = Transition()


def read_clip(
    path: str | os.PathLike[str], size: FrameSize, *, start: int = 0, count: int | None = None
) -> RGBFrames:
    """Frames ``[start, start + count)`` of a video, scaled to ``size`` (all by default)."""
    batches: list[RGBFrames] = []
    end = None if count is None else start + count
    seen = 0
    for batch in decode_frames(path, size):
        first = seen
        seen += len(batch)
        if seen > start:
            batches.append(batch[max(0, start - first) : None if end is None else end - first])
        if end is not None and seen >= end:
            break
    return np.concatenate(batches) if batches else np.empty((0, size[1], size[0], 3), np.uint8)


def assemble(
    clips: Sequence[RGBFrames], transitions: Sequence[Transition]
) -> tuple[Iterator[RGBFrames], list[int]]:
    """Join ``clips`` with ``transitions`` (one fewer than the clips).

    Returns:
        The montage as an iterator of frame runs, and its cut frames.
    """
    if len(transitions) != len(clips) - 1:
        raise ValueError(f"{len(clips)} clips need {len(clips) - 1} transitions")
    cuts: list[int] = []
    position = 0
    for index, transition in enumerate(transitions):
        before = clips[index]
        lead = transitions[index - 1].overlap if index else 0
        position += len(before) - lead - transition.overlap
        if len(before) < lead + transition.overlap:
            raise ValueError(f"clip {index} is shorter than its transitions")
        cuts.append(position + _cut_offset(transition))
        position += _length(transition)
    return _frames(clips, transitions), cuts


def write_montage(
    path: str | os.PathLike[str],
    clips: Sequence[RGBFrames],
    transitions: Sequence[Transition],
    fps: float,
) -> list[int]:
    """Write the montage of ``clips`` as an H.264 MP4 and return its cut frames."""
    runs, cuts = assemble(clips, transitions)
    height, width = clips[0].shape[1:3]
    with VideoWriter(path, fps, (width, height), crf=18) as writer:
        for run in runs:
            for frame in run:
                writer.write(frame)
    return cuts


def _cut_offset(transition: Transition) -> int:
    if transition.kind == "dissolve":
        return transition.frames // 2
    if transition.kind == "fade":
        return transition.frames + transition.hold // 2
    return 0


def _length(transition: Transition) -> int:
    if transition.kind == "fade":
        return 2 * transition.frames + transition.hold
    return transition.overlap


def _frames(clips: Sequence[RGBFrames], transitions: Sequence[Transition]) -> Iterator[RGBFrames]:
    for index, clip in enumerate(clips):
        lead = transitions[index - 1].overlap if index else 0
        tail = transitions[index].overlap if index < len(transitions) else 0
        yield clip[lead : len(clip) - tail]
        if index < len(transitions):
            yield _blend(clip[len(clip) - tail :], clips[index + 1][:tail], transitions[index])


def _blend(outgoing: RGBFrames, incoming: RGBFrames, transition: Transition) -> RGBFrames:
    if transition.kind == "cut":
        return outgoing[:0]
    if transition.kind == "dissolve":
        return _mix(outgoing, incoming)
    black = np.zeros_like(outgoing)
    hold = np.zeros((transition.hold, *outgoing.shape[1:]), np.uint8)
    return np.concatenate([_mix(outgoing, black), hold, _mix(black, incoming)])


def _mix(first: RGBFrames, second: RGBFrames) -> RGBFrames:
    count = len(first)
    weight: NDArray[np.float32] = (np.arange(1, count + 1, dtype=np.float32) / (count + 1))[
        :, None, None, None
    ]
    mixed = (1 - weight) * first + weight * second
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
