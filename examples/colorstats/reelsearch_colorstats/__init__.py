"""Example reelsearch plugin: mean colour and brightness per time window, searchable by colour."""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.sdk import Algo, Searcher, hookimpl
from reelsearch_colorstats.algo import ColorStats, ColorStatsAlgo
from reelsearch_colorstats.searcher import ColorSearcher

__all__ = ["ColorSearcher", "ColorStats", "ColorStatsAlgo"]


@hookimpl
def register_algos(register: Callable[[type[Algo[ColorStats]]], None]) -> None:
    register(ColorStatsAlgo)


@hookimpl
def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
    register(ColorSearcher)
