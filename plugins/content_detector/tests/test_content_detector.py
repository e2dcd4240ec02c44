"""The content detector: exact cuts on real footage, gradual transitions, flashes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cut_checks import BBB_CUTS, assert_cuts_near, detect
from media_files import RealMedia
from pydantic import ValidationError

from reelsearch.plugins.content_detector import ContentDetector
from reelsearch.sdk.testing.montage import CUT, Transition, clip_frames, write_montage

MDN = ("crystal", "elf", "frog", "monster", "pig", "rabbit")


@pytest.fixture(scope="module")
def bbb(real_media: RealMedia) -> Path:
    return real_media("bbb/big_buck_bunny_0_30.webm")


@pytest.fixture(scope="module")
def mdn_cuts(
    real_media: RealMedia, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[int]]:
    """The six MDN clips joined by hard cuts, re-encoded small."""
    size = (192, 128)
    clips = [clip_frames(real_media(f"mdn/{name}.mp4"), size) for name in MDN]
    path = tmp_path_factory.mktemp("mdn") / "mdn-cuts.mp4"
    return path, write_montage(path, clips, [CUT] * 5, 30.0, size)


@pytest.fixture(scope="module")
def transitions(
    real_media: RealMedia, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[int]]:
    """Big Buck Bunny shots and MDN clips joined by dissolves and a fade through black."""
    size = (192, 108)
    bbb = real_media("bbb/big_buck_bunny_0_30.webm")
    clips = [
        clip_frames(bbb, size, start=283, count=93),
        clip_frames(real_media("mdn/crystal.mp4"), size, count=100),
        clip_frames(bbb, size, start=376, count=120),
        clip_frames(real_media("mdn/frog.mp4"), size, count=100),
    ]
    steps = [Transition("dissolve", 12), Transition("dissolve", 20), Transition("fade", 8, 4)]
    path = tmp_path_factory.mktemp("transitions") / "transitions.mp4"
    return path, write_montage(path, clips, steps, 24.0, size)


# --- content detector ------------------------------------------------------------------------


def test_content_detector_finds_exactly_the_three_bbb_cuts(bbb: Path) -> None:
    # No cut in the fade in from black, the slow pan or the text overlays.
    assert detect(ContentDetector(), bbb) == BBB_CUTS


def test_content_detector_finds_every_cut_between_the_mdn_clips(
    mdn_cuts: tuple[Path, list[int]],
) -> None:
    path, truth = mdn_cuts
    assert truth == [359, 600, 848, 1068, 1264]
    assert detect(ContentDetector(), path) == truth


def test_content_detector_places_dissolves_and_fades(transitions: tuple[Path, list[int]]) -> None:
    path, truth = transitions
    assert_cuts_near(detect(ContentDetector(), path), truth)


def test_content_detector_without_gradual_detection_sees_no_cut_there(
    transitions: tuple[Path, list[int]],
) -> None:
    path, _ = transitions
    config = ContentDetector.Config(dissolves=False, fades=False)
    assert detect(ContentDetector(config), path) == []


def _shot(seed: int, frames: int) -> np.ndarray:
    """A 48x27 'shot': coarse random colour blocks drifting slowly to the left."""
    blocks = np.random.default_rng(seed).integers(30, 220, size=(6, 16, 3)).astype(np.uint8)
    picture = np.kron(blocks, np.ones((5, 5, 1), np.uint8))  # 30 x 80
    return np.stack([picture[:27, i // 4 : i // 4 + 48] for i in range(frames)])


def test_a_flash_is_not_a_cut() -> None:
    frames = np.concatenate([_shot(1, 60), _shot(2, 60)])
    frames[30:32] = 255  # two white frames inside the first shot
    assert ContentDetector().detect([frames], 24.0) == [60]
    no_suppression = ContentDetector(ContentDetector.Config(flash_frames=0))
    assert 30 in no_suppression.detect([frames], 24.0)


def test_cuts_closer_than_the_minimum_shot_are_thinned() -> None:
    frames = np.concatenate([_shot(1, 40), _shot(2, 4), _shot(3, 40)])
    assert len(ContentDetector().detect([frames], 24.0)) == 1
    assert ContentDetector(ContentDetector.Config(min_shot_frames=2)).detect([frames], 24.0) == [
        40,
        44,
    ]


def test_batch_boundaries_do_not_change_the_result() -> None:
    frames = np.concatenate([_shot(seed, 50) for seed in range(5)])
    whole = ContentDetector().detect([frames], 24.0)
    pieces = ContentDetector().detect([frames[i : i + 7] for i in range(0, len(frames), 7)], 24.0)
    assert whole == pieces == [50, 100, 150, 200]


def test_content_config_forbids_unknown_options() -> None:
    with pytest.raises(ValidationError):
        ContentDetector.Config(treshold=0.3)  # type: ignore[call-arg]
