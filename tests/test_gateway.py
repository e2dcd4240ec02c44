"""The search gateway: routing and fan-out, the post-processor chain, paging with cursors,
temporal intersection, translation and searcher failures, on toy searchers."""

from __future__ import annotations

from typing import Any

import pytest
from search_toys import CARS, Lines, SearchToys, Visual

from reelsearch.core.errors import RequestError, UnknownComponentError
from reelsearch.core.router import SearcherError
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import SearchFilter, SearchRequest, SearchResponse
from reelsearch.sdk.testing.fixtures import RegisterPlugin

ONLY = ["postprocessors"]
"""The installed plugins these tests load: the built-in post-processors, no real searchers."""


@pytest.fixture
def rs(register_plugin: RegisterPlugin) -> Runtime:
    Visual.seen.clear()
    Lines.seen.clear()
    return register_plugin(SearchToys, plugins=ONLY)


def search(rs: Runtime, text: str = "car", **fields: Any) -> SearchResponse:
    return rs.search(SearchRequest(text=text, **fields))


def ids(response: SearchResponse) -> list[str]:
    return [h.id for h in response.hits]


def test_one_searcher_keeps_its_scores_best_first(rs: Runtime) -> None:
    response = search(rs, algos=["toy-visual"])
    assert ids(response) == ["v1", "v2", "v3", "v5", "v4"]
    assert [h.score for h in response.hits] == [0.9, 0.8, 0.7, 0.6, 0.3]
    assert {h.searcher for h in response.hits} == {"toy-visual"}
    assert (response.total, response.next_cursor, response.errors) == (5, None, [])


def test_searchers_are_asked_for_the_page_and_one_more_hit(rs: Runtime) -> None:
    response = search(rs, algos=["toy-visual"], limit=3, page=2)
    (asked,) = Visual.seen
    assert (asked.offset, asked.limit, asked.page) == (0, 7, None)
    # the toy answers 5 hits, whatever the limit: hits 4 and 5, and no further page
    assert (ids(response), response.total, response.next_cursor) == (["v5", "v4"], 5, None)


@pytest.mark.parametrize(
    "fields",
    [
        {"algos": ["toy-visual"], "group_by": "title"},
        {"algos": ["toy-visual"], "sort": "time"},
        {"algos": ["toy-visual", "toy-lines"]},  # fused
        {"algos": ["toy-visual"], "postprocessors": ["merge"]},
    ],
)
def test_searchers_are_asked_for_candidates_when_a_step_works_beyond_the_page(
    rs: Runtime, fields: dict[str, Any]
) -> None:
    search(rs, limit=3, page=2, **fields)
    assert [(asked.offset, asked.limit) for asked in Visual.seen] == [(0, 100)]


def test_the_total_is_unknown_when_only_one_page_was_fetched(rs: Runtime) -> None:
    narrow = search(rs, algos=["toy-visual"], limit=2)
    assert (ids(narrow), narrow.total, narrow.next_cursor is not None) == (["v1", "v2"], None, True)
    grouped = search(rs, algos=["toy-visual"], limit=2, group_by="title")
    assert (grouped.total, grouped.next_cursor is not None) == (5, True)


def test_several_searchers_are_fused_by_reciprocal_rank(rs: Runtime) -> None:
    response = search(rs)
    assert ids(response)[:2] == ["v1", "c1"]  # the first of each list, 1/61 each; a1 before a2
    assert [h.score for h in response.hits[:2]] == pytest.approx([1 / 61, 1 / 61])
    assert response.hits[1].scores == {"toy-lines": 20.0}
    assert len(response.hits) == 7


def test_weighted_fusion_follows_the_weights(rs: Runtime) -> None:
    options = {"fuse": {"method": "weighted", "weights": {"toy-lines": 0.1}}}
    response = search(rs, options=options)
    assert ids(response)[0] == "v1"
    assert response.hits[0].score == pytest.approx(1.0)
    assert response.hits[-1].score == pytest.approx(0.0)


def test_fusion_by_shot_joins_hits_of_the_same_shot(rs: Runtime) -> None:
    response = search(rs, options={"fuse": {"key": "shot"}})
    assert "v5" not in ids(response)  # its shot's best hit in its list is v1
    assert len(response.hits) == 5
    joined = next(h for h in response.hits if h.id == "c1")  # c1 ranks better than v4
    assert joined.scores == {"toy-visual": 0.3, "toy-lines": 20.0}
    assert joined.score == pytest.approx(1 / 65 + 1 / 61)


def test_min_score_applies_to_the_searchers_scores(rs: Runtime) -> None:
    assert ids(search(rs, algos=["toy-visual"], min_score=0.65)) == ["v1", "v2", "v3"]


def test_sort_by_time_orders_by_title_then_start(rs: Runtime) -> None:
    assert ids(search(rs, algos=["toy-visual"], sort="time")) == ["v1", "v5", "v2", "v3", "v4"]


