"""MediaPipe's BlazeFace short-range face detector, run with LiteRT (see models/NOTICE.md).

The decoding follows MediaPipe's ``face_detection_short_range`` graph: a 128x128 letterboxed
input scaled to [-1, 1], 896 SSD anchors (``SsdAnchorsCalculator``: 4 layers, strides 8, 16,
16, 16, fixed-size anchors, two per cell and layer), box offsets in input pixels, sigmoid
scores clipped at +-100, and weighted non-maximum suppression at IoU 0.3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.characters.models import EXTRA
from reelsearch.sdk import FaceBox, FaceDetector, Image, ModelUnavailableError, require

BUNDLED_BLAZEFACE = Path(__file__).with_name("models") / "face_detection_short_range.tflite"
"""MediaPipe's BlazeFace short-range model, from the ``mediapipe==0.10.14`` wheel."""

INPUT_SIZE = 128
STRIDES = (8, 16, 16, 16)
ANCHORS_PER_LAYER = 2
"""One anchor of aspect ratio 1 and one interpolated between this layer's scale and the next
(``interpolated_scale_aspect_ratio = 1``); with fixed-size anchors both sit on the cell's
centre."""
SCORE_CLIP = 100.0

Floats = NDArray[np.float32]


def ssd_anchors(size: int = INPUT_SIZE, strides: Sequence[int] = STRIDES) -> Floats:
    """Anchor centres ``(n, 2)`` as ``(x, y)`` in [0, 1], in the order the model's outputs
    follow: consecutive layers of equal stride share one grid, rows, then columns, then the
    anchors of each cell."""
    centres: list[Floats] = []
    layer = 0
    while layer < len(strides):
        same = layer
        while same < len(strides) and strides[same] == strides[layer]:
            same += 1
        per_cell = ANCHORS_PER_LAYER * (same - layer)
        cells = math.ceil(size / strides[layer])
        offsets = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(offsets, offsets, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(grid, per_cell, axis=0))
        layer = same
    return np.concatenate(centres).astype(np.float32)


def _iou(box: Floats, others: Floats) -> Floats:
    """IoU of one ``(x0, y0, x1, y1)`` box with each of ``others`` ``(n, 4)``."""
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0).astype(np.float32)


def suppress(
    boxes: Floats, scores: Floats, threshold: float, *, weighted: bool = True
) -> list[tuple[Floats, float]]:
    """Non-maximum suppression, best score first: each kept box absorbs the boxes that overlap
    it by more than ``threshold`` IoU; ``weighted`` (MediaPipe's choice) replaces it by their
    score-weighted mean, otherwise it stays as it is. Returns ``(box, score)`` pairs."""
    order = np.argsort(-scores, kind="stable")
    boxes, scores = boxes[order], scores[order]
    kept = []
    while len(boxes):
        overlapping = _iou(boxes[0], boxes) > threshold
        overlapping[0] = True
        box = boxes[0]
        if weighted:
            weights = scores[overlapping]
            box = (boxes[overlapping] * weights[:, None]).sum(axis=0) / weights.sum()
        kept.append((box.astype(np.float32), float(scores[0])))
        boxes, scores = boxes[~overlapping], scores[~overlapping]
    return kept


class BlazeFaceConfig(BaseModel):
    """Options of the BlazeFace detector (``[components.face_detectors.blazeface]``)."""

    model_config = ConfigDict(extra="forbid")

    min_score: float = Field(
        default=0.75,
        ge=0.0,
        le=1.0,
        description="Detections whose probability is below this are dropped. MediaPipe's "
        "default, 0.5, lets through textured backgrounds at 0.5 to 0.7 on whole frames.",
    )
    overlap: float = Field(
        default=0.3,
        gt=0.0,
        le=1.0,
        description="Boxes overlapping a better one by more than this IoU are merged into it.",
    )
    weighted: bool = Field(
        default=True,
        description="Merge overlapping boxes into their score-weighted mean (MediaPipe's "
        "weighted NMS); false keeps the best box only (plain NMS).",
    )
    model: str | None = Field(
        default=None,
        description="Path to a BlazeFace short-range TFLite file; default: the bundled one.",
    )
    threads: int = Field(default=1, ge=1, description="CPU threads LiteRT runs on.")


