"""``fuse``: one ranking from the lists of several searchers, whose scores are not comparable.

Reciprocal-rank fusion (the default) scores a hit ``sum(weight / (k + rank))`` over the lists
it appears in; weighted fusion min-max normalises each list's scores to 0..1 first and sums
``weight * score``. A list counts once per hit, with its best rank: with ``key="shot"`` all the
hits of one shot are one hit. A single list is left as it is, raw scores and all. Each fused
hit keeps the raw score it had in each list in ``hit.scores`` (by searcher name) and its own
list's in ``hit.raw_score``; ``hit.score`` is the fused score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import Hit, PostProcessor, SearchRequest, best_first


class FusionOptions(BaseModel):
    """Options of ``fuse`` (``[components.postprocessors.fuse]``, ``request.options["fuse"]``)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["rrf", "weighted"] = Field(
        default="rrf", description="Reciprocal-rank fusion, or weighted normalised scores."
    )
    k: float = Field(default=60.0, gt=0, description="RRF constant; larger flattens ranks.")
    weights: dict[str, float] = Field(
        default_factory=dict, description="Weight of each searcher's (or algo's) list; default 1."
    )
    key: Literal["id", "shot"] = Field(
        default="id",
        description="Same hit across lists: same point id, or same asset and shot index.",
    )


def source_of(hit: Hit) -> str:
    """The list a hit came from: its searcher, else its algo."""
    return hit.searcher or hit.algo


class _Fused:
    """One hit's entry in the fused ranking."""

    def __init__(self) -> None:
        self.score = 0.0
        self.best: tuple[float, Hit] | None = None
        self.scores: dict[str, float] = {}

    def add(self, hit: Hit, contribution: float) -> None:
        self.score += contribution
        self.scores[source_of(hit)] = hit.score if hit.raw_score is None else hit.raw_score
        if self.best is None or contribution > self.best[0]:
            self.best = (contribution, hit)

    def hit(self) -> Hit:
        assert self.best is not None
        hit = self.best[1]
        return hit.model_copy(update={"score": self.score, "scores": self.scores})


class Fuse(PostProcessor[FusionOptions]):
    """Fuses the hit lists of several searchers into one ranking."""

    name = "fuse"
    description = "Fuse the hits of several searchers: reciprocal-rank (default) or weighted."

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return searchers > 1  # a single list is left as it is

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        chosen = self.options(request)
        lists: dict[str, list[Hit]] = {}
        for hit in hits:
            lists.setdefault(source_of(hit), []).append(hit)
        if len(lists) < 2:
            return hits
        fused: dict[tuple[str, str | int], _Fused] = {}
        for source, found in lists.items():
            ranked = best_first(found)
            weight = chosen.weights.get(source, chosen.weights.get(ranked[0].algo, 1.0))
            counted: set[tuple[str, str | int]] = set()
            for hit, contribution in zip(ranked, _contributions(ranked, chosen), strict=True):
                key = _key(hit, chosen)
                if key not in counted:  # a list counts once per hit: its best rank
                    counted.add(key)
                    fused.setdefault(key, _Fused()).add(hit, weight * contribution)
        return best_first(entry.hit() for entry in fused.values())


def _contributions(ranked: Sequence[Hit], chosen: FusionOptions) -> list[float]:
    if chosen.method == "rrf":
        return [1.0 / (chosen.k + rank) for rank in range(1, len(ranked) + 1)]
    high, low = ranked[0].score, ranked[-1].score
    return [(h.score - low) / (high - low) if high > low else 1.0 for h in ranked]


def _key(hit: Hit, chosen: FusionOptions) -> tuple[str, str | int]:
    if chosen.key == "shot" and hit.shot_index is not None:
        return (hit.asset_id, hit.shot_index)
    return ("id", hit.id)
