"""The ``shots`` algo: shots covering the video, thumbnails, clips, store points, registration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_files import MakeVideo, RealMedia
from PIL import Image

from reelsearch.core.host import PluginHost
from reelsearch.plugins.content_detector import ContentDetector
from reelsearch.plugins.shots import ShotRecord, ShotsAlgo, ShotsConfig, shots_from_cuts
from reelsearch.plugins.shots.thumbnails import ShotThumbnails, ThumbnailSampler
from reelsearch.sdk import (
    AlgoContext,
    Asset,
    Component,
    content_hash,
    decode_frames,
    point_id,
    probe,
    run_taps,
)

SEGMENTS = [("red", 20), ("blue", 30), ("green", 4), ("yellow", 26)]
"""A generated video's shots: cuts at 20, 50 and 54 (the green shot is only 4 frames long)."""


def asset_of(path: Path, title: str = "Clip") -> Asset:
    return Asset(id=content_hash(path), uri=str(path), title=title, media=probe(path))


def context(asset: Asset, home: Path) -> AlgoContext:
    def components(kind: str, name: str) -> Component:
        assert (kind, name) == ("detector", "content")
        return ContentDetector(ContentDetector.Config(min_shot_frames=2))

    return AlgoContext(
        asset, inputs={}, media_dir=home / "media" / asset.id / "shots", components=components
    )


def run(asset: Asset, home: Path, **options: object) -> list[ShotRecord]:
    return ShotsAlgo(ShotsConfig(**options)).run(context(asset, home))  # type: ignore[arg-type]


def assert_contiguous(records: list[ShotRecord], frames: int) -> None:
    assert records[0].start_frame == 0
    assert records[-1].end_frame == frames
    assert [r.end_frame for r in records[:-1]] == [r.start_frame for r in records[1:]]
    assert [r.index for r in records] == list(range(len(records)))


def test_bbb_shots_cover_every_frame_with_a_thumbnail_each(
    real_media: RealMedia, tmp_path: Path
) -> None:
    asset = asset_of(real_media("bbb/big_buck_bunny_0_30.webm"), "Big Buck Bunny")
    records = run(asset, tmp_path)
    assert [(r.start_frame, r.end_frame) for r in records] == [
        (0, 283),
        (283, 376),
        (376, 551),
        (551, 720),
    ]
    assert_contiguous(records, 720)
    assert records[1].start == pytest.approx(11.7917, abs=1e-4)
    assert records[1].start_timecode == "00:00:11:19"
    for record in records:
        assert record.clip is None
        assert record.thumbnail == f"media/{asset.id}/shots/shot-{record.index:04d}.jpg"
        with Image.open(tmp_path / record.thumbnail) as image:
            assert (image.format, image.size) == ("JPEG", (320, 180))


def test_clips_hold_exactly_their_shots_frames(make_video: MakeVideo, tmp_path: Path) -> None:
    video = make_video("colours.mp4", SEGMENTS, size=(96, 64))
    asset = asset_of(video)
    records = run(asset, tmp_path / "home", clips=True, min_shot_seconds=0.1)
    assert [(r.start_frame, r.end_frame) for r in records] == [
        (0, 20),
        (20, 50),
        (50, 54),
        (54, 80),
    ]
    for record in records:
        assert record.clip is not None
        assert record.thumbnail is not None
        clip = tmp_path / "home" / record.clip
        frames = np.concatenate(list(decode_frames(clip, (8, 8))))
        assert len(frames) == record.frame_count
        colour = frames.reshape(-1, 3).mean(axis=0)
        expected = {0: 0, 1: 2, 2: 1, 3: 0}[record.index]  # red, blue, green, yellow: main channel
        assert colour.argmax() == expected


def test_min_shot_seconds_merges_short_shots(make_video: MakeVideo, tmp_path: Path) -> None:
    asset = asset_of(make_video("colours.mp4", SEGMENTS, size=(96, 64)))
    records = run(asset, tmp_path, min_shot_seconds=0.5, thumbnails=False)
    assert [(r.start_frame, r.end_frame, r.thumbnail) for r in records] == [
        (0, 20, None),
        (20, 50, None),
        (50, 80, None),
    ]


