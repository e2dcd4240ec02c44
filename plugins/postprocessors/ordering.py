"""``sort``, ``min_score`` and ``paginate``: order, threshold and page of the hit list."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import Hit, PostProcessor, SearchRequest, SearchResponse, best_first


class SortOptions(BaseModel):
    """Options of ``sort`` (``request.sort`` sets ``by``)."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["score", "time"] = Field(
        default="score", description="Best first, or by title, asset and start time."
    )


class Sort(PostProcessor[SortOptions]):
    """Orders hits best first, or by title, asset and start time (``request.sort``)."""

    name = "sort"
    description = "Order hits by score, or by time within each title (request.sort)."
    request_fields = {"sort": "by"}

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        if self.options(request).by == "time":
            return sorted(hits, key=lambda h: (h.title, h.asset_id, h.start, h.end, h.id))
        return best_first(hits)

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return self.options(request).by == "time"


class MinScoreOptions(BaseModel):
    """Options of ``min_score`` (``request.min_score`` sets ``threshold``)."""

    model_config = ConfigDict(extra="forbid")

    threshold: float | None = Field(
        default=None, allow_inf_nan=False, description="Drop hits scoring below this."
    )


class MinScore(PostProcessor[MinScoreOptions]):
    """Drops hits scoring below a threshold (``request.min_score``)."""

    name = "min_score"
    description = "Drop hits scoring below request.min_score."
    request_fields = {"min_score": "threshold"}

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        threshold = self.options(request).threshold
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
