"""The ``blazeface`` face detector (MediaPipe's bundled BlazeFace short-range model on LiteRT)
on the portraits, on stills without faces, and as the ``faces`` algo's detector."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import av
import numpy as np
import pytest
from character_media import FACES, PlannedShot, shot_frames, write_video
from PIL import Image

import reelsearch.plugins.characters as characters
from reelsearch.plugins.characters.blazeface import (
    BlazeFaceConfig,
    BlazeFaceDetector,
    ssd_anchors,
    suppress,
)
from reelsearch.plugins.characters.detectors import DlibConfig, DlibHogDetector
from reelsearch.sdk import Algo, FaceBox, ModelUnavailableError

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ai_edge_litert") is None or not FACES.is_dir(),
    reason="needs the characters extra (ai-edge-litert) and tests/data/media/faces",
)
needs_dlib = pytest.mark.skipif(
    importlib.util.find_spec("dlib") is None, reason="needs the characters extra (dlib)"
)
PORTRAITS = ("obama.jpg", "obama1.jpg", "obama2.jpg", "biden.jpg", "biden2.jpg")


@pytest.fixture(scope="module")
def blazeface() -> BlazeFaceDetector:
    return BlazeFaceDetector(BlazeFaceConfig()).warmed()


def _portrait(name: str) -> np.ndarray:
    with Image.open(FACES / name) as still:
        return np.asarray(still.convert("RGB"))


def _iou(a: FaceBox, b: FaceBox) -> float:
    inter_w = max(0, min(a.right, b.right) - max(a.left, b.left))
    inter_h = max(0, min(a.bottom, b.bottom) - max(a.top, b.top))
    inter = inter_w * inter_h
    area = (a.right - a.left) * (a.bottom - a.top) + (b.right - b.left) * (b.bottom - b.top)
    return inter / (area - inter)


def test_anchors_are_mediapipe_short_range_layout() -> None:
    anchors = ssd_anchors()
    assert anchors.shape == (896, 2)
    # Stride 8: a 16x16 grid, two anchors per cell; then stride 16: 8x8, six per cell.
    assert np.allclose(anchors[0], anchors[1])
    assert np.allclose(anchors[0], [1 / 32, 1 / 32])
    assert np.allclose(anchors[2], [3 / 32, 1 / 32])
    assert np.allclose(anchors[511], [31 / 32, 31 / 32])
    assert np.allclose(anchors[512:518], [1 / 16, 1 / 16])
    assert np.allclose(anchors[518], [3 / 16, 1 / 16])
    assert np.allclose(anchors[-1], [15 / 16, 15 / 16])


def test_weighted_and_plain_suppression() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], np.float32)
    scores = np.array([0.6, 0.9, 0.8], np.float32)
    plain = suppress(boxes, scores, 0.3, weighted=False)
    assert [s for _, s in plain] == pytest.approx([0.9, 0.8])
    assert plain[0][0].tolist() == [1, 1, 11, 11]
    weighted = suppress(boxes, scores, 0.3)
    assert weighted[0][0].tolist() == pytest.approx([0.6, 0.6, 10.6, 10.6])
    assert weighted[1][0].tolist() == [50, 50, 60, 60]


@needs_dlib
@pytest.mark.parametrize("name", PORTRAITS)
def test_one_face_per_portrait_where_dlib_finds_it(blazeface, name: str) -> None:
    image = _portrait(name)
    (found,) = blazeface.detect_faces([image])
    (hog,) = DlibHogDetector(DlibConfig(upsample=0)).warmed().detect_faces([image])[0]
    assert len(found) == 1
    assert found[0].score >= 0.75
    assert _iou(found[0], hog) > 0.5


def test_no_face_on_stills_without_one(blazeface, real_media) -> None:
    x = np.linspace(0, 1, 640)[None, :, None]
    y = np.linspace(0, 1, 360)[:, None, None]
    gradient = np.clip(np.array([40, 120, 200]) * (0.6 + 0.4 * x) * (0.7 + 0.3 * y), 0, 255)
    noise = np.random.default_rng(0).integers(0, 256, (360, 640, 3))
    with av.open(str(real_media("mdn/pig.mp4"))) as container:
        table = next(container.decode(video=0)).to_ndarray(format="rgb24")
    stills = [gradient.astype(np.uint8), noise.astype(np.uint8), table]
    assert blazeface.detect_faces(stills) == [[], [], []]


@pytest.mark.parametrize("pair", [("obama.jpg", "biden2.jpg"), ("biden.jpg", "obama1.jpg")])
def test_two_portraits_side_by_side_give_two_faces(blazeface, pair: tuple[str, str]) -> None:
    frames = shot_frames(PlannedShot(pair, frozenset(), "zoom-in"), 0, count=3)
    for found in blazeface.detect_faces(frames):
        assert len(found) == 2
        assert sorted(f.right <= frames[0].shape[1] // 2 for f in found) == [False, True]


def test_a_missing_model_is_one_clear_error(tmp_path: Path) -> None:
    detector = BlazeFaceDetector(BlazeFaceConfig(model=str(tmp_path / "none.tflite")))
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        detector.warm_up()
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError, match="not a usable TFLite model"):
        BlazeFaceDetector(BlazeFaceConfig(model=str(broken))).warm_up()


PLAN = (
    PlannedShot(("obama.jpg",), frozenset({"obama"}), "zoom-in"),
    PlannedShot((), frozenset(), "still"),
    PlannedShot(("biden.jpg",), frozenset({"biden"}), "pan"),
    PlannedShot(("obama1.jpg",), frozenset({"obama"}), "pan"),
    PlannedShot((), frozenset(), "still"),
    PlannedShot(("biden2.jpg",), frozenset({"biden"}), "zoom-out"),
)


@needs_dlib
def test_faces_algo_with_blazeface_tracks_two_people(register_plugin, tmp_path: Path) -> None:
    video = tmp_path / "two.mp4"
    write_video(video, PLAN)
    runtime = register_plugin(
        characters,
        plugins=["shots", "content-detector", "postprocessors"],
        components={"algos": {"faces": {"detector": "blazeface"}}},
    )
    assert runtime.component(Algo, "faces").detector().name == "blazeface"
    runtime.ingest([video], title="Two", algos=["characters"])

    tracks = [p.payload for p in runtime.store.points("face_tracks")]
    shots = sorted(t["shot_index"] for t in tracks)
    assert shots == [n for n, shot in enumerate(PLAN) if shot.people]
    book = characters.book(runtime.store)
    people = sorted(sorted(c.shots) for c in book.characters(book.asset_ids("Two")))
    assert people == [[0, 3], [2, 5]]
