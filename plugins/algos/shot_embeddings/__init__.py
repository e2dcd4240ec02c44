"""The ``shot_embeddings`` algo plugin: a mean-pooled visual embedding per shot, stored in
``shot_embeddings`` for the ``visual`` searcher. Depends on ``shots``; embeds with the
encoder its config names (``clip`` by default)."""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.algos.shot_embeddings.algo import (
    ShotEmbeddingsAlgo,
    ShotEmbeddingsConfig,
    gpus_here,
)
from reelsearch.plugins.algos.shot_embeddings.record import ShotEmbedding, ShotWithMedia
from reelsearch.plugins.algos.shot_embeddings.sink import COLLECTION, ShotEmbeddingsSink
from reelsearch.sdk import Algo, hookimpl


@hookimpl
def register_algos(register: Callable[[type[Algo]], None]) -> None:
    """Register the ``shot_embeddings`` algo."""
    register(ShotEmbeddingsAlgo)


__all__ = [
    "COLLECTION",
    "ShotEmbedding",
    "ShotEmbeddingsAlgo",
    "ShotEmbeddingsConfig",
    "ShotEmbeddingsSink",
    "ShotWithMedia",
    "gpus_here",
    "register_algos",
]
