"""Which frames of each shot the match-cutting algos look at, and one decoding pass that hands
them over as they come (nothing is kept but what each algo sums up)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reelsearch.sdk import FrameSize, FrameTap, Shot, run_taps, sample_frames

RGB = NDArray[np.uint8]


@dataclass(frozen=True)
class Boundary:
    """Frames at the ends of a shot: ``incoming`` are its first, ``outgoing`` its last."""

    incoming: tuple[int, ...]
    outgoing: tuple[int, ...]


def boundary(shot: Shot, count: int) -> Boundary:
    """The first and last ``count`` frames of ``shot`` (fewer in a shorter shot)."""
    count = max(1, min(count, shot.end_frame - shot.start_frame))
    return Boundary(
        incoming=tuple(range(shot.start_frame, shot.start_frame + count)),
        outgoing=tuple(range(shot.end_frame - count, shot.end_frame)),
    )


def inside(shot: Shot, count: int) -> tuple[int, ...]:
    """``count`` frames spread evenly inside ``shot``."""
    return tuple(sample_frames(shot.start_frame, shot.end_frame, count))


class FrameFeed(FrameTap):
    """Gives each wanted frame, at ``size``, to ``handle(frame_number, image)`` as it decodes.

    Args:
        numbers: The frames wanted.
        size: ``(width, height)`` every frame is scaled to, whatever the video's shape: the
            representations are then comparable across videos.
        handle: Called once per wanted frame, in frame order.
    """

    def __init__(
        self, numbers: Iterable[int], size: FrameSize, handle: Callable[[int, RGB], None]
    ) -> None:
        super().__init__(size)
        self.numbers = frozenset(numbers)
        self.handle = handle
        self._last = max(self.numbers, default=-1)
        self._seen = -1

    def wants(self, index: int) -> bool:
        self._seen = index
        return index in self.numbers

    def take(self, index: int, image: RGB) -> None:
        self.handle(index, image)

    @property
    def done(self) -> bool:
        return self._seen >= self._last


def feed_frames(
    video: str, owners: Mapping[int, Sequence[int]], size: FrameSize
) -> dict[int, list[tuple[int, RGB]]]:
    """Decode ``video`` once, up to the last frame needed, and collect the frames each owner
    (e.g. a shot) wants: ``owners`` maps a frame number to the owners that want it.

    Returns:
        Owner -> its ``(frame number, image)`` pairs in frame order. Meant for a few small
        frames per owner; algos that want more use :class:`FrameFeed` with a summarising
        handler.
    """
    collected: dict[int, list[tuple[int, RGB]]] = {}

    def keep(number: int, image: RGB) -> None:
        for owner in owners[number]:
            collected.setdefault(owner, []).append((number, image))

    run_taps(video, [FrameFeed(owners, size, keep)])
    return collected


def owners_of(frames: Mapping[int, Iterable[int]]) -> dict[int, list[int]]:
    """Invert ``owner -> frames`` into ``frame -> owners``."""
    out: dict[int, list[int]] = {}
    for owner, numbers in frames.items():
        for number in numbers:
            out.setdefault(number, []).append(owner)
    return out
