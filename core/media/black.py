"""Black frames, and what they mean for shot boundaries.

A fade out to black followed by a fade in is one transition between two shots, whatever the
detector sees on each side of the black; a fade in from black at the very start of a video
(or out to black at its very end) is no transition at all. Detectors resolve both the same way:
each run of near-black frames with picture on both sides is one cut, at its middle, and no
other cut is taken within ``reach`` frames of a black run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reelsearch.core.media.decode import RGBFrames

DARK_LEVEL = 24.0
"""Mean luma (0-255) under which a frame counts as black."""
DARK_SPREAD = 12.0
"""Standard deviation of luma under which a dark frame counts as flat (not a night scene)."""

LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)

Floats = NDArray[np.float32]


def brightness(frames: RGBFrames) -> tuple[Floats, Floats]:
    """Mean and standard deviation of the luma of each RGB frame (0-255)."""
    luma = frames.astype(np.float32) @ LUMA_WEIGHTS
    return luma.mean(axis=(1, 2), dtype=np.float32), luma.std(axis=(1, 2), dtype=np.float32)


def runs_of(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1).tolist()
    ends = np.flatnonzero(edges == -1).tolist()
    return list(zip(starts, ends, strict=True))


@dataclass(frozen=True)
class BlackRuns:
    """The runs of near-black frames of a video.

    Attributes:
        runs: ``[start, end)`` of each run.
        frames: Frames in the video.
        reach: Frames either side of a run within which other cuts are absorbed by it.
    """

    runs: list[tuple[int, int]]
    frames: int
    reach: int

    @classmethod
    def find(
        cls,
        luma: Floats,
        spread: Floats,
        *,
        reach: int,
        level: float = DARK_LEVEL,
        flatness: float = DARK_SPREAD,
    ) -> BlackRuns:
        """The black runs, from each frame's mean luma and its spread (see :func:`brightness`)."""
        return cls(runs_of((luma < level) & (spread < flatness)), len(luma), reach)

    def cuts(self) -> list[int]:
        """One cut at the middle of each run with picture on both sides."""
        return [(start + end) // 2 for start, end in self.runs if start > 0 and end < self.frames]

    def absorbs(self, frame: int) -> bool:
        """Whether a cut at ``frame`` lies within :attr:`reach` of a black run."""
        return any(start - self.reach <= frame < end + self.reach for start, end in self.runs)

    def resolve(self, cuts: Sequence[int]) -> list[int]:
        """``cuts`` away from black runs, plus one cut per run between pictures, sorted."""
        return sorted({*self.cuts(), *(cut for cut in cuts if not self.absorbs(cut))})
