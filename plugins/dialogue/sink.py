"""Where dialogue lines go in the store: one point per line, its text embedded and indexed.

The ``text`` payload has a full-text index (words and exact phrases); the ``text`` vector is
the line's sentence embedding. Each encoder has its own collection (``dialogue`` for the
default ``minilm``, ``dialogue-<encoder>`` otherwise), so that embeddings from different
models never share one: after switching encoders, titles are searchable once re-ingested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from reelsearch.plugins.dialogue.record import DialogueLine
from reelsearch.sdk import (
    Asset,
    CollectionSpec,
    Encoder,
    FieldType,
    Point,
    Sink,
    VectorSpec,
    point_id,
    record_payload,
)

DEFAULT_ENCODER = "minilm"
TEXT = "text"
"""The payload field with the line's text, and the name of its embedding vector."""
SPEAKER_KEY = "speaker_key"
"""The speaker's name case-folded: what speaker filters match."""
INDEXES: dict[str, FieldType] = {
    TEXT: FieldType.TEXT,
    "speaker": FieldType.KEYWORD,
    SPEAKER_KEY: FieldType.KEYWORD,
    "language": FieldType.KEYWORD,
    "source": FieldType.KEYWORD,
    "shot_index": FieldType.INTEGER,
}


def collection_name(encoder: str) -> str:
    """The collection of lines embedded by ``encoder``."""
    if encoder == DEFAULT_ENCODER:
        return "dialogue"
    return "dialogue-" + re.sub(r"[^a-z0-9_\-]", "-", encoder.lower())[:118]


def speaker_key(name: str) -> str:
    """How a speaker's name is matched: case-folded, whitespace collapsed."""
    return " ".join(name.casefold().split())


class DialogueSink(Sink[DialogueLine]):
    """Writes each line, with the embedding the algo computed, its times, speaker, language
    and shot. It embeds nothing: the vectors are part of the memoised records.

    Args:
        algo: The algo's name, for point ids.
        version: The algo's version, for point ids.
        encoder: The text encoder that embedded the lines (its name and dimension; cold).
    """

    def __init__(self, algo: str, version: str, encoder: Encoder[Any]) -> None:
        self.algo = algo
        self.version = version
        self.encoder = encoder

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=collection_name(self.encoder.name),
            vectors={TEXT: VectorSpec(size=self.encoder.dimension)},
            indexes=INDEXES,
        )

    def points(self, asset: Asset, records: Sequence[DialogueLine]) -> Iterator[Point]:
        for line in records:
            yield Point(
                id=point_id(asset.id, self.algo, self.version, line.index),
                vectors={TEXT: line.vector},
                payload=_payload(line),
            )


def _payload(line: DialogueLine) -> dict[str, Any]:
    return record_payload(line) | {
        TEXT: line.text,
        "line": line.index,
        "speaker": line.speaker,
        SPEAKER_KEY: speaker_key(line.speaker) if line.speaker else None,
        "language": line.language,
        "source": line.source,
        "shot_changes": [change.model_dump() for change in line.shot_changes],
        "words": [[word.start, word.end, word.text] for word in line.words],
    }
