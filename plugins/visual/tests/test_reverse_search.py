"""Reverse search over real footage: a still from each of the six MDN clips finds a shot of its
own clip first, through the whole path (shots, the clip encoder loading a locally built model,
mean-pooled shot vectors in Qdrant Edge, the visual searcher)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from media_files import RealMedia
from PIL import Image as PILImage
from runtimes import isolated_runtime
from tiny_clip import save_layout_clip

from reelsearch.core.runtime import Runtime
from reelsearch.sdk import FramesAt, SearchRequest, probe, run_taps

CLIPS = ("crystal", "elf", "frog", "monster", "pig", "rabbit")


@pytest.fixture(scope="module")
def mdn(real_media: RealMedia) -> dict[str, Path]:
    return {name: real_media(f"mdn/{name}.mp4") for name in CLIPS}


@pytest.fixture(scope="module")
def runtime(mdn: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    folder = save_layout_clip(tmp_path_factory.mktemp("model") / "layout")
    clip = {"encoders": {"clip": {"checkpoint": str(folder)}}}
    with isolated_runtime(tmp_path_factory.mktemp("home"), components=clip) as rs:
        for name, path in mdn.items():
            rs.ingest([path], title=name, algos=["shot_embeddings"])
        yield rs


@pytest.fixture(scope="module")
def stills(mdn: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A frame from 45% into each clip (not one of the frames the shot vectors were made of)."""
    folder = tmp_path_factory.mktemp("stills")
    stills = {}
    for name, path in mdn.items():
        frames = FramesAt([int(0.45 * probe(path).frame_count)])
        run_taps(path, [frames])
        ((_, image),) = frames.frames.items()
        stills[name] = folder / f"{name}.png"
        PILImage.fromarray(image).save(stills[name])
    return stills


@pytest.mark.parametrize("clip", CLIPS)
def test_a_still_finds_its_own_clip_first(
    runtime: Runtime, stills: dict[str, Path], clip: str
) -> None:
    request = SearchRequest(image=str(stills[clip]), algos=["visual"], limit=3)
    hits = runtime.search(request).hits
    assert hits[0].title == clip, [(h.title, round(h.score, 3)) for h in hits]


def test_like_shot_never_returns_the_shot_itself(runtime: Runtime) -> None:
    everything = runtime.search(SearchRequest(text="a figurine", algos=["visual"], limit=100))
    assert {h.title for h in everything.hits} == set(CLIPS)
    for hit in everything.hits:
        like = runtime.search(SearchRequest(like=hit.id, algos=["visual"], limit=100)).hits
        assert hit.id not in {h.id for h in like}
        assert len(like) == len(everything.hits) - 1
