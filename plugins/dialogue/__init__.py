"""The ``dialogue`` plugin: lines of dialogue from subtitles or speech, searchable by exact
phrase, words or meaning, by speaker, across titles.

It registers the ``dialogue`` algo (records: :class:`DialogueLine`, collection ``dialogue``)
and the ``dialogue`` searcher. The algo reads ``[components.algos.dialogue]``, the searcher
``[components.searchers.dialogue]``; both use the text encoder the algo's config names
(``minilm`` by default, from the ``sentence-transformers`` plugin): the algo embeds each line
when it runs, on the executor, and the searcher embeds queries with the same encoder.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.dialogue.algo import DialogueAlgo, DialogueConfig
from reelsearch.plugins.dialogue.record import DialogueLine, ShotChange, Word
from reelsearch.plugins.dialogue.searcher import (
    DialogueOptions,
    DialogueSearchConfig,
    DialogueSearcher,
)
from reelsearch.plugins.dialogue.sink import DialogueSink
from reelsearch.plugins.dialogue.timed_text import Cue, SubtitleError
from reelsearch.sdk import Algo, Searcher, hookimpl


@hookimpl
def register_algos(register: Callable[[type[Algo[DialogueLine]]], None]) -> None:
    """Register the ``dialogue`` algo."""
    register(DialogueAlgo)


@hookimpl
def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
    """Register the ``dialogue`` searcher."""
    register(DialogueSearcher)


__all__ = [
    "Cue",
    "DialogueAlgo",
    "DialogueConfig",
    "DialogueLine",
    "DialogueOptions",
    "DialogueSearchConfig",
    "DialogueSearcher",
    "DialogueSink",
    "ShotChange",
    "SubtitleError",
    "Word",
    "register_algos",
    "register_searchers",
]
