"""Where dialogue lines go in the store: one point per line, its text embedded and indexed.

The ``text`` payload has a full-text index (words and exact phrases); the ``text`` vector is
the line's sentence embedding. Each encoder has its own collection (``dialogue`` for the
default ``minilm``, ``dialogue-<encoder>`` otherwise), so that embeddings from different
models never share one: after switching encoders, titles are searchable once re-ingested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from reelsearch.plugins.algos.dialogue.record import DialogueLine
from reelsearch.sdk import (
    Asset,
    CollectionSpec,
    Encoder,
    FieldType,
    Point,
    Sink,
    VectorSpec,
    point_id,
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
    """Embeds each line's text and writes it with its times, speaker, language and shot.

    Args:
        algo: The algo's name, for point ids.
        version: The algo's version, for point ids.
        encoder: Returns the text encoder (loaded on first use).
    """

    def __init__(self, algo: str, version: str, encoder: Callable[[], Encoder]) -> None:
        self.algo = algo
        self.version = version
        self._encoder = encoder

    def collection(self) -> CollectionSpec:
        encoder = self._encoder()
        return CollectionSpec(
            name=collection_name(encoder.name),
            vectors={TEXT: VectorSpec(size=encoder.dimension)},
            indexes=INDEXES,
        )

    def points(self, asset: Asset, records: Sequence[DialogueLine]) -> Iterator[Point]:
        if not records:
            return
        vectors = self._encoder().encode_text([line.text for line in records])
        fps = asset.media.fps if asset.media else None
        for line, vector in zip(records, vectors, strict=True):
            yield Point(
                id=point_id(asset.id, self.algo, self.version, line.index),
                vectors={TEXT: vector.tolist()},
                payload=_payload(asset, line, fps),
            )


def _payload(asset: Asset, line: DialogueLine, fps: float | None) -> dict[str, Any]:
    return {
        TEXT: line.text,
        "asset_id": asset.id,
        "title": asset.title,
        "metadata": dict(asset.metadata),
        "start": line.start,
        "end": line.end,
        "line": line.index,
        "fps": fps,
        "speaker": line.speaker,
        SPEAKER_KEY: speaker_key(line.speaker) if line.speaker else None,
        "language": line.language,
        "source": line.source,
        "shot_index": line.shot_index,
        "shot_changes": [change.model_dump() for change in line.shot_changes],
        "thumbnail": line.thumbnail,
        "clip": line.clip,
        "words": [[word.start, word.end, word.text] for word in line.words],
    }
