"""The colorstats plugin, tested with the SDK's testing kit."""

from __future__ import annotations

from pathlib import Path

import pytest
import reelsearch_colorstats
from reelsearch_colorstats.searcher import colour_of

from reelsearch.sdk import RequestError, SearchFilter, SearchRequest
from reelsearch.sdk.testing import PALETTE, RegisterPlugin, Runtime, SearcherContract, write_video


@pytest.fixture
def runtime(register_plugin: RegisterPlugin, tmp_path: Path) -> Runtime:
    rs = register_plugin(reelsearch_colorstats, name="colorstats", algos=["colorstats"])
    red_blue = write_video(tmp_path / "red_blue.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24)])
    green_red = write_video(
        tmp_path / "green_red.mp4", [(PALETTE["green"], 24), (PALETTE["red"], 48)]
    )
    rs.ingest([red_blue], title="Red then blue")
    rs.ingest([green_red], title="Green then red")
    return rs


def test_one_record_per_second_with_the_right_colour(runtime: Runtime) -> None:
    hits = runtime.search(SearchRequest(text="blue", algos=["colorstats"], limit=1)).hits
    (best,) = hits
    assert best.title == "Red then blue"
    assert (best.start, best.end) == (1.0, 2.0)
    assert best.score > 0.9


def test_colour_search_ranks_every_red_window_first(runtime: Runtime) -> None:
    hits = runtime.search(SearchRequest(text="red", algos=["colorstats"], limit=10)).hits
    top = hits[:3]
    assert {(h.title, h.start) for h in top} == {
        ("Red then blue", 0.0),
        ("Green then red", 1.0),
        ("Green then red", 2.0),
    }


def test_title_filter(runtime: Runtime) -> None:
    request = SearchRequest(
        text="red", algos=["colorstats"], filter=SearchFilter(titles=["Green then red"])
    )
    assert {h.title for h in runtime.search(request).hits} == {"Green then red"}


def test_like_finds_the_same_colour_elsewhere(runtime: Runtime) -> None:
    first_red = runtime.search(SearchRequest(text="red", algos=["colorstats"], limit=1)).hits[0]
    like = runtime.search(SearchRequest(like=first_red.id, algos=["colorstats"], limit=2)).hits
    assert first_red.id not in {h.id for h in like}
    assert all(
        h.extra["brightness"] == pytest.approx(first_red.extra["brightness"], abs=0.05)
        for h in like
    )


def test_unknown_colour_is_a_clear_error() -> None:
    with pytest.raises(RequestError, match="colour names, not 'spaceship'"):
        colour_of("spaceship")
    assert colour_of("dark red") < colour_of("red")


class TestColorSearcherContract(SearcherContract):
    searcher_name = "colorstats"

    @pytest.fixture
    def searcher_runtime(self, runtime: Runtime) -> Runtime:
        return runtime

    @pytest.fixture
    def request_with_hits(self) -> SearchRequest:
        return SearchRequest(text="red", limit=10)
