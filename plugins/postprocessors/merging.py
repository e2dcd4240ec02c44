"""``merge``: one hit for adjacent hits of the same shot.

Hits of the same asset from the same searcher merge when they share a shot index, or when
one starts within ``gap`` seconds of the end of the other (0: they touch or overlap). The
merged hit is the best of them stretched over all of them, with their ids in
``extra["merged"]``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.postprocessors.fusion import source_of
from reelsearch.sdk import Hit, PostProcessor, SearchRequest, best_first


class MergeOptions(BaseModel):
    """Options of ``merge``."""

    model_config = ConfigDict(extra="forbid")

    gap: float = Field(default=0.0, ge=0, description="Seconds between hits that still merge.")


def _adjacent(run: list[Hit], hit: Hit, gap: float) -> bool:
    last = run[-1]
    same_shot = hit.shot_index is not None and hit.shot_index == last.shot_index
    return same_shot or hit.start <= max(h.end for h in run) + gap


def _merged(run: list[Hit]) -> Hit:
    best = best_first(run)[0]
    if len(run) == 1:
        return best
    others = [h.id for h in run if h.id != best.id]
    return best.model_copy(
        update={
            "start": min(h.start for h in run),
            "end": max(h.end for h in run),
            "extra": {**best.extra, "merged": others},
        }
    )


class Merge(PostProcessor[MergeOptions]):
    """Merges hits of one searcher that are adjacent in the same asset."""

    name = "merge"
    description = "Merge adjacent hits of the same shot (or within a gap of seconds)."

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        gap = self.options(request).gap
        runs: list[list[Hit]] = []
        ordered = sorted(hits, key=lambda h: (h.asset_id, source_of(h), h.start, h.end, h.id))
        for hit in ordered:
            previous = runs[-1] if runs else None
            if (
                previous is not None
                and (previous[0].asset_id, source_of(previous[0])) == (hit.asset_id, source_of(hit))
                and _adjacent(previous, hit, gap)
            ):
                previous.append(hit)
            else:
                runs.append([hit])
        return best_first(_merged(run) for run in runs)
