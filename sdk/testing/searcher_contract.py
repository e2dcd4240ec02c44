"""Contract tests every searcher should pass.

Subclass :class:`SearcherContract`, set ``searcher_name``, and provide two fixtures:
``searcher_runtime`` (a runtime whose store holds the searcher's records for at least two
assets) and ``request_with_hits`` (a :class:`SearchRequest` that finds hits in both)::

    class TestMySearcher(SearcherContract):
        searcher_name = "mine"

        @pytest.fixture
        def searcher_runtime(self, register_plugin): ...

        @pytest.fixture
        def request_with_hits(self):
            return SearchRequest(text="red", limit=10)
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Capability, SearchContext, Searcher, SearchFilter, SearchRequest


class SearcherContract:
    """Behaviour every :class:`Searcher` must show."""

    searcher_name: ClassVar[str]

    @pytest.fixture
    def searcher(self, searcher_runtime: Runtime) -> Searcher:
        return searcher_runtime.component(Searcher, self.searcher_name)

    @pytest.fixture
    def search_context(self, searcher_runtime: Runtime) -> SearchContext:
        return searcher_runtime.search_context()

    def test_declares_algo_capabilities_and_query_kinds(self, searcher: Searcher) -> None:
        assert searcher.algo
        assert searcher.capabilities
        assert searcher.query_kinds <= {"text", "image", "like", "clip"}

    def test_accepts_its_own_query_kind(
        self, searcher: Searcher, request_with_hits: SearchRequest
    ) -> None:
        assert searcher.accepts(request_with_hits)
        other = request_with_hits.model_copy(update={"algos": ["no-such-algo"]})
        assert not searcher.accepts(other)

    def test_hits_are_sorted_and_limited(
        self, searcher: Searcher, search_context: SearchContext, request_with_hits: SearchRequest
    ) -> None:
        request = request_with_hits.model_copy(update={"limit": 3})
        hits = searcher.search(request, search_context)
        assert 0 < len(hits) <= request.offset + request.limit
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert all(h.algo == searcher.algo for h in hits)
        assert all(h.end >= h.start >= 0 for h in hits)

    def test_asset_filter_is_respected(
        self, searcher: Searcher, search_context: SearchContext, request_with_hits: SearchRequest
    ) -> None:
        if Capability.FILTERS not in searcher.capabilities:
            pytest.skip(f"searcher {searcher.name!r} does not declare the filters capability")
        everything = searcher.search(request_with_hits, search_context)
        assets = sorted({h.asset_id for h in everything})
        assert len(assets) >= 2, "request_with_hits must find hits in two assets"
        only = request_with_hits.model_copy(update={"filter": SearchFilter(asset_ids=assets[:1])})
        hits = searcher.search(only, search_context)
        assert hits
        assert {h.asset_id for h in hits} == set(assets[:1])

    def test_unknown_asset_finds_nothing(
        self, searcher: Searcher, search_context: SearchContext, request_with_hits: SearchRequest
    ) -> None:
        if Capability.FILTERS not in searcher.capabilities:
            pytest.skip(f"searcher {searcher.name!r} does not declare the filters capability")
        nowhere = request_with_hits.model_copy(
            update={"filter": SearchFilter(asset_ids=["0" * 64])}
        )
        assert searcher.search(nowhere, search_context) == []

    def test_excluded_ids_are_left_out(
        self, searcher: Searcher, search_context: SearchContext, request_with_hits: SearchRequest
    ) -> None:
        if Capability.FILTERS not in searcher.capabilities:
            pytest.skip(f"searcher {searcher.name!r} does not declare the filters capability")
        first = searcher.search(request_with_hits, search_context)[0]
        without = request_with_hits.model_copy(
            update={"filter": SearchFilter(exclude_ids=[first.id])}
        )
        assert first.id not in {h.id for h in searcher.search(without, search_context)}
