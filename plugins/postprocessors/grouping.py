"""``group``: the hits of one title (or asset) together, and a summary of each group.

Groups come in the order of their first hit, so after ``sort`` by score the group with the
best hit leads, and after ``sort`` by time the groups follow title order. Each grouped hit
carries its group in ``extra["group"]``; ``SearchResponse.groups`` counts the hits of each
group over all pages.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import Hit, HitGroup, PostProcessor, SearchRequest, SearchResponse


class GroupOptions(BaseModel):
    """Options of ``group``."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["title", "asset"] | None = Field(
        default=None, description="Group by title or asset; none: leave the hits as they are."
    )
    per_group: int | None = Field(
        default=None, ge=1, description="Keep at most this many hits of each group."
    )


def group_key(hit: Hit, by: str) -> str:
    """The title, or the asset id, of ``hit``."""
    return hit.title if by == "title" else hit.asset_id


class Group(PostProcessor[GroupOptions]):
    """Groups hits by title or asset (``request.group_by``, option ``by``)."""

    name = "group"
    description = "Keep the hits of one title (or asset) together (request.group_by)."
    request_fields = {"group_by": "by"}

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        return self.options(request).by is not None

    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        chosen = self.options(request)
        if chosen.by is None:
            return hits
        groups: dict[str, list[Hit]] = {}
        for hit in hits:
            groups.setdefault(group_key(hit, chosen.by), []).append(hit)
        return [
            hit.model_copy(update={"extra": {**hit.extra, "group": key}})
            for key, members in groups.items()
            for hit in members[: chosen.per_group]
        ]

    def process_response(self, request: SearchRequest, response: SearchResponse) -> SearchResponse:
        grouped = super().process_response(request, response)
        if self.options(request).by is None:
            return grouped
        summary: dict[str, HitGroup] = {}
        for hit in grouped.hits:
            key = hit.extra["group"]
            group = summary.setdefault(key, HitGroup(key=key, count=0, best_score=hit.score))
            group.count += 1
            group.best_score = max(group.best_score, hit.score)
        return grouped.model_copy(update={"groups": list(summary.values())})
