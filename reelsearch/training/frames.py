"""The frames each training pair is seen through, decoded once and kept in the feature store.

A pair's frames are sampled as the ``shot_embeddings`` algo samples a shot's
(:func:`~reelsearch.core.media.embeddings.sample_frames`, at the frame size its config gives),
decoded in one sequential pass per video (:func:`~reelsearch.core.media.prefetch.prefetch_frames`),
and stored as one feature-store entry per pair, keyed by the video's content hash, the frame
range and the sampling: later epochs, workers and runs read them instead of decoding again.
"""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.core.errors import MediaError
from reelsearch.core.features import FeatureKey, FeatureStore
from reelsearch.core.media.embeddings import sample_frames, short_side_size
from reelsearch.core.media.prefetch import prefetch_frames
from reelsearch.core.media.probe import probe
from reelsearch.training.pairs import ShotText, Skipped

CACHE_ALGO = "training_frames"
"""The feature-store name under which pairs' frames are cached."""
CACHE_VERSION = "1"

Frames = NDArray[np.uint8]
"""``(n, height, width, 3)`` RGB frames of one pair."""


class FrameSampling(BaseModel):
    """How a pair's frames are sampled and decoded (the ``shot_embeddings`` algo's settings)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frames_per_shot: int = Field(ge=1)
    frame_short_side: int = Field(ge=16)
    fast_decode: bool = True


class _CacheKey(FrameSampling):
    start_frame: int
    end_frame: int


def frame_key(pair: ShotText, sampling: FrameSampling) -> FeatureKey:
    """Where the frames of ``pair`` sampled with ``sampling`` are cached."""
    config = _CacheKey(
        **sampling.model_dump(), start_frame=pair.start_frame, end_frame=pair.end_frame
    )
    return FeatureKey.of(pair.content_hash, CACHE_ALGO, CACHE_VERSION, config)


def encode_frames(frames: Frames) -> str:
    """``frames`` as base64 text of a compressed ``.npz`` (lossless)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, frames=frames)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_frames_text(text: str) -> Frames:
    """The frames :func:`encode_frames` wrote."""
    with np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False) as data:
        frames: Frames = data["frames"]
    return frames


@dataclass
class CacheStats:
    """What :meth:`FrameCache.ensure` did."""

    cached_pairs: int = 0
    decoded_pairs: int = 0
    decoded_videos: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "cached_pairs": self.cached_pairs,
            "decoded_pairs": self.decoded_pairs,
            "decoded_videos": self.decoded_videos,
        }


class FrameCache:
    """Pairs' sampled frames in a feature store.

    Args:
        store: The feature store (any fsspec location).
        sampling: How frames are sampled and decoded.
    """

    def __init__(self, store: FeatureStore, sampling: FrameSampling) -> None:
        self.store = store
        self.sampling = sampling

    def ensure(
        self,
        pairs: Sequence[ShotText],
        skipped: Skipped,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[list[ShotText], CacheStats]:
        """Decode and store the frames of the pairs not cached yet, one pass per video.

        Returns:
            The pairs whose frames are cached (in order), and what was read or decoded.
            A pair whose video cannot be decoded, or whose range has no decodable frame,
            is left out and counted in ``skipped``.
        """
        stats = CacheStats()
        missing: dict[str, list[ShotText]] = defaultdict(list)
        for pair in pairs:
            if self.store.contains(frame_key(pair, self.sampling)):
                stats.cached_pairs += 1
            else:
                missing[pair.video].append(pair)
        failed: set[ShotText] = set()
        for done, (video, todo) in enumerate(missing.items(), 1):
            stats.decoded_videos += 1
            try:
                kept = self._decode(video, todo)
            except MediaError as exc:
                for pair in todo:
                    skipped.add("undecodable video", f"{pair.origin}: {exc}")
                failed.update(todo)
                continue
            for pair in todo:
                if pair in kept:
                    stats.decoded_pairs += 1
                else:
                    skipped.add("no decodable frame", f"{pair.origin}: no frame could be decoded")
                    failed.add(pair)
            if progress is not None:
                progress(done, len(missing))
        return [pair for pair in pairs if pair not in failed], stats

    def load(self, pair: ShotText) -> Frames:
        """The cached frames of ``pair``.

        Raises:
            KeyError: They are not in the cache (call :meth:`ensure` first).
        """
        key = frame_key(pair, self.sampling)
        records = self.store.get(key)
        if not records:
            raise KeyError(f"no cached frames for {pair.origin} ({self.store.path(key)})")
        return decode_frames_text(records[0]["frames"])

    def _decode(self, video: str, pairs: list[ShotText]) -> set[ShotText]:
        media = probe(video)
        size = short_side_size((media.width, media.height), self.sampling.frame_short_side)
        wanted = {
            pair: sample_frames(pair.start_frame, pair.end_frame, self.sampling.frames_per_shot)
            for pair in pairs
        }
        numbers = {number for frames in wanted.values() for number in frames}
        images = dict(
            prefetch_frames(video, numbers, size, skip_loop_filter=self.sampling.fast_decode)
        )
        kept = set()
        for pair, frames in wanted.items():
            found = [images[number] for number in frames if number in images]
            if not found:
                continue
            record = {"frames": encode_frames(np.stack(found)), "numbers": frames}
            self.store.put(frame_key(pair, self.sampling), [record])
            kept.add(pair)
        return kept
