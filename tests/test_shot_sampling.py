"""Frame sampling inside shots, prefetched decoding and mean-pooled shot embeddings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reelsearch.sdk import (
    MediaError,
    Shot,
    embed_shots,
    prefetch_frames,
    sample_frames,
    short_side_size,
)
from reelsearch.sdk.testing import FakeEncoder

MakeVideo = Callable[..., Path]


def test_samples_are_the_middles_of_equal_parts() -> None:
    assert sample_frames(0, 24, 3) == [4, 12, 20]
    assert sample_frames(100, 101, 3) == [100]
    assert sample_frames(10, 12, 3) == [10, 11]
    assert sample_frames(0, 24, 1) == [12]
    assert sample_frames(5, 5, 3) == []


def test_frames_are_decoded_with_their_shorter_side_at_the_model_size() -> None:
    assert short_side_size((640, 360), 224) == (398, 224)
    assert short_side_size((360, 640), 224) == (224, 398)
    assert short_side_size((1920, 1080), 224) == (398, 224)
    assert short_side_size((64, 48), 224) == (64, 48)  # never up


def _prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "reelsearch-prefetch"]


def test_prefetch_yields_the_wanted_frames_in_order(make_video: MakeVideo) -> None:
    video = make_video("rb.mp4", [("red", 24), ("blue", 24)])
    frames = list(prefetch_frames(video, [47, 5, 0, 5, 100], (32, 24), prefetch=2))
    assert [index for index, _ in frames] == [0, 5, 47]
    assert all(image.shape == (24, 32, 3) for _, image in frames)
    assert frames[0][1][..., 0].mean() > 150  # red
    assert frames[2][1][..., 2].mean() > 150  # blue
    assert not _prefetch_threads()


def test_prefetch_stops_decoding_when_the_caller_stops(make_video: MakeVideo) -> None:
    video = make_video("long.mp4", [("red", 96)])
    frames = prefetch_frames(video, range(96), prefetch=1)
    assert next(frames)[0] == 0
    frames.close()
    assert not _prefetch_threads()


def test_prefetch_errors_reach_the_caller(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"missing\.mp4"):
        list(prefetch_frames(tmp_path / "missing.mp4", [0]))
    assert list(prefetch_frames(tmp_path / "missing.mp4", [])) == []
    assert not _prefetch_threads()


def test_shot_vectors_are_mean_pooled_frames(make_video: MakeVideo) -> None:
    video = make_video("rgb.mp4", [("red", 24), ("green", 24), ("blue", 24)])
    encoder = FakeEncoder()
    shots = [
        Shot(asset_id="a", index=i, start_frame=start, end_frame=start + 24, fps=24)
        for i, start in enumerate((0, 24, 48, 500))
    ]
    progress: list[tuple[int, int | None]] = []
    red, green, blue, beyond = embed_shots(
        encoder, video, shots, batch_size=2, progress=lambda d, t: progress.append((d, t))
    )
    assert beyond is None  # its frames lie past the end of the file
    words = ["red", "green", "blue"]
    texts = encoder.encode_text(words)
    for vector, colour in ((red, "red"), (green, "green"), (blue, "blue")):
        assert vector is not None
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
        assert words[int(np.argmax(texts @ vector))] == colour
    assert progress[-1] == (9, 12)
    assert [done for done, _ in progress] == [2, 4, 6, 8, 9]
