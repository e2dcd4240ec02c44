"""``dedupe``: one hit for the near-duplicate shots of a group, with "n similar shots".

In a search the step reads the groups of the hits' assets from the store, as the
``near_duplicates`` algo stored them (assets never analysed pass unchanged); the ``groups``
option (asset id -> lists of shot indices) adds or overrides groups, and is all that
:meth:`Dedupe.process` sees outside a search. Of the hits that fall in one group the best
stays, with the others listed in ``extra["similar"]`` (id, shot, start, end, their timecodes, score)
and their count in ``extra["similar_count"]``, so that a client can expand them; other hits
pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelsearch.plugins.match_cutting.sinks import NEAR_DUPLICATES
from reelsearch.sdk import (
    Hit,
    PointFilter,
    PostProcessor,
    ReelsearchError,
    SearchContext,
    SearchRequest,
    SearchResponse,
    best_first,
)

MAX_GROUPED_SHOTS = 100_000
"""Shot indices the ``groups`` option may hold in all (it can come from a request)."""


class DedupeOptions(BaseModel):
    """Options of ``dedupe``."""

    model_config = ConfigDict(extra="forbid")

    groups: dict[str, list[list[int]]] = Field(
        default_factory=dict,
        description="Asset id -> near-duplicate groups, each a list of shot indices.",
    )

    @model_validator(mode="after")
    def _bounded(self) -> DedupeOptions:
        total = sum(len(group) for groups in self.groups.values() for group in groups)
        if total > MAX_GROUPED_SHOTS:
            raise ValueError(f"groups hold {total} shots, more than {MAX_GROUPED_SHOTS}")
        return self

    def group_of(self) -> dict[tuple[str, int], int]:
        """``(asset id, shot index)`` -> the group's first shot index."""
        found: dict[tuple[str, int], int] = {}
        for asset_id, groups in self.groups.items():
            for group in groups:
                if group:
                    first = min(group)
                    found.update({(asset_id, index): first for index in group})
        return found


class Dedupe(PostProcessor[DedupeOptions]):
    """Collapses hits of near-duplicate shots into the best of them."""

    name = "dedupe"
    description = "Collapse near-duplicate shots into one hit with 'n similar shots'."

    def process_with_context(
        self, request: SearchRequest, response: SearchResponse, ctx: SearchContext
    ) -> SearchResponse:
        """Collapse the hits by their assets' stored groups (and the ``groups`` option)."""
        options = self.options(request)
        stored = stored_groups(ctx, {hit.asset_id for hit in response.hits} - set(options.groups))
        if stored:
            merged = options.model_copy(update={"groups": {**stored, **options.groups}})
            request = request.model_copy(update={"options": {**request.options, self.name: merged}})
        return self.process_response(request, response)

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        group_of = self.options(request).group_of()
        runs: dict[object, list[Hit]] = {}
        for hit in best_first(hits):
            group = (
                group_of.get((hit.asset_id, hit.shot_index)) if hit.shot_index is not None else None
            )
            key: object = (hit.asset_id, group) if group is not None else ("hit", hit.id, id(hit))
            runs.setdefault(key, []).append(hit)
        return best_first(_collapsed(run) for run in runs.values())


def stored_groups(ctx: SearchContext, asset_ids: Iterable[str]) -> dict[str, list[list[int]]]:
    """The near-duplicate groups of more than one shot of each of ``asset_ids`` that the
    ``near_duplicates`` algo stored; none where it is not registered or never ran."""
    wanted = sorted(asset_ids)
    if not wanted:
        return {}
    try:
        collection = ctx.collection(NEAR_DUPLICATES)
    except ReelsearchError:  # the algo is not registered here
        return {}
    if collection not in ctx.store.collections():
        return {}
    found: dict[str, dict[int, list[int]]] = {}
    for point in ctx.store.points(collection, filter=PointFilter(asset_ids=wanted)):
        payload = point.payload
        if not payload.get("dropped"):
            by_group = found.setdefault(payload["asset_id"], {})
            by_group.setdefault(int(payload["group"]), []).append(int(payload["shot_index"]))
    return {
        asset_id: [sorted(members) for members in groups.values() if len(members) > 1]
        for asset_id, groups in found.items()
    }


def _collapsed(run: list[Hit]) -> Hit:
    best, others = run[0], run[1:]
    if not others:
        return best
    similar = [
        {
            "id": h.id,
            "shot_index": h.shot_index,
            "start": h.start,
            "end": h.end,
            "start_timecode": h.start_timecode,
            "end_timecode": h.end_timecode,
            "score": h.score,
        }
        for h in others
    ]
    return best.model_copy(
        update={"extra": {**best.extra, "similar": similar, "similar_count": len(similar)}}
    )
