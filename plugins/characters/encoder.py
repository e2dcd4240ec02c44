"""The face encoder: dlib's ResNet face descriptor (128-d), on face crops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.characters.models import EXTRA, FACE_DESCRIPTOR, LANDMARKS_5, face_model
from reelsearch.sdk import Encoder, FaceBox, Image, Modality, Vectors, require

CROP_SCALE = 2.0
"""A face crop is this many times the face box, the face in its middle (padded black)."""


def face_crop(image: Image, box: FaceBox) -> Image:
    """The crop of ``box`` that face encoders take: the box grown to :data:`CROP_SCALE` times
    its size around its centre, black where it leaves the image."""
    width, height = box.right - box.left, box.bottom - box.top
    out_w, out_h = round(width * CROP_SCALE), round(height * CROP_SCALE)
    left = box.left - (out_w - width) // 2
    top = box.top - (out_h - height) // 2
    crop = np.zeros((out_h, out_w, 3), np.uint8)
    src_x0, src_y0 = max(0, left), max(0, top)
    src_x1, src_y1 = min(image.shape[1], left + out_w), min(image.shape[0], top + out_h)
    if src_x1 > src_x0 and src_y1 > src_y0:
        crop[src_y0 - top : src_y1 - top, src_x0 - left : src_x1 - left] = image[
            src_y0:src_y1, src_x0:src_x1
        ]
    return crop


def face_box_in_crop(crop: Image) -> tuple[int, int, int, int]:
    """Where the face is in a :func:`face_crop`: ``(left, top, right, bottom)``."""
    height, width = crop.shape[:2]
    inset_x = round(width * (1 - 1 / CROP_SCALE) / 2)
    inset_y = round(height * (1 - 1 / CROP_SCALE) / 2)
    return inset_x, inset_y, width - inset_x, height - inset_y


class DlibFaceConfig(BaseModel):
    """Options of the ``dlib-face`` encoder (``[components.encoders.dlib-face]``)."""

    model_config = ConfigDict(extra="forbid")

    jitters: int = Field(
        default=0,
        ge=0,
        le=100,
        description="Extra randomly jittered copies averaged per face: a little more robust, "
        "that many times slower.",
    )


class DlibFaceEncoder(Encoder[DlibFaceConfig]):
    """dlib's ResNet face descriptor: 128 numbers per face, photos of one person about 0.4
    apart (Euclidean), of different people above 0.6.

    Each image given to :meth:`encode_images` is a face crop as :func:`face_crop` cuts it
    (a stored thumbnail, or a still cut around the face a face detector found). Faces are
    aligned on dlib's 5-point landmarks. Rows are the raw descriptors (length about 1), so
    that Euclidean distances keep their usual meaning.
    """

    name = "dlib-face"
    description = "dlib ResNet face descriptor (128-d) on face crops."
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.IMAGE})

    @property
    def dimension(self) -> int:
        return 128

    def warm_up(self) -> None:
        needed_by = f"the {self.name} face encoder"
        require("dlib", extra=EXTRA, needed_by=needed_by)
        import dlib

        self._dlib: Any = dlib
        self._landmarks: Any = dlib.shape_predictor(str(face_model(LANDMARKS_5, needed_by)))
        self._model: Any = dlib.face_recognition_model_v1(
            str(face_model(FACE_DESCRIPTOR, needed_by))
        )

    def encode_images(self, images: Sequence[Image]) -> Vectors:
        rows = np.zeros((len(images), self.dimension), np.float32)
        for row, image in enumerate(images):
            pixels = np.ascontiguousarray(image, dtype=np.uint8)
            shape = self._landmarks(pixels, self._dlib.rectangle(*face_box_in_crop(pixels)))
            descriptor = self._model.compute_face_descriptor(pixels, shape, self.config.jitters)
            rows[row] = np.asarray(descriptor, np.float32)
        return rows
