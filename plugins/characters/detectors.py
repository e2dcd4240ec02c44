"""Face detectors: dlib's HOG detector (the default) and its CNN (MMOD) detector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.characters.models import CNN_DETECTOR, EXTRA, face_model
from reelsearch.sdk import FaceBox, FaceDetector, Image, require


class DlibConfig(BaseModel):
    """Options of the dlib face detectors (``[components.face_detectors.dlib-hog]``...)."""

    model_config = ConfigDict(extra="forbid")

    upsample: int = Field(
        default=1,
        ge=0,
        le=3,
        description="Times each image is doubled before detection: 1 finds faces down to "
        "about 40 pixels, 0 only from about 80, and runs about 4x faster.",
    )
    min_score: float = Field(
        default=0.0,
        description="Detections scoring below this are dropped (HOG: about -0.5 "
        "to 3; CNN: its confidence).",
    )


def _box(left: int, top: int, right: int, bottom: int, image: Image, score: float) -> FaceBox:
    height, width = image.shape[:2]
    return FaceBox(
        left=max(0, left),
        top=max(0, top),
        right=min(width, right),
        bottom=min(height, bottom),
        score=score,
    )


class DlibHogDetector(FaceDetector[DlibConfig]):
    """dlib's frontal face detector: HOG features and a linear SVM; fast on a CPU, frontal
    and slightly turned faces."""

    name = "dlib-hog"
    description = "dlib's HOG frontal face detector (CPU)."

    def warm_up(self) -> None:
        require("dlib", extra=EXTRA, needed_by=f"the {self.name} face detector")
        import dlib

        self._detector: Any = dlib.get_frontal_face_detector()

    def detect_faces(self, images: Sequence[Image]) -> list[list[FaceBox]]:
        found = []
        for image in images:
            pixels = np.ascontiguousarray(image, dtype=np.uint8)
            rects, scores, _ = self._detector.run(pixels, self.config.upsample, 0.0)
            found.append(
                [
                    _box(r.left(), r.top(), r.right(), r.bottom(), pixels, float(score))
                    for r, score in zip(rects, scores, strict=True)
                    if score >= self.config.min_score
                ]
            )
        return found


class DlibCnnDetector(FaceDetector[DlibConfig]):
    """dlib's CNN (MMOD) face detector: finds turned and small faces HOG misses; several
    times slower on a CPU."""

    name = "dlib-cnn"
    description = "dlib's CNN (MMOD) face detector: more faces, slower on a CPU."
    FACE_MODEL: ClassVar[str] = CNN_DETECTOR

    def warm_up(self) -> None:
        require("dlib", extra=EXTRA, needed_by=f"the {self.name} face detector")
        import dlib

        path = face_model(self.FACE_MODEL, f"the {self.name} face detector")
        self._detector: Any = dlib.cnn_face_detection_model_v1(str(path))

    def detect_faces(self, images: Sequence[Image]) -> list[list[FaceBox]]:
        found = []
        for image in images:
            pixels = np.ascontiguousarray(image, dtype=np.uint8)
            found.append(
                [
                    _box(
                        d.rect.left(),
                        d.rect.top(),
                        d.rect.right(),
                        d.rect.bottom(),
                        pixels,
                        float(d.confidence),
                    )
                    for d in self._detector(pixels, self.config.upsample)
                    if d.confidence >= self.config.min_score
                ]
            )
        return found
