"""A representative frame per shot, as a JPEG, chosen without a second decoding pass.

Cuts are known only once the whole video has been decoded, so the frame for each shot cannot
be chosen while it streams past. A :class:`ThumbnailSampler` rides along the detection pass
and keeps evenly spaced candidate frames, JPEG-encoded at thumbnail size (a few kB each), in
bounded memory: when it holds ``capacity`` candidates it drops every other one and doubles its
spacing. :class:`ShotThumbnails` then picks, for each shot, the candidate nearest the shot's
middle, a little inside it. Only shots shorter than the final spacing can lack a candidate;
their frames come from :attr:`ShotThumbnails.fallback`, a tap for one further pass that stops
after the last frame it needs (and that can share the pass that writes clips).
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image as PILImage

from reelsearch.sdk import FramesAt, FrameSize, FrameTap, RGBImage, Shot, write_bytes_atomic

JPEG_QUALITY = 85
DEFAULT_CAPACITY = 4096


def encode_jpeg(image: RGBImage, quality: int = JPEG_QUALITY) -> bytes:
    """An RGB image as JPEG bytes."""
    buffer = io.BytesIO()
    PILImage.fromarray(image, mode="RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def preferred_frame(shot: Shot) -> int:
    """The frame that best represents ``shot``: its middle."""
    return (shot.start_frame + shot.end_frame - 1) // 2


def inner_range(shot: Shot, fps: float) -> tuple[int, int]:
    """Frames of ``shot`` away from its ends (half a second, at most a quarter of the shot),
    where transitions and fades have finished."""
    margin = min(round(fps / 2), shot.frame_count // 4)
    return shot.start_frame + margin, shot.end_frame - margin


class ThumbnailSampler(FrameTap):
    """Keeps every ``every``-th frame as a JPEG candidate, in at most ``capacity`` candidates.

    Args:
        size: ``(width, height)`` of the thumbnails.
        every: Initial spacing of candidates in frames.
        capacity: Most candidates kept; beyond it the spacing doubles.
        quality: JPEG quality.
    """

    def __init__(
        self,
        size: FrameSize,
        every: int,
        *,
        capacity: int = DEFAULT_CAPACITY,
        quality: int = JPEG_QUALITY,
    ) -> None:
        super().__init__(size)
        if every < 1 or capacity < 2:
            raise ValueError("every must be >= 1 and capacity >= 2")
        self.every = every
        self.capacity = capacity
        self.quality = quality
        self._candidates: dict[int, bytes] = {}

    def wants(self, index: int) -> bool:
        return index % self.every == 0

    def take(self, index: int, image: RGBImage) -> None:
        self._candidates[index] = encode_jpeg(image, self.quality)
        if len(self._candidates) > self.capacity:
            self.every *= 2
            self._candidates = {
                i: jpeg for i, jpeg in self._candidates.items() if i % self.every == 0
            }

    @property
    def frames(self) -> list[int]:
        """Frame numbers of the candidates, ascending."""
        return sorted(self._candidates)

    def pick(self, shot: Shot, fps: float) -> tuple[int, bytes] | None:
        """The candidate nearest the middle of ``shot``, preferring its inner range."""
        frames = self.frames
        target = preferred_frame(shot)
        for low, high in (inner_range(shot, fps), (shot.start_frame, shot.end_frame)):
            inside = frames[bisect.bisect_left(frames, low) : bisect.bisect_left(frames, high)]
            if inside:
                best = min(inside, key=lambda frame: abs(frame - target))
                return best, self._candidates[best]
        return None


class ShotThumbnails:
    """Plans and writes one JPEG per shot, named ``shot-<index>.jpg`` in ``directory``.

    Args:
        shots: The shots of one video.
        sampler: The sampler that rode along the detection pass.
        directory: Where the JPEGs go.
        fps: The video's frame rate.

    Attributes:
        fallback: A tap for a further pass collecting the frames of the shots that got no
            candidate, or ``None`` when every shot has one.
    """

    def __init__(
        self, shots: Sequence[Shot], sampler: ThumbnailSampler, directory: Path, fps: float
    ) -> None:
        self.directory = directory
        self.quality = sampler.quality
        self._chosen: dict[int, bytes] = {}
        self._missing: dict[int, int] = {}
        for shot in shots:
            picked = sampler.pick(shot, fps)
            if picked is None:
                self._missing[shot.index] = preferred_frame(shot)
            else:
                self._chosen[shot.index] = picked[1]
        self.fallback: FramesAt | None = (
            FramesAt(self._missing.values(), sampler.size) if self._missing else None
        )

    def path(self, index: int) -> Path:
        """Where the thumbnail of shot ``index`` is written."""
        return self.directory / f"shot-{index:04d}.jpg"

    def write(self) -> dict[int, Path]:
        """Write the thumbnails (run the :attr:`fallback` pass first, if any).

        Returns:
            Shot index -> path of its JPEG, for every shot that has one.
        """
        jpegs = dict(self._chosen)
        if self.fallback is not None:
            for index, frame in self._missing.items():
                image = self.fallback.frames.get(frame)
                if image is not None:
                    jpegs[index] = encode_jpeg(image, self.quality)
        return {index: write_bytes_atomic(self.path(index), jpeg) for index, jpeg in jpegs.items()}
