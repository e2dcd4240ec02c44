"""The search gateway: one request in, fanned out to the searchers that can answer it, one
ranked answer out after the post-processor chain."""

from __future__ import annotations

from reelsearch.core.components import Algo, PostProcessor, SearchContext, Searcher
from reelsearch.core.errors import RequestError, UnknownComponentError
from reelsearch.core.factory import ComponentFactory
from reelsearch.core.models import Hit, SearchRequest, SearchResponse
from reelsearch.core.registry import Registry
from reelsearch.core.store.base import VectorStore


class Gateway:
    """Routes requests to searchers and chains post-processors in the order requested."""

    def __init__(self, registry: Registry, factory: ComponentFactory, store: VectorStore) -> None:
        self.registry = registry
        self.factory = factory
        self.store = store

    def collection_of(self, algo: str) -> str:
        """The collection an algo's sink writes to."""
        component = self.factory("algo", algo)
        assert isinstance(component, Algo)
        sink = component.sink()
        if sink is None:
            raise RequestError(f"algo {algo!r} stores nothing searchable")
        return sink.collection().name

    def searchers(self, request: SearchRequest) -> list[Searcher]:
        """The searchers that will receive ``request``."""
        known = {name for kind in ("algo", "searcher") for name in self.registry.names(kind)}
        for name in request.algos:
            if name not in known:
                raise UnknownComponentError("searcher", name, self.registry.names("searcher"))
        chosen = []
        for name in self.registry.names("searcher"):
            searcher = self.factory("searcher", name)
            assert isinstance(searcher, Searcher)
            if searcher.accepts(request):
                chosen.append(searcher)
        if not chosen:
            raise RequestError(
                f"no registered search answers a {request.query_kind} query"
                + (f" for {', '.join(request.algos)}" if request.algos else "")
                + f"; searchers: {', '.join(self.registry.names('searcher')) or 'none'}"
            )
        return chosen

    def context(self) -> SearchContext:
        """What searchers get: the store, the components and the collection of each algo."""
        return SearchContext(self.store, self.factory, self.collection_of)

    def search(self, request: SearchRequest) -> SearchResponse:
        ctx = self.context()
        hits: list[Hit] = []
        for searcher in self.searchers(request):
            hits.extend(searcher.search(request, ctx))
        hits.sort(key=lambda h: h.score, reverse=True)
        for name in request.postprocessors:
            post = self.factory("postprocessor", name)
            assert isinstance(post, PostProcessor)
            hits = post.process(request, hits)
        if request.min_score is not None:
            hits = [h for h in hits if h.score >= request.min_score]
        page = hits[request.offset : request.offset + request.limit]
        return SearchResponse(hits=page)
