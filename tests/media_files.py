"""Shared fixtures: real media (tests/data/media, else ../shared/media), videos made with PyAV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from reelsearch.core.media.sample import PALETTE, write_video

REPO_MEDIA = Path(__file__).resolve().parent / "data" / "media"
SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"

RealMedia = Callable[[str], Path]


def real_media_file(relative: str) -> Path:
    """The real media file ``relative`` (e.g. ``"mdn/elf.mp4"``), skipping the test where absent.

    The small clips are in the repository (``tests/data/media``, see its LICENSES.md); the larger
    set stays in ``../shared/media``.
    """
    for root in (REPO_MEDIA, SHARED_MEDIA):
        if (root / relative).is_file():
            return root / relative
    pytest.skip(f"real test media {relative} is in neither {REPO_MEDIA} nor {SHARED_MEDIA}")


@pytest.fixture(scope="session")
def real_media() -> RealMedia:
    """``real_media("bbb/big_buck_bunny_0_30.webm")``: a real media file, or a skip naming it."""
    return real_media_file


MakeVideo = Callable[..., Path]


@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """``make_video("name.mp4", [("red", 24), ("blue", 36)])``: a generated video in tmp_path."""

    def make(name: str, segments: Sequence[tuple[str, int]], **kwargs: object) -> Path:
        return write_video(
            tmp_path / name,
            [(PALETTE[c], n) for c, n in segments],
            **kwargs,  # type: ignore[arg-type]
        )

    return make
