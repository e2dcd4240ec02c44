"""The ``clip`` encoder: open_clip's image and text towers, on CUDA, MPS or CPU.

Weights load in :meth:`ClipEncoder.warm_up`, which the runtime calls once where the encoder
runs (on the executor for ingest, in the search context for queries); used on its own, the
encoder loads them on its first ``encode_*`` call. A lookup that only needs the vector size (a
sink declaring its collection) loads nothing: :attr:`ClipEncoder.dimension` comes from the
architecture's config.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_serializer

from reelsearch.plugins.clip.pixels import CentreCrop
from reelsearch.plugins.clip.text_cache import TextCache
from reelsearch.plugins.clip.weights import architecture, checkpoint_identity, locate
from reelsearch.sdk import Encoder, Image, Modality, ModelUnavailableError, Vectors, require

if TYPE_CHECKING:
    import torch


class ClipConfig(BaseModel):
    """Options of the ``clip`` encoder (``[components.encoders.clip]`` in reelsearch.toml)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        default="ViT-B-32", description="open_clip architecture (open_clip.list_models())."
    )
    pretrained: str | None = Field(
        default="laion2b_s34b_b79k",
        description="open_clip pretrained tag, downloaded from the Hugging Face hub once and "
        "read from its cache afterwards (e.g. 'laion2b_s34b_b79k', 'openai'); with a "
        "checkpoint file it names the preprocessing the weights expect.",
    )
    checkpoint: Path | None = Field(
        default=None,
        description="Local weights instead of a download: an open_clip weights file for "
        "`model` (open_clip_pytorch_model.bin) or a model folder holding "
        "open_clip_config.json and its weights.",
    )
    device: Literal["auto", "cuda", "mps", "cpu"] = Field(
        default="auto", description="Where the model runs; auto: CUDA, else MPS, else CPU."
    )
    precision: Literal["auto", "fp32", "fp16", "bf16"] = Field(
        default="auto", description="auto: fp16 on a GPU, fp32 on the CPU."
    )
    batch_size: int = Field(default=64, ge=1, description="Images or texts per forward pass.")
    text_cache_size: int = Field(
        default=1024, ge=0, description="Text queries whose vectors are kept (LRU); 0: none."
    )
    cache_dir: Path | None = Field(
        default=None, description="Hugging Face cache folder; default: the hub's default."
    )
    download_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for the hub before calling it unreachable."
    )

    @field_serializer("checkpoint", when_used="json")
    def _checkpoint_identity(self, checkpoint: Path | None) -> str | None:
        """In JSON (what the algos' fingerprints read), the checkpoint with its files' sizes and
        modification times: retrained weights at the same path are another model."""
        return None if checkpoint is None else checkpoint_identity(checkpoint)


@dataclass(frozen=True)
class LoadedClip:
    """A loaded open_clip model with what it needs around it."""

    model: Any
    preprocess: Any
    tokenizer: Any
    device: torch.device
    dtype: torch.dtype
    crop: CentreCrop | None = None
    """The batched stand-in for ``preprocess``, where there is one."""


class ClipEncoder(Encoder[ClipConfig]):
    """Text and images into one CLIP space; vectors are L2-normalised float32."""

    name = "clip"
    description = "OpenCLIP image and text towers (default ViT-B-32, LAION-2B weights)."
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT, Modality.IMAGE})

    def __init__(self, config: ClipConfig | None = None) -> None:
        super().__init__(config)
        self._loaded: LoadedClip | None = None
        self._dimension: int | None = None
        self._lock = threading.Lock()
        self.texts = TextCache(self.config.text_cache_size)

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            config = architecture(self.config.model, self.config.checkpoint)
            self._dimension = int(config["embed_dim"])
        return self._dimension

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory."""
        return self._loaded is not None

    def warm_up(self) -> None:
        """Load the weights (:meth:`load`)."""
        self.load()

    def load(self) -> LoadedClip:
        """Load the weights once (thread-safe) and return the model.

        Raises:
            ModelUnavailableError: The weights are neither local nor downloadable, or do not
                load; the message says how to point at a local checkpoint.
        """
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_model()
            return self._loaded

    def encode_text(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        known: dict[str, NDArray[np.float32]] = {}
        for text in dict.fromkeys(texts):
            vector = self.texts.get(text)
            if vector is not None:
                known[text] = vector
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            clip = self.load()
            tokens = clip.tokenizer(missing)
            vectors = self._forward(clip.model.encode_text, tokens, clip, tokens.dtype)
            for text, vector in zip(missing, vectors, strict=True):
                known[text] = vector
                self.texts.put(text, vector)
        return np.stack([known[text] for text in texts])

    def encode_images(self, images: Sequence[Image]) -> Vectors:
        if not images:
            return np.zeros((0, self.dimension), dtype=np.float32)
        clip = self.load()
        if clip.crop is not None and clip.crop.fits(images):
            pixels = clip.crop(images)
        else:
            import torch
            from PIL import Image as PILImage

            pixels = torch.stack([clip.preprocess(PILImage.fromarray(image)) for image in images])
        return self._forward(clip.model.encode_image, pixels, clip, clip.dtype)

    def _forward(self, tower: Any, inputs: torch.Tensor, clip: LoadedClip, dtype: Any) -> Vectors:
        """Run ``tower`` over ``inputs`` in batches; L2-normalised float32 rows."""
        import torch

        size = self.config.batch_size
        parts = []
        with torch.inference_mode():
            for start in range(0, len(inputs), size):
                batch = inputs[start : start + size].to(clip.device, dtype=dtype)
                features = tower(batch).float()
                parts.append(torch.nn.functional.normalize(features, dim=-1).cpu())
        return torch.cat(parts).numpy().astype(np.float32, copy=False)

    def _load_model(self) -> LoadedClip:
        require("open_clip", "torch", extra="clip", needed_by="the clip encoder")
        import open_clip
        import torch

        settings = self.config
        source = locate(
            settings.model,
            settings.pretrained,
            settings.checkpoint,
            cache_dir=settings.cache_dir,
            timeout=settings.download_timeout,
        )
        device = pick_device(settings.device)
        precision = settings.precision
        if precision == "auto":
            precision = "fp32" if device.type == "cpu" else "fp16"
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                source.model_name,
                pretrained=source.checkpoint,
                device=device,
                precision=precision,
                **source.options,
            )
            tokenizer = open_clip.get_tokenizer(source.model_name)
        except Exception as exc:
            raise ModelUnavailableError(
                f"could not load {source.description}: {type(exc).__name__}: {exc}"
            ) from None
        model.eval()
        dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(precision, torch.float32)
        return LoadedClip(model, preprocess, tokenizer, device, dtype, CentreCrop.of(preprocess))


def pick_device(wanted: str) -> torch.device:
    """The torch device for ``wanted``: ``auto`` is CUDA, else MPS, else the CPU.

    Raises:
        ModelUnavailableError: ``cuda`` or ``mps`` was asked for but torch cannot use it.
    """
    import torch

    cuda = torch.cuda.is_available()
    mps = torch.backends.mps.is_available()
    if wanted == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (wanted == "cuda" and not cuda) or (wanted == "mps" and not mps):
        raise ModelUnavailableError(
            f"components.encoders.clip.device = {wanted!r}, but torch sees no such device here; "
            'use device = "auto" or "cpu"'
        )
    return torch.device(wanted)
