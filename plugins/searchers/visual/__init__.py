"""The ``visual`` searcher plugin: shots by description, still, clip or example shot, over the
``shot_embeddings`` algo's collection."""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.searchers.visual.queries import clip_vector, load_image
from reelsearch.plugins.searchers.visual.searcher import VisualConfig, VisualSearcher
from reelsearch.sdk import Searcher, hookimpl


@hookimpl
def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
    """Register the ``visual`` searcher."""
    register(VisualSearcher)


__all__ = ["VisualConfig", "VisualSearcher", "clip_vector", "load_image", "register_searchers"]