def test_a_rerun_replaces_the_files_of_the_previous_one(
    make_video: MakeVideo, tmp_path: Path
) -> None:
    asset = asset_of(make_video("colours.mp4", SEGMENTS, size=(96, 64)))
    run(asset, tmp_path, min_shot_seconds=0.1, clips=True)
    run(asset, tmp_path, min_shot_seconds=0.5)
    folder = tmp_path / "media" / asset.id / "shots"
    assert sorted(p.name for p in folder.iterdir()) == [f"shot-000{i}.jpg" for i in range(3)]


def test_short_shots_without_a_candidate_get_their_thumbnail_from_a_second_pass(
    make_video: MakeVideo, tmp_path: Path
) -> None:
    video = make_video("colours.mp4", SEGMENTS, size=(96, 64))
    sampler = ThumbnailSampler((48, 32), every=40)
    for _ in decode_frames(video, taps=[sampler]):
        pass
    assert sampler.frames == [0, 40]
    shots = shots_from_cuts("a", [20, 50, 54], 80, 24.0)
    thumbnails = ShotThumbnails(shots, sampler, tmp_path, 24.0)
    assert thumbnails.fallback is not None
    # shot 0 has candidate 0 (at its edge, but inside it); shots 2 and 3 have none.
    assert thumbnails.fallback.numbers == {51, 66}  # their middles
    assert run_taps(video, [thumbnails.fallback]) == 67
    written = thumbnails.write()
    assert sorted(written) == [0, 1, 2, 3]
    with Image.open(written[2]) as image:
        assert image.size == (48, 32)
        assert np.asarray(image).reshape(-1, 3).mean(axis=0).argmax() == 1  # the green shot


def test_thumbnail_candidates_stay_bounded_and_evenly_spaced() -> None:
    sampler = ThumbnailSampler((4, 4), every=1, capacity=8)
    image = np.zeros((4, 4, 3), np.uint8)
    for index in range(100):
        if sampler.wants(index):
            sampler.take(index, image)
    assert sampler.every == 16
    assert sampler.frames == list(range(0, 100, 16))


def test_shots_from_cuts_cover_the_video_and_ignore_bad_cuts() -> None:
    shots = shots_from_cuts("a", [50, 0, 20, 20, 120, 55], 100, 25.0, min_frames=10)
    assert [(s.start_frame, s.end_frame) for s in shots] == [(0, 20), (20, 50), (50, 100)]
    assert shots_from_cuts("a", [], 0, 25.0) == []


def test_sink_writes_one_payload_point_per_shot() -> None:
    asset = Asset(id="f" * 64, uri="x.mp4", title="Bunny", metadata={"season": 1})
    records = [
        ShotRecord(asset_id=asset.id, index=0, start_frame=0, end_frame=48, fps=24.0),
        ShotRecord(
            asset_id=asset.id, index=1, start_frame=48, end_frame=72, fps=24.0, thumbnail="t.jpg"
        ),
    ]
    sink = ShotsAlgo().sink()
    spec = sink.collection()
    assert (spec.name, spec.vectors) == ("shots", {})
    points = list(sink.points(asset, records))
    assert [p.id for p in points] == [point_id(asset.id, "shots", "1", i) for i in (0, 1)]
    assert points[1].vectors == {}
    assert points[1].payload == {
        "asset_id": asset.id,
        "title": "Bunny",
        "metadata": {"season": 1},
        "start": 2.0,
        "end": 3.0,
        "shot_index": 1,
        "start_frame": 48,
        "end_frame": 72,
        "fps": 24.0,
        "thumbnail": "t.jpg",
        "clip": None,
    }


def test_the_plugins_register_through_their_entry_points() -> None:
    registry = PluginHost(allow=["shots", "content-detector", "transnetv2"]).load()
    assert registry.names("algo") == ["shots"]
    assert registry.names("detector") == ["content", "transnetv2"]
