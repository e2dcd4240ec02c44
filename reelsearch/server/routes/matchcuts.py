"""Match cuts: the best candidate pairs of shots within a title, per kind, with signed links to
both shots' thumbnails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from reelsearch.matchcuts import (
    MAX_K,
    MAX_TITLE_CHARS,
    Kind,
    MatchCutsAnswer,
    NotAnalysedError,
    UnknownTitleError,
    match_cuts,
)
from reelsearch.server.access import KeyDep
from reelsearch.server.openapi import problems
from reelsearch.server.state import Served, ServedDep
from reelsearch.server.views import HitView

router = APIRouter(tags=["match cuts"], dependencies=[KeyDep])


class PairResultView(BaseModel):
    """A candidate match cut with both shots' media links."""

    rank: int
    kind: Kind
    score: float
    outgoing: HitView = Field(description="Shot A: the cut leaves its last frames.")
    incoming: HitView = Field(description="Shot B: the cut enters its first frames.")


class MatchCutsView(BaseModel):
    """The best pairs of one kind in a title. An empty ``pairs`` comes with a ``message``
    saying why (fewer than two shots, no people, no motion), still with status 200."""

    title: str
    kind: Kind
    k: int
    pairs: list[PairResultView]
    shots: int
    representatives: int
    candidates: int
    message: str | None = None


@router.get("/matchcuts", responses=problems(401, 404, 422))
def matchcuts(
    served: ServedDep,
    title: Annotated[str, Query(min_length=1, max_length=MAX_TITLE_CHARS)],
    kind: Annotated[Kind, Query(description="frame (silhouettes) or motion (action).")] = "frame",
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many pairs.")] = 20,
) -> MatchCutsView:
    """The ``k`` best candidate match cuts of ``kind`` within ``title``, best first: cut from
    the end of ``outgoing`` into the start of ``incoming``. 404 names close titles when the
    title is unknown, or says how to analyse it when it has no match cuts stored."""
    try:
        answer = match_cuts(served.runtime, title, kind, k)
    except (UnknownTitleError, NotAnalysedError) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    return _view(served, answer)


def _view(served: Served, answer: MatchCutsAnswer) -> MatchCutsView:
    pairs = []
    for pair in answer.pairs:
        outgoing, incoming = served.shot_media.fill([pair.outgoing, pair.incoming])
        pairs.append(
            PairResultView(
                rank=pair.rank,
                kind=pair.kind,
                score=pair.score,
                outgoing=HitView.of(outgoing, served.media, served.links),
                incoming=HitView.of(incoming, served.media, served.links),
            )
        )
    return MatchCutsView(**answer.model_dump(exclude={"pairs"}), pairs=pairs)