def test_group_by_title_keeps_titles_together(rs: Runtime) -> None:
    response = search(rs, algos=["toy-visual"], group_by="title")
    assert ids(response) == ["v1", "v2", "v5", "v3", "v4"]
    assert [h.extra["group"] for h in response.hits] == ["Alpha"] * 3 + ["Beta"] * 2
    summary = [(g.key, g.count, g.best_score) for g in response.groups]
    assert summary == [("Alpha", 3, 0.9), ("Beta", 2, 0.7)]


def test_group_caps_hits_per_group(rs: Runtime) -> None:
    response = search(
        rs, algos=["toy-visual"], group_by="asset", options={"group": {"per_group": 1}}
    )
    assert ids(response) == ["v1", "v3"]
    assert [g.key for g in response.groups] == ["a1", "a2"]


def test_merge_joins_hits_of_the_same_shot(rs: Runtime) -> None:
    response = search(rs, algos=["toy-visual"], postprocessors=["merge"])
    first = response.hits[0]
    assert (first.id, first.start, first.end, first.extra["merged"]) == ("v1", 10.0, 14.0, ["v5"])
    assert ids(response) == ["v1", "v2", "v3", "v4"]


def test_merge_gap_joins_nearby_hits(rs: Runtime) -> None:
    response = search(rs, algos=["toy-lines"], text="merry christmas", postprocessors=["merge"])
    assert len(response.hits) == 3
    options = {"merge": {"gap": 70.0}}
    merged = search(
        rs, algos=["toy-lines"], text="merry christmas", postprocessors=["merge"], options=options
    )
    assert ids(merged) == ["d1", "d2"]
    assert (merged.hits[0].start, merged.hits[0].end) == (31.0, 102.0)


def test_the_chain_runs_in_the_order_the_request_names(rs: Runtime) -> None:
    sorted_then_paged = search(rs, algos=["toy-visual"], sort="time", limit=2)
    paged_then_sorted = search(
        rs, algos=["toy-visual"], sort="time", limit=2, postprocessors=["paginate", "sort"]
    )
    assert ids(sorted_then_paged) == ["v1", "v5"]
    assert ids(paged_then_sorted) == ["v1", "v2"]


def test_cursors_walk_every_page_once(rs: Runtime) -> None:
    everything = ids(search(rs))
    seen: list[str] = []
    request = SearchRequest(text="car", limit=3)
    while True:
        page = rs.search(request)
        seen += ids(page)
        assert page.total == len(everything)
        if page.next_cursor is None:
            break
        request = SearchRequest(text="car", limit=3, cursor=page.next_cursor)
    assert seen == everything


def test_a_page_number_is_the_same_page_as_its_cursor(rs: Runtime) -> None:
    first = search(rs, limit=2)
    assert first.next_cursor
    assert ids(search(rs, limit=2, cursor=first.next_cursor)) == ids(search(rs, limit=2, page=2))
    assert ids(search(rs, limit=4, cursor=first.next_cursor)) == ids(search(rs, offset=2, limit=4))


def test_a_cursor_of_another_query_is_refused(rs: Runtime) -> None:
    cursor = search(rs, limit=2).next_cursor
    with pytest.raises(RequestError, match="belongs to another query"):
        search(rs, limit=2, cursor=cursor, algos=["toy-visual"])
    with pytest.raises(RequestError, match="not one this server made"):
        search(rs, cursor="bm90IGEgY3Vyc29y")


def test_intersection_keeps_hits_near_the_other_querys_hits(rs: Runtime) -> None:
    other = {"query": {"text": "merry christmas", "algos": ["toy-lines"]}, "within": 2.0}
    response = search(rs, algos=["toy-visual"], intersect=[other])
    assert ids(response) == ["v2", "v3"]
    assert [m.id for h in response.hits for m in h.partners] == ["d1", "d2"]
    assert response.hits[0].score == pytest.approx(1 / 62 + 1 / 61)
    strict = search(rs, algos=["toy-visual"], intersect=[{**other, "within": 0.0}])
    assert ids(strict) == ["v2"]


def test_the_other_query_inherits_the_filter(rs: Runtime) -> None:
    other = {"query": {"text": "merry christmas", "algos": ["toy-lines"]}, "within": 2.0}
    response = search(
        rs, algos=["toy-visual"], filter=SearchFilter(asset_ids=["a2"]), intersect=[other]
    )
    assert ids(response) == ["v3"]
    assert Lines.seen[0].filter.asset_ids == ["a2"]


def test_intersection_with_given_hits(rs: Runtime) -> None:
    given = search(rs, text="merry christmas", algos=["toy-lines"]).hits
    intersect = [{"hits": [h.model_dump() for h in given], "within": 0.5}]
    assert ids(search(rs, algos=["toy-visual"], intersect=intersect)) == ["v2"]


def test_a_failing_searcher_is_reported_beside_the_others_hits(rs: Runtime) -> None:
    response = search(rs, algos=["toy-visual", "broken"])
    assert ids(response) == ["v1", "v2", "v3", "v5", "v4"]
    (failure,) = response.errors
    assert (failure.searcher, failure.error) == ("broken", "RuntimeError")
    assert "on fire" in failure.message


