"""``intersect``: keep the hits that overlap in time a hit of each other query.

For "a car on screen while someone says merry christmas", the main query is the visual
"car" and ``request.intersect`` holds the dialogue query with ``within`` seconds of slack. The
gateway runs the other queries and fills in their hits; a kept hit's score combines its rank
with the rank of the best hit it overlaps in each other query, ``hit.partners`` lists those
hits (id, asset, algo, searcher, time range, score and ``match``: for a line of dialogue, the
line and its speaker), and ``hit.raw_score`` keeps the main hit's own score.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import (
    Hit,
    HitPartner,
    Intersection,
    PostProcessor,
    RequestError,
    SearchRequest,
    best_first,
)


class IntersectOptions(BaseModel):
    """Options of ``intersect``."""

    model_config = ConfigDict(extra="forbid")

    score: Literal["rrf", "sum", "main"] = Field(
        default="rrf",
        description="Combined score: reciprocal ranks (scales never mix), the sum of the "
        "scores, or the main hit's score alone.",
    )
    k: float = Field(default=60.0, gt=0, description="RRF constant of the rrf score.")


class _Ranked:
    """One other query's hits by asset, with their ranks (from 1, best first)."""

    def __init__(self, intersection: Intersection) -> None:
        if intersection.hits is None:
            raise RequestError(
                "an intersection's query has not been run; search through the gateway"
            )
        self.within = intersection.within
        self.by_asset: dict[str, list[tuple[int, Hit]]] = {}
        for rank, hit in enumerate(best_first(intersection.hits), start=1):
            self.by_asset.setdefault(hit.asset_id, []).append((rank, hit))

    def best_overlapping(self, hit: Hit) -> tuple[int, Hit] | None:
        """The best-ranked hit that overlaps ``hit`` within the slack, if any; with no slack,
        ranges that only touch (one ends as the other starts) do not overlap."""
        for rank, other in self.by_asset.get(hit.asset_id, []):
            if self.within:
                near = other.start <= hit.end + self.within and other.end >= hit.start - self.within
            else:
                near = other.start < hit.end and other.end > hit.start
            if near:
                return rank, other
        return None


class Intersect(PostProcessor[IntersectOptions]):
    """Keeps hits that co-occur in time with hits of the request's other queries."""

    name = "intersect"
    description = "Keep hits overlapping, within N seconds, hits of another query."

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return bool(request.intersect)

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        if not request.intersect:
            return hits
        chosen = self.options(request)
        others = [_Ranked(intersection) for intersection in request.intersect]
        kept = []
        for rank, hit in enumerate(best_first(hits), start=1):
            matches = [other.best_overlapping(hit) for other in others]
            if any(match is None for match in matches):
                continue
            found = [match for match in matches if match is not None]
            kept.append(
                hit.model_copy(
                    update={
                        "score": _combined(chosen, (rank, hit), found),
                        "partners": [_partner(h) for _, h in found],
                    }
                )
            )
        return best_first(kept)


def _combined(
    chosen: IntersectOptions, main: tuple[int, Hit], found: list[tuple[int, Hit]]
) -> float:
    if chosen.score == "main":
        return main[1].score
    if chosen.score == "sum":
        return main[1].score + sum(hit.score for _, hit in found)
    return sum(1.0 / (chosen.k + rank) for rank, _ in [main, *found])


def _partner(hit: Hit) -> HitPartner:
    return HitPartner(
        id=hit.id,
        asset_id=hit.asset_id,
        algo=hit.algo,
        searcher=hit.searcher,
        start=hit.start,
        end=hit.end,
        score=hit.score,
        match=hit.match,
    )
