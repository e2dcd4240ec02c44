"""Shot embeddings: frames sampled evenly inside each shot, embedded in batches while the
decoder runs ahead, mean-pooled per shot and L2-normalised.

Mean-pooling frame embeddings is what the seeds found best for shots (it beat learned temporal
models), and it costs nothing beyond the frames' own embeddings. The frames come from one
sequential decoding pass in a background thread (:func:`prefetch_frames`), so decoding overlaps
the encoder's forward pass.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from reelsearch.core.components import Encoder, ProgressCallback, Vectors
from reelsearch.core.media.decode import FrameSize, RGBImage, scaled_size
from reelsearch.core.media.prefetch import DEFAULT_PREFETCH, prefetch_frames
from reelsearch.core.models import Shot

Vector = NDArray[np.float32]
"""One L2-normalised embedding."""


def sample_frames(start_frame: int, end_frame: int, count: int) -> list[int]:
    """``count`` frames spread evenly over ``[start_frame, end_frame)``: the middle frame of each
    of ``count`` equal parts, ascending, without duplicates (fewer for a range shorter than
    ``count``)."""
    length = end_frame - start_frame
    if length <= 0 or count < 1:
        return []
    return sorted({start_frame + int((part + 0.5) * length / count) for part in range(count)})


def short_side_size(size: FrameSize, side: int) -> FrameSize:
    """``size`` scaled so that its shorter side is ``side`` (never up), keeping the aspect
    ratio, rounded to even numbers: the decode size that leaves an encoder's own resize to a
    ``side``-pixel square next to nothing to do."""
    width, height = size
    return scaled_size(size, round(width * side / min(width, height)))


def unit(vector: NDArray[np.floating]) -> Vector:
    """``vector`` scaled to length 1, as float32 (a zero vector stays zero)."""
    norm = float(np.linalg.norm(vector))
    return np.asarray(vector / norm if norm > 0 else vector, dtype=np.float32)


def mean_pool(vectors: Vectors, weights: Sequence[float] | None = None) -> Vector:
    """The L2-normalised mean of the rows of ``vectors``, weighted by ``weights`` if given."""
    if len(vectors) == 0:
        raise ValueError("cannot pool zero vectors")
    return unit(np.average(np.asarray(vectors, dtype=np.float64), axis=0, weights=weights))


def embed_shots(
    encoder: Encoder,
    video: str | os.PathLike[str],
    shots: Sequence[Shot],
    *,
    frames_per_shot: int = 3,
    batch_size: int = 32,
    frame_size: FrameSize | None = None,
    prefetch: int = DEFAULT_PREFETCH,
    skip_loop_filter: bool = False,
    progress: ProgressCallback | None = None,
) -> list[Vector | None]:
    """One mean-pooled, L2-normalised embedding per shot, from one decoding pass.

    Args:
        encoder: Embeds the frames (``encode_images``), with its own resize and crop.
        video: The video file the shots are in.
        shots: The shots, in any order (frame ranges need not cover the video).
        frames_per_shot: Frames sampled evenly inside each shot (see :func:`sample_frames`).
        batch_size: Frames per ``encode_images`` call.
        frame_size: ``(width, height)`` frames are decoded at before the encoder sees them
            (see :func:`short_side_size`); ``None`` keeps the video's own size.
        prefetch: Frames decoded ahead of the encoder, at most.
        skip_loop_filter: Decode faster, with slightly blockier frames.
        progress: Called as ``progress(frames embedded, frames sampled)``.

    Returns:
        The embedding of each shot, in the order of ``shots``; ``None`` for a shot none of whose
        sampled frames could be decoded (frames past the end of the file).

    Raises:
        MediaError: The video cannot be opened or decoded.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    owner: dict[int, int] = {}
    for position, shot in enumerate(shots):
        for frame in sample_frames(shot.start_frame, shot.end_frame, frames_per_shot):
            owner[frame] = position
    report = progress or (lambda done, total: None)
    pool = _ShotPool(encoder, owner, len(shots), report)
    for frame, image in prefetch_frames(
        video, owner, frame_size, prefetch=prefetch, skip_loop_filter=skip_loop_filter
    ):
        pool.add(frame, image)
        if pool.pending == batch_size:
            pool.flush()
    pool.flush()
    return pool.vectors()


class _ShotPool:
    """Sums of frame embeddings per shot, filled a batch at a time."""

    def __init__(
        self, encoder: Encoder, owner: dict[int, int], shots: int, progress: ProgressCallback
    ) -> None:
        self.encoder = encoder
        self.owner = owner
        self.progress = progress
        self.sums: NDArray[np.float64] | None = None
        self.counts = np.zeros(shots, dtype=np.int64)
        self.done = 0
        self._frames: list[int] = []
        self._images: list[RGBImage] = []

    @property
    def pending(self) -> int:
        return len(self._frames)

    def add(self, frame: int, image: RGBImage) -> None:
        self._frames.append(frame)
        self._images.append(image)

    def flush(self) -> None:
        if not self._frames:
            return
        vectors = self.encoder.encode_images(self._images)
        if self.sums is None:
            self.sums = np.zeros((len(self.counts), vectors.shape[1]), dtype=np.float64)
        positions = [self.owner[frame] for frame in self._frames]
        np.add.at(self.sums, positions, vectors)
        np.add.at(self.counts, positions, 1)
        self.done += len(self._frames)
        self.progress(self.done, len(self.owner))
        self._frames, self._images = [], []

    def vectors(self) -> list[Vector | None]:
        if self.sums is None:
            return [None] * len(self.counts)
        # The direction of a sum is that of the mean: normalising it gives the pooled vector.
        return [
            unit(total) if count else None
            for total, count in zip(self.sums, self.counts, strict=True)
        ]
