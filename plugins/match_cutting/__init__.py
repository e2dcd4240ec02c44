"""The ``match_cutting`` plugin: candidate match cuts within a title.

Algos (each a memoised DAG step on ``shots``): ``near_duplicates`` (groups; the earliest shot
of each represents it), ``silhouettes`` (person masks at shot boundaries), ``motion`` (optical
flow at shot boundaries) and ``match_cuts`` (the best pairs of representatives, per kind:
``frame`` and ``motion``). Post-processor: ``dedupe``. ``silhouettes`` and ``motion`` need the
``matchcut`` extra (LiteRT, OpenCV).
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.match_cutting.algos import (
    MatchCutsAlgo,
    MatchCutsConfig,
    MotionAlgo,
    MotionConfig,
    NearDuplicatesAlgo,
    NearDuplicatesConfig,
    SilhouettesAlgo,
    SilhouettesConfig,
)
from reelsearch.plugins.match_cutting.dedupe import Dedupe, DedupeOptions
from reelsearch.plugins.match_cutting.records import (
    KINDS,
    MatchCutPair,
    MatchCuts,
    Motion,
    NearDuplicate,
    ShotRef,
    Silhouette,
)
from reelsearch.plugins.match_cutting.sinks import MATCH_CUTS, NEAR_DUPLICATES
from reelsearch.sdk import Algo, PostProcessor, hookimpl

ALGOS = (NearDuplicatesAlgo, SilhouettesAlgo, MotionAlgo, MatchCutsAlgo)


@hookimpl
def register_algos(register: Callable[[type[Algo]], None]) -> None:
    """Register ``near_duplicates``, ``silhouettes``, ``motion`` and ``match_cuts``."""
    for algo in ALGOS:
        register(algo)


@hookimpl
def register_postprocessors(register: Callable[[type[PostProcessor]], None]) -> None:
    """Register ``dedupe``."""
    register(Dedupe)


__all__ = [
    "KINDS",
    "MATCH_CUTS",
    "NEAR_DUPLICATES",
    "Dedupe",
    "DedupeOptions",
    "MatchCutPair",
    "MatchCuts",
    "MatchCutsAlgo",
    "MatchCutsConfig",
    "Motion",
    "MotionAlgo",
    "MotionConfig",
    "NearDuplicate",
    "NearDuplicatesAlgo",
    "NearDuplicatesConfig",
    "ShotRef",
    "Silhouette",
    "SilhouettesAlgo",
    "SilhouettesConfig",
    "register_algos",
    "register_postprocessors",
]
