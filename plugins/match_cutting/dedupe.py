"""``dedupe``: one hit for the near-duplicate shots of a group, with "n similar shots".

The groups come in the step's options (``groups``: asset id -> lists of shot indices, as the
``near_duplicates`` algo stored them; ``reelsearch.matchcuts.dedupe_options`` reads them from
the store for the assets of a title). Of the hits that fall in one group, the best stays, with
the others listed in ``extra["similar"]`` (id, shot, start, end, score) and their count in
``extra["similar_count"]``, so that a client can expand them; other hits pass unchanged.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelsearch.sdk import Hit, PostProcessor, SearchRequest, best_first

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


def _collapsed(run: list[Hit]) -> Hit:
    best, others = run[0], run[1:]
    if not others:
        return best
    similar = [
        {"id": h.id, "shot_index": h.shot_index, "start": h.start, "end": h.end, "score": h.score}
        for h in others
    ]
    return best.model_copy(
        update={"extra": {**best.extra, "similar": similar, "similar_count": len(similar)}}
    )
