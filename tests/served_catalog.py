"""A catalog to serve in the server and web UI tests (a pytest plugin: ``served_runtime`` and
a ``client`` over it).

Three generated titles, ingested with the built-in ``shots`` algo (thumbnails and clips) and the
example ``colorstats`` plugin (search windows by colour name or like another window), plus a
searcher by uploaded still that these tests register, so every route has real hits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Hit, SearchContext, Searcher, SearchRequest, hookimpl
from reelsearch.sdk.testing import PALETTE, write_video
from reelsearch.server import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "colorstats"

# Imported from the source tree for these tests only: the folder leaves sys.path again so that
# no metadata there is ever mistaken for an installed distribution.
sys.path.insert(0, str(EXAMPLE))
try:
    import reelsearch_colorstats
    from reelsearch_colorstats.searcher import COLOURS, ColorSearcher
finally:
    sys.path.remove(str(EXAMPLE))

TITLES: dict[str, list[tuple[str, int]]] = {
    "Red Planet": [("red", 60), ("orange", 50), ("red", 50)],
    "Green Valley": [("green", 60), ("yellow", 50), ("red", 50)],
    "Night Sky": [("blue", 60), ("purple", 50), ("pink", 50)],
}
"""Each title's shots: colour and length in frames (24 fps); 7 one-second windows each."""

BUILT_INS = ("shots", "content-detector", "postprocessors")
"""The installed plugins these tests load: whatever else is installed stays out."""


class StillColourSearcher(ColorSearcher):
    """Windows nearest the mean colour of an uploaded still, by the nearest colour name."""

    name = "still-colour"
    description = "Find time windows by the colour of a still."
    query_kinds: ClassVar[frozenset[str]] = frozenset({"image"})

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        assert request.image is not None
        with Image.open(request.image) as image:
            rgb = np.asarray(image.convert("RGB"), dtype=float).reshape(-1, 3).mean(axis=0) / 255
        colour = min(COLOURS, key=lambda name: float(np.sum((np.array(COLOURS[name]) - rgb) ** 2)))
        return super().search(request.model_copy(update={"image": None, "text": colour}), ctx)


class StillColourPlugin:
    @hookimpl
    def register_searchers(self, register: Callable[[type[Searcher]], None]) -> None:
        register(StillColourSearcher)


@contextmanager
def served_catalog(folder: Path) -> Iterator[Runtime]:
    """A runtime over a fresh data home in ``folder`` with :data:`TITLES` ingested."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("CONFIG", "STORE_URL", "PLUGINS", "DISABLE_PLUGINS", "API_KEY"):
            env.delenv(f"REELSEARCH_{name}", raising=False)
        settings = load_settings(
            home=folder / "home",
            plugins=list(BUILT_INS),
            algos=["shots", "colorstats"],
            components={"algos": {"shots": {"clips": True}}},
        )
    runtime = Runtime(
        settings,
        plugins=[
            LocalPlugin("colorstats", reelsearch_colorstats),
            LocalPlugin("still-colour", StillColourPlugin()),
        ],
        executor=LocalExecutor(),
    )
    with runtime:
        for title, shots in TITLES.items():
            video = write_video(
                folder / "videos" / f"{title}.mp4",
                [(PALETTE[colour], frames) for colour, frames in shots],
                size=(320, 180),
                moving_square=True,
            )
            runtime.ingest([video], title=title)
        yield runtime


@pytest.fixture(scope="module")
def served_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A runtime over :data:`TITLES`, ingested once per test module."""
    with served_catalog(tmp_path_factory.mktemp("served")) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def client(served_runtime: Runtime) -> Iterator[TestClient]:
    """A test client of the app over :func:`served_runtime`."""
    with TestClient(create_app(served_runtime)) as test_client:
        yield test_client
