"""Search windows by colour name or by example window."""

from __future__ import annotations

from typing import ClassVar

from reelsearch.sdk import (
    Capability,
    Hit,
    PointFilter,
    RequestError,
    ScoredPoint,
    SearchContext,
    Searcher,
    SearchRequest,
)
from reelsearch_colorstats.algo import ColorStatsAlgo

COLOURS: dict[str, tuple[float, float, float]] = {
    "black": (0.0, 0.0, 0.0),
    "white": (1.0, 1.0, 1.0),
    "gray": (0.5, 0.5, 0.5),
    "grey": (0.5, 0.5, 0.5),
    "red": (0.86, 0.12, 0.12),
    "green": (0.12, 0.7, 0.24),
    "blue": (0.12, 0.24, 0.86),
    "yellow": (0.94, 0.86, 0.16),
    "orange": (0.96, 0.55, 0.08),
    "purple": (0.55, 0.2, 0.67),
    "pink": (0.96, 0.59, 0.75),
    "brown": (0.47, 0.29, 0.16),
}
SHADES = {"dark": 0.5, "light": 1.4, "bright": 1.4, "pale": 1.4}


def colour_of(text: str) -> tuple[float, float, float]:
    """The RGB (0..1) of a colour phrase such as ``"red"`` or ``"dark blue"``."""
    words = text.lower().split()
    base = [COLOURS[w] for w in words if w in COLOURS]
    if not base:
        raise RequestError(
            f"colorstats understands colour names, not {text!r}; try one of: "
            + ", ".join(sorted(COLOURS))
        )
    rgb = [sum(channel) / len(base) for channel in zip(*base, strict=True)]
    for word in words:
        if word in SHADES:
            rgb = [min(1.0, c * SHADES[word]) for c in rgb]
    r, g, b = rgb
    return (r, g, b)


class ColorSearcher(Searcher):
    """Windows whose mean colour is nearest a colour name or an indexed window's colour."""

    name = "colorstats"
    algo = ColorStatsAlgo.name
    description = "Find time windows by colour name or like another window."
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VECTOR, Capability.FILTERS}
    )
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text", "like"})

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        collection = ctx.collection(self.algo)
        excluded = list(request.filter.exclude_ids)
        if request.like is not None:
            found = ctx.store.retrieve(collection, [request.like], with_vectors=True)
            if not found:
                raise RequestError(f"no colorstats window with id {request.like!r}")
            vector = found[0].vectors["rgb"]
            excluded.append(request.like)
        else:
            vector = list(colour_of(request.text or ""))
        filter_ = PointFilter(
            **request.filter.model_dump(exclude={"exclude_ids"}), exclude_ids=excluded
        )
        points = ctx.store.search(
            collection,
            vector,
            using="rgb",
            filter=filter_,
            limit=request.offset + request.limit,
        )
        return [self._hit(p) for p in points]

    def _hit(self, point: ScoredPoint) -> Hit:
        payload = point.payload
        return Hit.from_point(
            point,
            algo=self.algo,
            score=1.0 / (1.0 + point.score),  # Euclidean distance -> similarity in (0, 1]
            extra={"window": payload["window"], "brightness": payload["brightness"]},
        )
