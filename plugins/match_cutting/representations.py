"""What each algo sums a shot's frames up as: a colour-layout signature, a person mask, a flow
field. Heavy libraries (LiteRT, OpenCV) are imported by the caller's ``warm_up``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reelsearch.sdk import ModelUnavailableError

RGB = NDArray[np.uint8]
Floats = NDArray[np.float32]

BUNDLED_SEGMENTER = Path(__file__).with_name("models") / "selfie_segmentation_landscape.tflite"
"""MediaPipe's selfie segmentation, landscape variant (see models/NOTICE.md)."""

SIGNATURE_SIZE = (16, 9)
"""``(width, height)`` of the colour layout: frames are scaled to it while decoding."""


def colour_layout(image: RGB) -> Floats:
    """A frame's colour layout: its luma and chroma on a coarse grid, each channel centred
    and scaled to unit variance, so that a brightness or contrast change leaves it alone while
    what is where in the frame decides it. Compare two with cosine similarity."""
    rgb = image.astype(np.float32)
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    blue = rgb[..., 2] - luma
    red = rgb[..., 0] - luma
    parts = []
    for channel, weight in ((luma, 1.0), (blue, 0.5), (red, 0.5)):
        centred = channel - channel.mean()
        spread = float(centred.std())
        parts.append(weight * (centred / spread if spread > 1.0 else np.zeros_like(centred)))
    return np.concatenate([part.ravel() for part in parts]).astype(np.float32)


class Segmenter:
    """Person probability per pixel with a TFLite selfie segmentation model on LiteRT.

    Args:
        interpreter: A LiteRT ``Interpreter`` with its tensors allocated.
    """

    def __init__(self, interpreter: Any) -> None:
        self._interpreter = interpreter
        source = interpreter.get_input_details()[0]
        self._input = source["index"]
        self._output = interpreter.get_output_details()[0]["index"]
        _, height, width, _ = (int(x) for x in source["shape"])
        self.size = (width, height)

    @classmethod
    def load(cls, model: str | Path | None, threads: int = 1) -> Segmenter:
        """The model at ``model`` (default: the bundled one), ready to run.

        Raises:
            ModelUnavailableError: The file is missing or not a TFLite model.
        """
        from ai_edge_litert.interpreter import Interpreter

        path = Path(model) if model else BUNDLED_SEGMENTER
        if not path.is_file():
            raise ModelUnavailableError(f"segmentation model {path} does not exist")
        try:
            interpreter = Interpreter(model_path=str(path), num_threads=threads)
            interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(f"{path} is not a usable TFLite model: {exc}") from None
        return cls(interpreter)

    def __call__(self, image: RGB) -> Floats:
        """``(height, width)`` person probabilities of an RGB image of :attr:`size`."""
        tensor = (image.astype(np.float32) / 255.0)[None]
        self._interpreter.set_tensor(self._input, tensor)
        self._interpreter.invoke()
        probabilities: Floats = self._interpreter.get_tensor(self._output)[0, :, :, 0]
        return probabilities.astype(np.float32)


def coarse(values: Floats, size: tuple[int, int]) -> Floats:
    """``values`` (``height x width [x c]``) averaged down onto a ``(width, height)`` grid of
    cells; the image's sides need not be multiples of the grid's."""
    width, height = size
    rows = np.linspace(0, values.shape[0], height + 1).astype(int)
    cols = np.linspace(0, values.shape[1], width + 1).astype(int)
    summed = np.add.reduceat(np.add.reduceat(values, rows[:-1], axis=0), cols[:-1], axis=1)
    counts = np.outer(np.diff(rows), np.diff(cols)).astype(np.float32)
    if summed.ndim == 3:
        counts = counts[..., None]
    return (summed / counts).astype(np.float32)


def pack_mask(mask: NDArray[np.bool_]) -> str:
    """A boolean mask as hex of its packed bits (row-major)."""
    return np.packbits(mask.ravel()).tobytes().hex()


def unpack_mask(text: str, size: int) -> NDArray[np.bool_]:
    """The flat boolean mask of ``size`` cells that :func:`pack_mask` wrote."""
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(text), dtype=np.uint8))
    return bits[:size].astype(bool)


def farneback(previous: NDArray[np.uint8], following: NDArray[np.uint8]) -> Floats:
    """Dense optical flow (OpenCV Farneback) from one grey frame to the next, in pixels:
    ``(height, width, 2)``."""
    import cv2

    flow = cv2.calcOpticalFlowFarneback(previous, following, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    return np.asarray(flow, dtype=np.float32)


def grey(image: RGB) -> NDArray[np.uint8]:
    """Luma of an RGB frame."""
    luma = image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(luma, 0, 255).astype(np.uint8)