def test_when_every_searcher_fails_the_request_fails(rs: Runtime) -> None:
    with pytest.raises(SearcherError, match="searcher 'broken' failed: RuntimeError"):
        search(rs, algos=["broken"])
    with pytest.raises(RequestError, match="picky does not understand"):
        search(rs, algos=["picky"])


def test_searchers_run_at_the_same_time(rs: Runtime) -> None:
    response = search(rs, algos=["meeting-a", "meeting-b"])  # each waits for the other
    assert sorted(ids(response)) == ["meeting-a-1", "meeting-b-1"]


def test_translation_when_a_translator_is_configured(register_plugin: RegisterPlugin) -> None:
    rs = register_plugin(SearchToys, plugins=ONLY, translator="toy-french")
    response = search(rs, text="voiture", language="fr", algos=["toy-visual"])
    assert response.translated_text == "car"
    assert ids(response)[:1] == ["v1"]
    untranslated = search(rs, text="voiture", language="en-GB", algos=["toy-visual"])
    assert (untranslated.hits, untranslated.translated_text) == ([], None)


def test_no_translator_searches_the_text_as_given(rs: Runtime) -> None:
    response = search(rs, text="voiture", language="fr", algos=["toy-visual"])
    assert (response.hits, response.translated_text) == ([], None)


def test_an_unknown_translator_is_named(register_plugin: RegisterPlugin) -> None:
    rs = register_plugin(SearchToys, plugins=ONLY, translator="babelfish")
    with pytest.raises(UnknownComponentError, match="unknown translator 'babelfish'"):
        search(rs, text="voiture", language="fr")


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"algos": ["nope"]}, UnknownComponentError, "unknown searcher 'nope'"),
        ({"postprocessors": ["nope"]}, UnknownComponentError, "unknown postprocessor 'nope'"),
        ({"group_by": "title", "postprocessors": ["sort"]}, RequestError, "needs the 'group'"),
        ({"options": {"fusion": {"k": 1}}}, RequestError, "options for 'fusion'"),
        ({"options": {"fuse": {"k": -1}}}, RequestError, "post-processor 'fuse': k:"),
        ({"options": {"fuse": 3}}, RequestError, "must be an object"),
    ],
)
def test_bad_requests_are_named(
    rs: Runtime, fields: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        search(rs, **fields)


def test_the_default_chain_comes_from_the_settings(register_plugin: RegisterPlugin) -> None:
    rs = register_plugin(SearchToys, plugins=ONLY, postprocessors=["sort"])
    response = search(rs, algos=["toy-visual"], sort="time", limit=2)
    assert ids(response) == ["v1", "v5"]  # paginate is appended to every chain
    assert response.next_cursor is not None
    with pytest.raises(RequestError, match="needs the 'group'"):
        search(rs, group_by="title")


def test_requests_without_paging_fields_are_unchanged(rs: Runtime) -> None:
    assert [h.id for h in CARS] == ["v1", "v2", "v3", "v4", "v5"]
    assert ids(search(rs, algos=["toy-visual"], limit=2, offset=1)) == ["v2", "v3"]


def test_post_processor_options_come_one_typed_way() -> None:
    from reelsearch.plugins.postprocessors import Fuse, Group, MinScore, Sort

    sort = Sort()
    assert sort.options(SearchRequest(text="x")).by == "score"
    assert sort.options(SearchRequest(text="x", sort="time")).by == "time"  # the request field
    assert sort.options(SearchRequest(text="x", options={"sort": {"by": "time"}})).by == "time"
    assert MinScore().options(SearchRequest(text="x", min_score=0.5)).threshold == 0.5
    assert Group().options(SearchRequest(text="x", group_by="asset")).by == "asset"
    with pytest.raises(RequestError, match=r"invalid options for post-processor 'sort': by: "):
        sort.options(SearchRequest(text="x", options={"sort": {"by": "colour"}}))
    with pytest.raises(RequestError, match="options of post-processor 'fuse' must be an object"):
        Fuse().options(SearchRequest(text="x", options={"fuse": 3}))


def test_a_hit_from_a_stored_point_reads_the_standard_payload() -> None:
    from reelsearch.sdk import Hit, ScoredPoint

    payload = {"asset_id": "a", "title": "T", "start": 1.0, "end": 2.0, "fps": 25.0}
    point = ScoredPoint(id="p", score=0.5, payload={**payload, "shot_index": 3, "other": 1})
    hit = Hit.from_point(point, algo="shots", extra={"other": 1})
    assert (hit.id, hit.asset_id, hit.title, hit.algo, hit.score) == ("p", "a", "T", "shots", 0.5)
    assert (hit.start, hit.end, hit.shot_index, hit.fps, hit.thumbnail) == (1.0, 2.0, 3, 25.0, None)
    assert hit.extra == {"other": 1}
    narrower = Hit.from_point(point, algo="shots", score=2.0, start=1.5)
    assert (narrower.score, narrower.start, narrower.end) == (2.0, 1.5, 2.0)