class BlazeFaceDetector(FaceDetector[BlazeFaceConfig]):
    """MediaPipe's BlazeFace short-range detector: fast on a CPU, for faces that fill a
    good part of the frame (within about 2 m of the camera); misses small faces."""

    name = "blazeface"
    description = "MediaPipe's BlazeFace short-range face detector (LiteRT, CPU)."

    def warm_up(self) -> None:
        require("ai_edge_litert", extra=EXTRA, needed_by=f"the {self.name} face detector")
        from ai_edge_litert.interpreter import Interpreter

        path = Path(self.config.model) if self.config.model else BUNDLED_BLAZEFACE
        if not path.is_file():
            raise ModelUnavailableError(f"BlazeFace model {path} does not exist")
        try:
            interpreter = Interpreter(model_path=str(path), num_threads=self.config.threads)
            interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(f"{path} is not a usable TFLite model: {exc}") from None
        inputs = interpreter.get_input_details()
        outputs = {tuple(d["shape"][1:]): d["index"] for d in interpreter.get_output_details()}
        anchors = ssd_anchors()
        boxes, scores = (len(anchors), 16), (len(anchors), 1)
        if tuple(inputs[0]["shape"]) != (1, INPUT_SIZE, INPUT_SIZE, 3) or not {
            boxes,
            scores,
        } <= set(outputs):
            raise ModelUnavailableError(f"{path} is not a BlazeFace short-range model")
        self._interpreter: Any = interpreter
        self._input = inputs[0]["index"]
        self._boxes, self._scores = outputs[boxes], outputs[scores]
        self._anchors = anchors

    def detect_faces(self, images: Sequence[Image]) -> list[list[FaceBox]]:
        return [self._detect(np.ascontiguousarray(image, dtype=np.uint8)) for image in images]

    def _detect(self, image: Image) -> list[FaceBox]:
        from PIL import Image as PILImage

        height, width = image.shape[:2]
        scale = INPUT_SIZE / max(height, width)
        inner = (max(1, round(width * scale)), max(1, round(height * scale)))
        left, top = (INPUT_SIZE - inner[0]) // 2, (INPUT_SIZE - inner[1]) // 2
        canvas = np.full((INPUT_SIZE, INPUT_SIZE, 3), -1.0, np.float32)  # black borders
        resized = PILImage.fromarray(image).resize(inner, PILImage.Resampling.BILINEAR)
        canvas[top : top + inner[1], left : left + inner[0]] = np.asarray(resized) / 127.5 - 1.0

        self._interpreter.set_tensor(self._input, canvas[None])
        self._interpreter.invoke()
        raw = self._interpreter.get_tensor(self._boxes)[0]
        logits = self._interpreter.get_tensor(self._scores)[0, :, 0].astype(np.float64)
        scores = (1.0 / (1.0 + np.exp(-np.clip(logits, -SCORE_CLIP, SCORE_CLIP)))).astype(
            np.float32
        )
        keep = scores >= self.config.min_score
        if not keep.any():
            return []
        centres = self._anchors[keep] * INPUT_SIZE + raw[keep, :2]
        half = raw[keep, 2:4] / 2
        corners = np.concatenate([centres - half, centres + half], axis=1)
        found = []
        for box, score in suppress(
            corners, scores[keep], self.config.overlap, weighted=self.config.weighted
        ):
            x0, y0, x1, y1 = ((box - [left, top, left, top]) / scale).tolist()
            face = FaceBox(
                left=max(0, round(x0)),
                top=max(0, round(y0)),
                right=min(width, round(x1)),
                bottom=min(height, round(y1)),
                score=score,
            )
            if face.right > face.left and face.bottom > face.top:
                found.append(face)
        return found
