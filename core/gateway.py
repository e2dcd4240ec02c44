"""The search gateway: one request in, one ranked page of hits out.

Three stages, each in its own span under ``gateway.search``:

1. ``gateway.process`` (:mod:`reelsearch.core.query`): where the page starts, translation,
   the searchers and the post-processor chain;
2. ``gateway.route`` (:mod:`reelsearch.core.router`): the searchers run concurrently, and so
   do the other queries of a temporal intersection (each a full search of its own);
3. ``gateway.postprocess``: the post-processors run in the order the request names them, or
   else in the order of the ``postprocessors`` setting (never in plugin load order), ending
   with ``paginate``; the gateway then adds the cursor of the next page.

A searcher that fails while others answer leaves an entry in ``SearchResponse.errors``; a
request fails only when every searcher failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager

from reelsearch.core.catalog import Catalog
from reelsearch.core.components import Algo, SearchContext, Searcher
from reelsearch.core.cursor import encode_cursor
from reelsearch.core.errors import RequestError
from reelsearch.core.factory import ComponentFactory
from reelsearch.core.models import Hit, Intersection, SearchRequest, SearchResponse
from reelsearch.core.query import ProcessedQuery, QueryProcessor
from reelsearch.core.ranking import best_first
from reelsearch.core.registry import Registry
from reelsearch.core.router import InThread, Outcome, Router, submit
from reelsearch.core.store.base import VectorStore
from reelsearch.core.telemetry import span

INHERITED = ("filter", "language")
"""Fields the other query of an intersection takes from the main query unless it sets them."""


class Gateway:
    """Processes requests, routes them to searchers and chains the post-processors."""

    def __init__(self, registry: Registry, factory: ComponentFactory, store: VectorStore) -> None:
        self.registry = registry
        self.factory = factory
        self.store = store
        self.settings = factory.settings
        self.router = Router(factory, self.settings)
        self.processor = QueryProcessor(factory, self.settings, self.router)
        self.catalog = Catalog(store)

    def collection_of(self, algo: str) -> str:
        """The collection an algo's sink writes to."""
        sink = self.factory(Algo, algo).sink()
        if sink is None:
            raise RequestError(f"algo {algo!r} stores nothing searchable")
        return sink.collection().name

    def searchers(self, request: SearchRequest) -> list[Searcher]:
        """The searchers that will receive ``request``."""
        return self.router.searchers(request)

    def context(self) -> SearchContext:
        """What searchers get: the store, the components and the collection of each algo."""
        return SearchContext(self.store, self.factory, self.collection_of)

    def search(self, request: SearchRequest) -> SearchResponse:
        """Answer ``request`` with one page of hits.

        Raises:
            RequestError: The request is malformed (a bad cursor, options or query).
            UnknownComponentError: It names an unknown searcher or post-processor.
            SearcherError: Every searcher failed.
        """
        with span(
            self.settings, "gateway.search", query_kind=request.query_kind, algos=request.algos
        ) as current:
            with span(self.settings, "gateway.process") as process:
                query = self.processor.process(request)
                process.set_attribute("reelsearch.searchers", [s.name for s in query.searchers])
                process.set_attribute("reelsearch.chain", [post.name for post in query.chain])
            with span(self.settings, "gateway.route") as route:
                outcome, others = self.route(query)
                route.set_attribute("reelsearch.hits", len(outcome.hits))
                route.set_attribute("reelsearch.failed", [f.searcher for f in outcome.failures])
            with span(self.settings, "gateway.postprocess"):
                response = self.postprocess(request, query, outcome, others)
            current.set_attribute("reelsearch.hits", len(response.hits))
            return response

    def route(self, query: ProcessedQuery) -> tuple[Outcome, list[Intersection]]:
        """The searchers' hits, and the intersections with the other queries' hits filled in."""
        intersections = query.request.intersect
        pending = [i for i in intersections if i.hits is None]
        with self._pool(len(query.searchers) + len(pending)) as pool:
            others = [submit(pool, self.search, self._other(query, i)) for i in pending]
            outcome = self.router.fan_out(
                query.searchers, query.for_searchers, self.context(), pool
            )
            answers = iter([other.result() for other in others])
        outcome.raise_if_none_answered()
        outcome.hits = self._catalogued(outcome.hits)
        resolved = []
        for intersection in intersections:
            if intersection.hits is None:
                answer = next(answers)
                outcome.failures.extend(answer.errors)
                intersection = intersection.model_copy(update={"hits": answer.hits})
            resolved.append(intersection)
        return outcome, resolved

    def postprocess(
        self,
        sent: SearchRequest,
        query: ProcessedQuery,
        outcome: Outcome,
        intersections: list[Intersection],
    ) -> SearchResponse:
        """Run the chain over the merged hits; add the next page's cursor."""
        request = query.request.model_copy(update={"intersect": intersections})
        response = SearchResponse(
            hits=best_first(outcome.hits),
            errors=outcome.failures,
            translated_text=query.translated_text,
        )
        context = self.context()
        for post in query.chain:
            with span(self.settings, f"postprocess.{post.name}", hits_in=len(response.hits)) as s:
                response = post.process_with_context(request, response, context)
                s.set_attribute("reelsearch.hits_out", len(response.hits))
        following = request.offset + request.limit
        if response.total is not None and following < response.total:
            unknown = {"total": None} if query.one_page else {}  # only this page was fetched
            cursor = encode_cursor(sent, following, self.settings)
            response = response.model_copy(update={"next_cursor": cursor, **unknown})
        return response

    def _catalogued(self, hits: list[Hit]) -> list[Hit]:
        """``hits`` without those of assets that have no catalog entry (yet): a file being
        ingested has its points written before its entry, and stays hidden until then."""
        present = self.catalog.catalogued(hit.asset_id for hit in hits)
        return hits if present is None else [hit for hit in hits if hit.asset_id in present]

    def _other(self, query: ProcessedQuery, intersection: Intersection) -> SearchRequest:
        assert intersection.query is not None
        other = intersection.query
        inherited = {f: getattr(query.request, f) for f in INHERITED}
        return other.model_copy(
            update={f: v for f, v in inherited.items() if f not in other.model_fields_set}
        )

    @contextmanager
    def _pool(self, tasks: int) -> Iterator[Executor]:
        """Threads for ``tasks`` concurrent calls; this thread for one."""
        if tasks <= 1:
            yield InThread()
            return
        workers = min(tasks, self.settings.search_workers)
        with ThreadPoolExecutor(workers, thread_name_prefix="reelsearch-search") as pool:
            yield pool
