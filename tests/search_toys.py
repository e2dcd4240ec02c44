"""Toy searchers and a toy translator for the gateway tests: canned hits, no models, no store.

Two titles: asset ``a1`` ("Alpha") and ``a2`` ("Beta"). The ``visual`` searcher finds cars;
the ``lines`` searcher finds dialogue ("merry christmas") and also answers "car", so that
fusion has two lists to fuse.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ClassVar

from reelsearch.sdk import (
    Capability,
    Hit,
    RequestError,
    SearchContext,
    Searcher,
    SearchRequest,
    Translator,
    best_first,
    hookimpl,
)

TITLES = {"a1": "Alpha", "a2": "Beta"}


def hit(
    id: str, asset: str, start: float, end: float, score: float, algo: str, shot: int | None = None
) -> Hit:
    return Hit(
        id=id,
        asset_id=asset,
        title=TITLES[asset],
        algo=algo,
        score=score,
        start=start,
        end=end,
        shot_index=shot,
        fps=25.0,
    )


CARS = [
    hit("v1", "a1", 10.0, 12.0, 0.9, "frames", shot=3),
    hit("v2", "a1", 30.0, 33.0, 0.8, "frames", shot=7),
    hit("v3", "a2", 5.0, 6.0, 0.7, "frames", shot=1),
    hit("v4", "a2", 50.0, 52.0, 0.3, "frames", shot=9),
    hit("v5", "a1", 12.0, 14.0, 0.6, "frames", shot=3),
]
LINES = [
    hit("d1", "a1", 31.0, 32.5, 12.0, "subtitles"),
    hit("d2", "a2", 7.5, 9.0, 8.0, "subtitles"),
    hit("d3", "a1", 100.0, 102.0, 5.0, "subtitles"),
]
CAR_LINES = [
    hit("c1", "a2", 50.5, 51.0, 20.0, "subtitles", shot=9),
    hit("c2", "a1", 70.0, 71.0, 10.0, "subtitles"),
]


class Canned(Searcher):
    """Answers text queries from a table; records every request it gets."""

    algo = "frames"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FILTERS})
    answers: ClassVar[dict[str, list[Hit]]] = {}
    seen: ClassVar[list[SearchRequest]] = []

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        type(self).seen.append(request)
        wanted = set(request.filter.asset_ids)
        found = [
            h
            for h in self.answers.get(request.text or "", [])
            if not wanted or h.asset_id in wanted
        ]
        return best_first(found)[: request.offset + request.limit]


class Visual(Canned):
    name = "toy-visual"
    algo = "frames"
    answers: ClassVar[dict[str, list[Hit]]] = {"car": CARS}
    seen: ClassVar[list[SearchRequest]] = []


class Lines(Canned):
    name = "toy-lines"
    algo = "subtitles"
    answers: ClassVar[dict[str, list[Hit]]] = {"merry christmas": LINES, "car": CAR_LINES}
    seen: ClassVar[list[SearchRequest]] = []


class OnlyWhenNamed(Searcher):
    """A searcher that receives only requests naming it in ``algos``."""

    algo = "frames"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.VECTOR})

    def accepts(self, request: SearchRequest) -> bool:
        return self.name in request.algos


class Broken(OnlyWhenNamed):
    name = "broken"

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        raise RuntimeError("the index is on fire")


class Picky(OnlyWhenNamed):
    name = "picky"

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        raise RequestError(f"picky does not understand {request.text!r}")


RENDEZVOUS = threading.Barrier(2, timeout=5)


class Meeting(OnlyWhenNamed):
    """Answers only once another Meeting searcher is searching at the same time."""

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        RENDEZVOUS.wait()  # BrokenBarrierError after 5 s if the searchers run one by one
        return [hit(f"{self.name}-1", "a1", 1.0, 2.0, 0.5, "frames")]


class MeetingA(Meeting):
    name = "meeting-a"


class MeetingB(Meeting):
    name = "meeting-b"


class ToyFrench(Translator):
    """Translates a few French words to English."""

    name = "toy-french"
    words: ClassVar[dict[str, str]] = {"voiture": "car", "joyeux": "merry", "noël": "christmas"}

    def translate(self, text: str, source_language: str, target_language: str) -> str:
        assert (source_language, target_language) == ("fr", "en")
        return " ".join(self.words.get(w, w) for w in text.split())


class SearchToys:
    """The plugin: every toy above."""

    @staticmethod
    @hookimpl
    def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
        for searcher in (Visual, Lines, Broken, Picky, MeetingA, MeetingB):
            register(searcher)

    @staticmethod
    @hookimpl
    def register_translators(register: Callable[[type[Translator]], None]) -> None:
        register(ToyFrench)
