"""A deterministic encoder for tests: no weights, but text and images share one space.

Text is embedded by feature hashing of its words. An image is embedded as the words of its
dominant colours ("red", "blue", ...), so the text query ``"red"`` is nearest to red frames —
enough to test search plumbing end to end with meaningful expectations.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.core.media.sample import PALETTE
from reelsearch.sdk import Encoder, Image, Modality, Vectors

_WORD = re.compile(r"[a-z0-9']+")


class FakeEncoderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dimension: int = Field(default=64, ge=8, description="Length of the vectors.")


class FakeEncoder(Encoder[FakeEncoderConfig]):
    """Hash-based text vectors; images as the text of their dominant colours."""

    name = "fake"
    description = "Deterministic test encoder (feature hashing; images by dominant colour)."
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT, Modality.IMAGE})
    Config = FakeEncoderConfig

    def __init__(self, config: FakeEncoderConfig | None = None) -> None:
        super().__init__(config)
        self.warm_ups = 0

    @property
    def dimension(self) -> int:
        return self.config.dimension

    def warm_up(self) -> None:
        self.warm_ups += 1

    def encode_text(self, texts: Sequence[str]) -> Vectors:
        return self._embed_all([_WORD.findall(t.lower()) for t in texts])

    def encode_images(self, images: Sequence[Image]) -> Vectors:
        return self._embed_all([dominant_colours(img) for img in images])

    def _embed_all(self, documents: Sequence[Sequence[str]]) -> Vectors:
        out = np.zeros((len(documents), self.dimension), dtype=np.float32)
        for row, words in enumerate(documents):
            out[row] = self._embed_words(words)
        return out

    def _embed_words(self, words: Sequence[str]) -> Vectors:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in words:
            digest = hashlib.sha256(word.encode()).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dimension
            vector[bucket] += 1.0 if digest[4] % 2 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:  # no words: a fixed unit vector rather than zeros
            vector[0] = 1.0
            return vector
        return vector / norm


def dominant_colours(image: Image, top: int = 2) -> list[str]:
    """Names of the ``top`` colours (of :data:`PALETTE`) covering most pixels."""
    pixels = np.asarray(image, dtype=np.float32).reshape(-1, 3)[::7]
    palette = np.array(list(PALETTE.values()), dtype=np.float32)
    nearest = np.argmin(((pixels[:, None, :] - palette[None, :, :]) ** 2).sum(-1), axis=1)
    counts = np.bincount(nearest, minlength=len(palette))
    names = list(PALETTE)
    ranked = [names[i] for i in np.argsort(-counts, kind="stable") if counts[i] > 0]
    return ranked[:top]
