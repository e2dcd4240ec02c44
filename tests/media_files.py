"""Fixtures for the tests under tests/ and each plugin's own tests (plugins/*/tests): real media
(tests/data/media, else ../shared/media) and generated videos.

pytest loads this module as a plugin (``-p media_files`` in pyproject.toml, with tests/ on its
``pythonpath``), so the fixtures reach every test folder, and the test helpers in tests/
(``runtimes``, ``tiny_clip``, ...) import by their module name from each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from reelsearch.core.media.sample import PALETTE, write_video

REPO_MEDIA = Path(__file__).resolve().parent / "data" / "media"
SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"

RealMedia = Callable[[str], Path]
"""The ``real_media`` fixture: ``real_media("mdn/elf.mp4")`` is a real file, or a skip."""

MakeVideo = Callable[..., Path]
"""The ``make_video`` fixture: ``make_video("name.mp4", [("red", 24), ("blue", 36)])``."""


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
