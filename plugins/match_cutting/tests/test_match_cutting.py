"""Match cutting on videos with known answers: silhouettes framed alike rank first, pans in the
same direction rank first, repeated shots group while the MDN clips on one table do not all
merge, and 2,000 shots' pairs are scored at once."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from match_cutting_media import SIZE, clip_frames, media, pan_shot, portrait_shot, write_video

import reelsearch.plugins.match_cutting as match_cutting
from reelsearch.plugins.match_cutting import (
    Dedupe,
    MatchCutsAlgo,
    Motion,
    NearDuplicate,
    SilhouettesAlgo,
)
from reelsearch.plugins.match_cutting.representations import pack_mask, unpack_mask
from reelsearch.plugins.match_cutting.scoring import naive_top_pairs, top_pairs
from reelsearch.sdk import AlgoContext, Hit, MissingExtraError, SearchRequest

FACES = [
    "faces/obama.jpg",
    "faces/biden.jpg",
    "faces/biden2.jpg",
    "faces/obama1.jpg",
    "faces/obama2.jpg",
]


def _run(register_plugin, video: Path, **components):
    runtime = register_plugin(
        match_cutting,
        plugins=["shots", "content-detector"],
        components={"algos": components} if components else {},
    )
    runtime.ingest([video], algos=["match_cuts"])
    asset = runtime.asset(video)
    order = ["shots", "near_duplicates", "silhouettes", "motion", "match_cuts"]
    keys = runtime.pipeline.keys(asset, order)
    return runtime, {name: runtime.features.get(keys[name]) for name in order}


def _pairs(records, kind: str) -> list[tuple[int, int]]:
    (found,) = [r for r in records["match_cuts"] if r["kind"] == kind]
    return [(p["outgoing"]["index"], p["incoming"]["index"]) for p in found["pairs"]]


def _precision_at(k: int, pairs: list[tuple[int, int]], truth: set[frozenset[int]]) -> float:
    return sum(frozenset(p) in truth for p in pairs[:k]) / k


@pytest.fixture(scope="module")
def faces_video(tmp_path_factory) -> Path:
    photos = [media(name) for name in FACES]
    if any(p is None for p in photos):
        pytest.skip("the face stills (tests/data/media/faces or shared/media/faces) are absent")
    # Shots 0 and 2 frame a head large on the left, 1 and 4 large on the right; 3 is small.
    layout = [
        (photos[0], (0.28, 0.55, 0.95), (200, 40, 40)),
        (photos[1], (0.72, 0.55, 0.95), (40, 200, 40)),
        (photos[2], (0.28, 0.55, 0.95), (40, 40, 200)),
        (photos[3], (0.5, 0.75, 0.45), (220, 220, 40)),
        (photos[4], (0.72, 0.55, 0.95), (40, 220, 220)),
    ]
    frames = [f for photo, box, colour in layout for f in portrait_shot(photo, box, colour)]
    return write_video(tmp_path_factory.mktemp("faces") / "faces.mp4", frames)


def test_silhouettes_framed_alike_rank_first(register_plugin, faces_video: Path) -> None:
    _, records = _run(register_plugin, faces_video)
    assert len(records["shots"]) == 5
    pairs = _pairs(records, "frame")
    assert _precision_at(2, pairs, {frozenset((0, 2)), frozenset((1, 4))}) == 1.0
    areas = {r["index"]: r["incoming_area"] for r in records["silhouettes"]}
    assert areas[3] < areas[0] / 2  # the small portrait has a smaller silhouette
    (frame,) = [r for r in records["match_cuts"] if r["kind"] == "frame"]
    assert frame["candidates"] == 5
    assert frame["pairs"][0]["score"] > 0.5 > frame["pairs"][2]["score"]


@pytest.fixture(scope="module")
def pans_video(tmp_path_factory) -> Path:
    # Pans 0 and 2 move left to right (3 and 6 px a frame), 1 and 3 right to left (3 and 5).
    # Textures whose colours the content detector tells apart at every cut.
    pans = zip((3, 0, 1, 2), (3, -3, 6, -5), strict=True)
    frames = [f for seed, speed in pans for f in pan_shot(seed, speed, 30)]
    return write_video(tmp_path_factory.mktemp("pans") / "pans.mp4", frames)


def test_motion_in_the_same_direction_ranks_first(register_plugin, pans_video: Path) -> None:
    _, records = _run(register_plugin, pans_video)
    assert len(records["shots"]) == 4
    pairs = _pairs(records, "motion")
    assert _precision_at(2, pairs, {frozenset((0, 2)), frozenset((1, 3))}) == 1.0
    (motion,) = [r for r in records["match_cuts"] if r["kind"] == "motion"]
    assert motion["pairs"][0]["score"] > 0.9
    assert motion["pairs"][-1]["score"] < -0.9  # opposite directions
    speeds = {r["index"]: r["incoming_magnitude"] for r in records["motion"]}
    assert speeds[2] > 1.5 * speeds[0]  # twice the speed, same direction
    # No people in a textured pan: nothing for frame match cuts.
    (frame,) = [r for r in records["match_cuts"] if r["kind"] == "frame"]
    assert frame["candidates"] < 2
    assert frame["pairs"] == []


@pytest.fixture(scope="module")
def mdn_video(tmp_path_factory) -> Path:
    names = ["crystal", "elf", "frog", "monster", "pig", "rabbit"]
    paths = [media(f"mdn/{name}.mp4") for name in names]
    if any(p is None for p in paths):
        pytest.skip("the MDN clips (tests/data/media/mdn or shared/media/mdn) are absent")
    clips = [clip_frames(path, 0, 40) for path in paths]
    flash = [np.full((SIZE[1], SIZE[0], 3), 255, dtype=np.uint8)] * 10  # 0.4 s: too short
    # Six different clips on one table, a flash, then the crystal and the frog again.
    frames = [f for clip in [*clips, flash, clips[0], clips[2]] for f in clip]
    return write_video(tmp_path_factory.mktemp("mdn") / "mdn.mp4", frames)


def test_repeated_shots_group_and_mdn_clips_do_not_all_merge(
    register_plugin, mdn_video: Path
) -> None:
    runtime, records = _run(register_plugin, mdn_video)
    shots = [NearDuplicate.model_validate(r) for r in records["near_duplicates"]]
    assert len(shots) == 9
    assert [s.group for s in shots[:6]] == [0, 1, 2, 3, 4, 5]  # six different clips
    assert shots[6].dropped
    assert not shots[6].representative
    assert (shots[7].group, shots[8].group) == (0, 2)  # the repeats join the earliest shot
    assert shots[7].similarity > 0.99
    # Only representatives are paired.
    for kind in ("frame", "motion"):
        used = {i for pair in _pairs(records, kind) for i in pair}
        assert used <= {0, 1, 2, 3, 4, 5}
    (summary,) = [r for r in records["match_cuts"] if r["kind"] == "frame"]
    assert (summary["shots"], summary["representatives"]) == (9, 6)
    # The stored groups: one point per shot.
    stored = list(runtime.store.points("near_duplicates"))
    assert sorted(p.payload["group"] for p in stored) == [0, 0, 1, 2, 2, 3, 4, 5, 6]


def test_one_shot_gives_no_pairs_and_says_so(register_plugin, tmp_path: Path) -> None:
    video = write_video(tmp_path / "one.mp4", pan_shot(1, 2, 20))
    runtime, records = _run(register_plugin, video)
    assert [(r["kind"], r["shots"], r["pairs"]) for r in records["match_cuts"]] == [
        ("frame", 1, []),
        ("motion", 1, []),
    ]
    summaries = [p.payload for p in runtime.store.points("match_cuts")]
    assert {(p["row"], p["kind"], p["shots"]) for p in summaries} == {
        ("summary", "frame", 1),
        ("summary", "motion", 1),
    }


def test_pairs_match_the_naive_reference() -> None:
    rng = np.random.default_rng(7)
    outgoing, incoming = rng.normal(size=(60, 16)), rng.normal(size=(60, 16))
    from reelsearch.plugins.match_cutting.scoring import cosine_matrix, iou_matrix

    ours = top_pairs(cosine_matrix(outgoing, incoming), 25)
    naive = naive_top_pairs(outgoing.tolist(), incoming.tolist(), 25, "cosine")
    assert [(a, b) for a, b, _ in ours] == [(a, b) for a, b, _ in naive]
    assert np.allclose([s for *_, s in ours], [s for *_, s in naive], atol=1e-5)
    masks_out, masks_in = rng.random((40, 30)) > 0.6, rng.random((40, 30)) > 0.6
    ours = top_pairs(iou_matrix(masks_out, masks_in), 10)
    naive = naive_top_pairs(masks_out.tolist(), masks_in.tolist(), 10, "iou")
    assert np.allclose([s for *_, s in ours], [s for *_, s in naive], atol=1e-5)


def test_two_thousand_shots_are_paired(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 2000
    shots = [
        NearDuplicate(
            asset_id="a",
            index=i,
            start_frame=25 * i,
            end_frame=25 * i + 25,
            fps=25,
            group=i,
            similarity=1.0,
        )
        for i in range(n)
    ]
    silhouettes = [
        {
            "index": i,
            "width": 64,
            "height": 36,
            "outgoing": pack_mask(rng.random(64 * 36) > 0.7),
            "incoming": pack_mask(rng.random(64 * 36) > 0.7),
            "outgoing_area": 0.3,
            "incoming_area": 0.3,
        }
        for i in range(n)
    ]
    motion = [
        Motion(
            index=i,
            rows=8,
            cols=8,
            outgoing=rng.normal(size=128).tolist(),
            incoming=rng.normal(size=128).tolist(),
            outgoing_magnitude=0.01,
            incoming_magnitude=0.01,
        )
        for i in range(n)
    ]
    from reelsearch.plugins.match_cutting import Silhouette

    inputs = {
        "shots": shots,
        "near_duplicates": shots,
        "silhouettes": [Silhouette.model_validate(s) for s in silhouettes],
        "motion": motion,
    }
    asset = _asset("a")
    ctx = AlgoContext(asset, inputs, tmp_path, lambda kind, name: None)  # type: ignore[arg-type]
    records = MatchCutsAlgo().run(ctx)
    assert [(r.kind, r.candidates, len(r.pairs)) for r in records] == [
        ("frame", n, 500),
        ("motion", n, 500),
    ]
    scores = [p.score for p in records[1].pairs]
    assert scores == sorted(scores, reverse=True)


def _asset(asset_id: str):
    from reelsearch.sdk import Asset

    return Asset(id=asset_id, uri="/dev/null", title="synthetic", content_hash="0" * 64)


def test_masks_round_trip() -> None:
    mask = np.random.default_rng(1).random(64 * 36) > 0.5
    assert (unpack_mask(pack_mask(mask), mask.size) == mask).all()


def test_dedupe_collapses_near_duplicate_hits() -> None:
    def hit(shot: int, score: float, asset: str = "a") -> Hit:
        return Hit(
            id=f"{asset}{shot}",
            asset_id=asset,
            title="t",
            algo="visual",
            score=score,
            start=shot,
            end=shot + 1,
            shot_index=shot,
        )

    hits = [hit(0, 0.9), hit(5, 0.95), hit(2, 0.5), hit(7, 0.8), hit(0, 0.7, "b")]
    request = SearchRequest(text="x", options={"dedupe": {"groups": {"a": [[0, 5, 7]]}}})
    out = Dedupe().process(request, hits)
    assert [h.id for h in out] == ["a5", "b0", "a2"]
    assert out[0].extra["similar_count"] == 2
    assert [s["id"] for s in out[0].extra["similar"]] == ["a0", "a7"]
    assert "similar" not in out[1].extra


def test_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'reelsearch\[matchcut\]'"):
        SilhouettesAlgo().warm_up()


def test_frames_are_standardised_whatever_the_video_shape() -> None:
    assert SIZE == (320, 180)
    algo = SilhouettesAlgo()
    algo.warm_up()
    assert algo._segmenter.size == (256, 144)
