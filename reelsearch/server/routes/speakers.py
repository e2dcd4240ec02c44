"""Speakers: who says lines in the catalog (or in one title), for the UI's speaker picker.

A speaker is the ``speaker`` payload field of a stored line: whatever collection carries one
(the dialogue plugin's lines, from subtitles' speaker tags or from voices linked to named
characters). This route reads the store only, so without dialogue it answers an empty list.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from reelsearch.core.store.base import PointFilter
from reelsearch.matchcuts import MAX_TITLE_CHARS, UnknownTitleError, title_assets
from reelsearch.server.access import KeyDep
from reelsearch.server.openapi import problems
from reelsearch.server.state import ServedDep

router = APIRouter(tags=["catalog"], dependencies=[KeyDep])

SPEAKER = "speaker"
"""The payload field that names who says a line."""
MAX_SPEAKERS = 1_000


class SpeakerView(BaseModel):
    name: str
    lines: int = Field(description="How many stored lines carry the name.")


class SpeakersView(BaseModel):
    """Speakers by name; ``total`` counts them all, ``speakers`` holds up to ``limit``."""

    title: str | None = None
    total: int
    speakers: list[SpeakerView]


@router.get("/speakers", responses=problems(401, 404, 422, 503))
def speakers(
    served: ServedDep,
    title: Annotated[str | None, Query(min_length=1, max_length=MAX_TITLE_CHARS)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SPEAKERS)] = 200,
) -> SpeakersView:
    """Who speaks lines in the catalog, or in ``title``, by name with their line counts;
    404 names close titles when no video has the title."""
    runtime = served.runtime
    if title is not None:
        try:
            title_assets(runtime, title)
        except UnknownTitleError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    scope = PointFilter(titles=[title] if title is not None else [])
    counts: dict[str, int] = {}
    for collection in runtime.store.collections():
        first, _ = runtime.store.scroll(collection, limit=1)
        if not first or SPEAKER not in first[0].payload:
            continue
        for point in runtime.store.points(collection, filter=scope):
            name = point.payload.get(SPEAKER)
            if isinstance(name, str) and name:
                counts[name] = counts.get(name, 0) + 1
    names = sorted(counts, key=str.casefold)
    return SpeakersView(
        title=title,
        total=len(names),
        speakers=[SpeakerView(name=name, lines=counts[name]) for name in names[:limit]],
    )
