"""Reading the candidate match cuts of a title, for the CLI and the HTTP API.

The ``match_cuts`` algo (plugin ``match-cutting``) stores, per video, its best pairs of each kind
and a summary point saying how many shots, representatives and candidates there were; this
module finds a title's videos, merges their pairs best first, and explains an empty list.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import BaseModel, Field

from reelsearch.core.config import Settings
from reelsearch.core.errors import RequestError
from reelsearch.core.models import Asset, Hit, SearchRequest
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import PointFilter
from reelsearch.exports import EditEvent, EditSource, ExportFormat, build_timeline, render

ALGO = "match_cuts"
DEDUPE = "dedupe"
Kind = Literal["frame", "motion"]
KINDS: tuple[Kind, ...] = ("frame", "motion")
MAX_K = 500
"""Most pairs one answer holds (the ``match_cuts`` algo keeps 500 per kind by default)."""
MAX_TITLE_CHARS = 500
HEAD_SECONDS = 1.0
"""How much of each shot an exported pair shows: the tail of A, then the head of B."""


class UnknownTitleError(RequestError, LookupError):
    """No video in the catalog has this title (the message names close ones)."""


class NotAnalysedError(RequestError, LookupError):
    """The title's videos were never analysed for match cuts."""


class PairView(BaseModel):
    """A candidate match cut: cut from the end of ``outgoing`` into the start of ``incoming``."""

    rank: int = Field(ge=1)
    kind: Kind
    score: float = Field(description="Silhouette IoU (frame) or flow cosine (motion).")
    asset_id: str
    title: str
    outgoing: Hit = Field(description="Shot A: the cut leaves its last frames.")
    incoming: Hit = Field(description="Shot B: the cut enters its first frames.")


class MatchCutsAnswer(BaseModel):
    """The best pairs of one kind in a title, and why there are none when there are none."""

    title: str
    kind: Kind
    k: int
    pairs: list[PairView]
    shots: int = Field(description="Shots in the title's videos.")
    representatives: int = Field(description="Shots left after near-duplicates and short ones.")
    candidates: int = Field(description="Representatives with people (frame) or motion.")
    message: str | None = Field(
        default=None, description="Why the list is empty (too few shots, no people, no motion)."
    )


def check_query(title: str, kind: str, k: int) -> Kind:
    """The kind, once ``title``, ``kind`` and ``k`` are known to be in bounds.

    Raises:
        RequestError: Naming the bad value.
    """
    if not title.strip():
        raise RequestError("title must not be empty")
    if len(title) > MAX_TITLE_CHARS:
        raise RequestError(f"title is longer than {MAX_TITLE_CHARS} characters")
    if kind not in KINDS:
        raise RequestError(f"unknown match-cut kind {kind!r}; choose one of: {', '.join(KINDS)}")
    if not 1 <= k <= MAX_K:
        raise RequestError(f"k must be between 1 and {MAX_K}, not {k}")
    return kind  # type: ignore[return-value]


def title_assets(runtime: Runtime, title: str) -> list[Asset]:
    """The catalog's videos titled ``title``.

    Raises:
        UnknownTitleError: None, naming the closest titles there are.
    """
    assets = runtime.catalog.assets([title])
    if assets:
        return assets
    known = list(runtime.catalog.titles())
    close = difflib.get_close_matches(title, known, n=3, cutoff=0.5)
    hint = f"; did you mean: {', '.join(repr(t) for t in close)}?" if close else ""
    listed = (
        "" if hint or not known else f"; titles: {', '.join(repr(t) for t in sorted(known)[:5])}"
    )
    raise UnknownTitleError(f"no title {title!r} in the catalog{hint or listed}")


def match_cuts(runtime: Runtime, title: str, kind: str, k: int) -> MatchCutsAnswer:
    """The ``k`` best candidate match cuts of ``kind`` within ``title``, best first.

    Raises:
        RequestError: A bad title, kind or k.
        UnknownTitleError: No such title.
        NotAnalysedError: The title was never analysed for match cuts.
    """
    chosen = check_query(title, kind, k)
    assets = title_assets(runtime, title)
    by_id = {asset.id: asset for asset in assets}
    collection = _collection(runtime)
    points = (
        list(
            runtime.store.points(
                collection,
                filter=PointFilter(asset_ids=list(by_id), fields={"kind": chosen}),
            )
        )
        if collection is not None
        else []
    )
    summaries = [p.payload for p in points if p.payload.get("row") == "summary"]
    if not summaries:
        raise NotAnalysedError(
            f"{title!r} has not been analysed for match cuts; run: reelsearch ingest VIDEO "
            f"--title TITLE --algo {ALGO}"
        )
    rows = sorted(
        (p.payload for p in points if p.payload.get("row") == "pair"),
        key=lambda row: (-row["score"], row["asset_id"], row["rank"]),
    )[:k]
    pairs = [_pair(rank, row, chosen) for rank, row in enumerate(rows, start=1)]
    shots = sum(int(s["shots"]) for s in summaries)
    representatives = sum(int(s["representatives"]) for s in summaries)
    candidates = sum(int(s["candidates"]) for s in summaries)
    return MatchCutsAnswer(
        title=title,
        kind=chosen,
        k=k,
        pairs=pairs,
        shots=shots,
        representatives=representatives,
        candidates=candidates,
        message=None if pairs else _why_empty(title, chosen, shots, representatives, candidates),
    )


