"""``sort``, ``min_score`` and ``paginate``: order, threshold and page of the hit list."""

from __future__ import annotations

from reelsearch.sdk import Hit, PostProcessor, SearchRequest, SearchResponse, best_first


class Sort(PostProcessor):
    """Orders hits by ``request.sort``: best first, or by title, asset and start time."""

    name = "sort"
    description = "Order hits by score, or by time within each title (request.sort)."

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        if request.sort == "time":
            return sorted(hits, key=lambda h: (h.title, h.asset_id, h.start, h.end, h.id))
        return best_first(hits)

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return request.sort == "time"


class MinScore(PostProcessor):
    """Drops hits scoring below ``request.min_score``."""

    name = "min_score"
    description = "Drop hits scoring below request.min_score."

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        threshold = request.min_score
        return hits if threshold is None else [h for h in hits if h.score >= threshold]

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return False  # the hits above a threshold of a best-first list are a prefix of it


class Paginate(PostProcessor):
    """Cuts the page ``[offset, offset + limit)`` and reports how many hits there are.

    The gateway resolves a request's ``page`` or ``cursor`` into ``offset`` before the chain
    runs, and turns ``total`` into the next page's cursor after it.
    """

    name = "paginate"
    description = "Cut one page of limit hits from offset; report the total."

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        return hits[request.offset : request.offset + request.limit]

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return False

    def process_response(self, request: SearchRequest, response: SearchResponse) -> SearchResponse:
        page = super().process_response(request, response)
        return page.model_copy(update={"total": len(response.hits)})
