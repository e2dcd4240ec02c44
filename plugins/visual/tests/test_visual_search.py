"""Visual search end to end with the SDK's fake encoder: shot embeddings are computed, stored
and found by text, still, clip and example shot, within titles or metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from pydantic import ValidationError
from runtimes import FAKE_ENCODER, FakeEncoderPlugin, isolated_runtime

from reelsearch.core.config import load_settings
from reelsearch.core.errors import ConfigError
from reelsearch.core.media.sample import write_video
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.visual import COLLECTION, ShotEmbeddingsAlgo
from reelsearch.sdk import (
    ModelUnavailableError,
    PointFilter,
    RequestError,
    SearchFilter,
    SearchRequest,
)
from reelsearch.sdk.testing import PALETTE, RegisterPlugin, SearcherContract

MakeVideo = Callable[..., Path]
FAKE = {"algos": {"shot_embeddings": {"encoder": "fake"}}}


def ingest_two_titles(rs: Runtime, make_video: MakeVideo) -> Runtime:
    red_blue = make_video("red_blue.mp4", [("red", 24), ("blue", 24)])
    green_red = make_video("green_red.mp4", [("green", 24), ("red", 48)])
    rs.ingest([red_blue], title="Red then blue", algos=["shot_embeddings"])
    rs.ingest(
        [green_red], title="Green then red", metadata={"season": 2}, algos=["shot_embeddings"]
    )
    return rs


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """Two titles, ingested once for the module's read-only tests."""
    videos = tmp_path_factory.mktemp("videos")

    def make_video(name: str, segments: list[tuple[str, int]]) -> Path:
        return write_video(videos / name, [(PALETTE[c], n) for c, n in segments])

    home = tmp_path_factory.mktemp("home")
    with isolated_runtime(home, FAKE_ENCODER, components=FAKE) as rs:
        yield ingest_two_titles(rs, make_video)


def search(rs: Runtime, **query: object) -> list[tuple[str, int | None]]:
    request = SearchRequest(algos=["visual"], **query)  # type: ignore[arg-type]
    return [(h.title, h.shot_index) for h in rs.search(request).hits]


def test_every_shot_gets_a_unit_vector_from_frames_inside_it(runtime: Runtime) -> None:
    points, _ = runtime.store.scroll(COLLECTION, limit=100, with_vectors=True)
    assert len(points) == 4
    for point in points:
        payload = point.payload
        assert len(payload["frames"]) == 3
        assert all(payload["start_frame"] <= f < payload["end_frame"] for f in payload["frames"])
        assert np.linalg.norm(point.vectors["fake"]) == pytest.approx(1.0, abs=1e-5)
        assert (runtime.settings.home / payload["thumbnail"]).is_file()
        assert payload["encoder"] == "fake"


def test_text_finds_the_red_shots_of_every_title_first(runtime: Runtime) -> None:
    response = runtime.search(SearchRequest(text="red", algos=["visual"], limit=4))
    top = response.hits[:2]
    assert {(h.title, h.shot_index) for h in top} == {("Red then blue", 0), ("Green then red", 1)}
    red = next(h for h in top if h.title == "Green then red")
    assert (red.start, red.end, red.fps) == (1.0, 3.0, 24.0)
    assert red.start_timecode == "00:00:01:00"
    assert red.algo == "shot_embeddings"
    assert red.thumbnail is not None


def test_like_finds_the_same_colour_elsewhere_and_never_itself(runtime: Runtime) -> None:
    first = runtime.search(SearchRequest(text="red", algos=["visual"], limit=1)).hits[0]
    hits = runtime.search(SearchRequest(like=first.id, algos=["visual"], limit=10)).hits
    assert first.id not in {h.id for h in hits}
    assert len(hits) == 3
    assert hits[0].title != first.title
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)


def test_a_still_finds_the_shot_of_its_colour(runtime: Runtime, tmp_path: Path) -> None:
    still = tmp_path / "blue.png"
    PILImage.new("RGB", (80, 60), PALETTE["blue"]).save(still)
    assert search(runtime, image=str(still), limit=1) == [("Red then blue", 1)]


def test_a_clip_finds_the_shot_of_its_colour(runtime: Runtime, make_video: MakeVideo) -> None:
    clip = make_video("query.mp4", [("green", 12)])
    assert search(runtime, clip=str(clip), limit=1) == [("Green then red", 0)]


def test_titles_and_metadata_limit_the_search(runtime: Runtime) -> None:
    only = SearchFilter(titles=["Red then blue"])
    assert {t for t, _ in search(runtime, text="red", filter=only)} == {"Red then blue"}
    season = SearchFilter(metadata={"season": 2})
    assert {t for t, _ in search(runtime, text="red", filter=season)} == {"Green then red"}