def _why_empty(title: str, kind: Kind, shots: int, representatives: int, candidates: int) -> str:
    if shots < 2:
        return f"{title!r} has {shots} shot{'s' * (shots != 1)}: a match cut needs two"
    if representatives < 2:
        return (
            f"{title!r} has {shots} shots but {representatives} once near-duplicates and very "
            f"short shots are set aside: a match cut needs two different shots"
        )
    need = "people in them" if kind == "frame" else "visible motion at their ends"
    return (
        f"{title!r} has {candidates} shot{'s' * (candidates != 1)} with {need} "
        f"({representatives} different shots in all): {kind} match cuts need two"
    )


def _collection(runtime: Runtime) -> str | None:
    if ALGO not in runtime.registry.names("algo"):
        raise NotAnalysedError(
            f"the {ALGO} algo is not registered: install reelsearch with the match-cutting "
            f"plugin enabled"
        )
    name = runtime.gateway.collection_of(ALGO)
    return name if name in runtime.store.collections() else None


def _pair(rank: int, row: dict[str, Any], kind: Kind) -> PairView:
    def side(shot: dict[str, Any], role: str) -> Hit:
        return Hit(
            id=f"{row['asset_id']}:{shot['index']}",
            asset_id=row["asset_id"],
            title=row["title"],
            algo=ALGO,
            score=row["score"],
            start=shot["start"],
            end=shot["end"],
            shot_index=shot["index"],
            fps=shot["fps"],
            thumbnail=shot.get("thumbnail"),
            extra={
                "role": role,
                "start_frame": shot["start_frame"],
                "end_frame": shot["end_frame"],
            },
        )

    return PairView(
        rank=rank,
        kind=kind,
        score=row["score"],
        asset_id=row["asset_id"],
        title=row["title"],
        outgoing=side(row["outgoing"], "outgoing"),
        incoming=side(row["incoming"], "incoming"),
    )


def export_pairs(
    answer: MatchCutsAnswer, assets: dict[str, Asset], output_format: ExportFormat | str
) -> str:
    """The pairs as an edit: for each pair two adjacent events, the last second of A (its
    tail) then the first second of B (its head), so the cut between them is the match cut.

    Raises:
        ExportError: No pairs, or a format that cannot hold them.
    """
    events: list[EditEvent] = []
    sources: dict[str, EditSource] = {}
    for pair in answer.pairs:
        source = sources.setdefault(pair.asset_id, EditSource.of(assets[pair.asset_id]))
        head = max(1, round(HEAD_SECONDS * float(source.rate)))
        a, b = pair.outgoing.extra, pair.incoming.extra
        tail_start = max(a["start_frame"], a["end_frame"] - head)
        head_end = min(b["end_frame"], b["start_frame"] + head)
        for role, shot, start, end in (
            ("A", pair.outgoing, tail_start, a["end_frame"]),
            ("B", pair.incoming, b["start_frame"], head_end),
        ):
            metadata = {
                "title": pair.title,
                "asset_id": pair.asset_id,
                "shot_index": shot.shot_index,
                "score": pair.score,
                "algo": ALGO,
            }
            name = f"{pair.kind} cut {pair.rank} {role}: shot {shot.shot_index}"
            events.append(EditEvent(source, start, end, name, metadata))
    timeline = build_timeline(events, f"{answer.title} {answer.kind} match cuts")
    return render(timeline, output_format)


def with_dedupe(request: SearchRequest, settings: Settings) -> SearchRequest:
    """``request`` with the ``dedupe`` step in its chain (its own, else the configured one):
    after fusion and intersection, before sorting, grouping and the page cut, so that a page
    holds one hit per group of near-duplicate shots."""
    chain = list(request.postprocessors or settings.postprocessors)
    if DEDUPE not in chain:
        later = [chain.index(step) for step in ("sort", "group", "paginate") if step in chain]
        chain.insert(min(later, default=len(chain)), DEDUPE)
    return request.model_copy(update={"postprocessors": chain})
