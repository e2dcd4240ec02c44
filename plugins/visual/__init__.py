"""The ``visual`` plugin: shots found by description, still, clip or example shot.

Its ``shot_embeddings`` algo stores a mean-pooled visual embedding per shot (it depends on
``shots`` and embeds with the encoder its config names, ``clip`` by default); its ``visual``
searcher looks them up.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.visual.algo import (
    ShotEmbeddingsAlgo,
    ShotEmbeddingsConfig,
    gpus_here,
)
from reelsearch.plugins.visual.queries import clip_vector, load_image
from reelsearch.plugins.visual.record import ShotEmbedding, ShotWithMedia
from reelsearch.plugins.visual.searcher import VisualConfig, VisualSearcher
from reelsearch.plugins.visual.sink import COLLECTION, ShotEmbeddingsSink
from reelsearch.sdk import Algo, Searcher, hookimpl


@hookimpl
def register_algos(register: Callable[[type[Algo]], None]) -> None:
    """Register the ``shot_embeddings`` algo."""
    register(ShotEmbeddingsAlgo)


@hookimpl
def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
    """Register the ``visual`` searcher."""
    register(VisualSearcher)


__all__ = [
    "COLLECTION",
    "ShotEmbedding",
    "ShotEmbeddingsAlgo",
    "ShotEmbeddingsConfig",
    "ShotEmbeddingsSink",
    "ShotWithMedia",
    "VisualConfig",
    "VisualSearcher",
    "clip_vector",
    "gpus_here",
    "load_image",
    "register_algos",
    "register_searchers",
]