def test_unknown_shot_and_unreadable_still_are_clear_errors(
    runtime: Runtime, tmp_path: Path
) -> None:
    unknown = "8184daba-dfa7-5e79-be98-a3662b9d366f"
    with pytest.raises(RequestError, match=f"no shot with id '{unknown}'"):
        runtime.search(SearchRequest(like=unknown, algos=["visual"]))
    with pytest.raises(ValidationError, match="UUID"):
        SearchRequest(like="nope", algos=["visual"])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(RequestError, match="not a readable image"):
        runtime.search(SearchRequest(image=str(bad), algos=["visual"]))


def test_a_search_before_any_ingest_finds_nothing(register_plugin: RegisterPlugin) -> None:
    rs = register_plugin(FakeEncoderPlugin, name="fake-encoder", components=FAKE)
    assert rs.search(SearchRequest(text="red", algos=["visual"])).hits == []


def test_the_hnsw_search_breadth_is_configurable(
    register_plugin: RegisterPlugin, make_video: MakeVideo
) -> None:
    tuned = {**FAKE, "searchers": {"visual": {"hnsw_ef": 4}}}
    rs = ingest_two_titles(
        register_plugin(FakeEncoderPlugin, name="fake-encoder", components=tuned), make_video
    )
    rs.store.optimize()
    assert search(rs, text="blue", limit=1) == [("Red then blue", 1)]
    rs.close()  # one runtime per data home at a time
    broken = {**FAKE, "searchers": {"visual": {"hnsw_ef": 0}}}
    rs = register_plugin(FakeEncoderPlugin, name="fake-encoder", components=broken)
    with pytest.raises(
        ConfigError, match=r"\[components.searchers.visual\]\): hnsw_ef: .*greater than"
    ):
        rs.search(SearchRequest(text="red", algos=["visual"]))


def test_another_encoder_configuration_means_other_vectors(
    register_plugin: RegisterPlugin,
) -> None:
    rs = register_plugin(FakeEncoderPlugin, name="fake-encoder", components=FAKE)
    algo = rs.algo("shot_embeddings")
    assert isinstance(algo, ShotEmbeddingsAlgo)
    other = register_plugin(
        FakeEncoderPlugin,
        name="fake-encoder",
        components={**FAKE, "encoders": {"fake": {"dimension": 32}}},
    ).algo("shot_embeddings")
    assert algo.fingerprint(None) != other.fingerprint(None)  # type: ignore[arg-type]


def test_without_clip_weights_ingest_skips_visual_search_and_says_why(
    register_plugin: RegisterPlugin,
    make_video: MakeVideo,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    rs = register_plugin(FakeEncoderPlugin, name="fake-encoder")  # the default: clip
    video = make_video("red.mp4", [("red", 24)])
    (report,) = rs.ingest([video], algos=["shot_embeddings"]).reports
    assert report.computed == ["shots"]
    reason = report.skipped["shot_embeddings"]
    assert "CLIP weights unavailable" in reason
    assert "components.encoders.clip.checkpoint = " in reason
    assert COLLECTION not in rs.store.collections()
    with pytest.raises(ModelUnavailableError, match="HF_HUB_OFFLINE"):
        rs.search(SearchRequest(text="red", algos=["visual"]))


class TestVisualSearcherContract(SearcherContract):
    searcher_name = "visual"

    @pytest.fixture
    def searcher_runtime(self, runtime: Runtime) -> Runtime:
        return runtime

    @pytest.fixture
    def request_with_hits(self) -> SearchRequest:
        return SearchRequest(text="red", limit=10)


def test_points_are_removed_with_their_asset(
    register_plugin: RegisterPlugin, make_video: MakeVideo
) -> None:
    rs = register_plugin(FakeEncoderPlugin, name="fake-encoder", components=FAKE)
    ingest_two_titles(rs, make_video)
    (asset,) = [a for a in rs.catalog.assets() if a.title == "Red then blue"]
    rs.store.delete_asset(asset.id)
    assert rs.store.count(COLLECTION, filter=PointFilter(asset_ids=[asset.id])) == 0
    assert rs.store.count(COLLECTION) == 2


@pytest.mark.slow
def test_shot_embeddings_run_on_a_real_local_ray(
    reelsearch_home: Path, make_video: MakeVideo
) -> None:
    settings = load_settings(components=FAKE, executor="ray", ray_num_cpus=2)
    with Runtime(settings, plugins=FAKE_ENCODER) as rs:
        video = make_video("red_blue.mp4", [("red", 24), ("blue", 24)])
        (report,) = rs.ingest([video], title="On Ray", algos=["shot_embeddings"]).reports
        assert report.computed == ["shots", "shot_embeddings"]
        hits = rs.search(SearchRequest(text="blue", algos=["visual"], limit=1)).hits
    assert [(h.title, h.shot_index) for h in hits] == [("On Ray", 1)]
