"""Real test media (tests/data/media, else ../shared/media) and the fixtures' types."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
