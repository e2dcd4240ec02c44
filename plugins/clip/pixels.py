"""The model's image preprocessing, batched where it can be done exactly.

open_clip's evaluation transform resizes each image (PIL) so its shorter side is the input
size, crops the centre square, scales to 0..1 and normalises. Frames the ``shot_embeddings``
algo decodes already have that shorter side, so the resize leaves them as they are; for such
a batch :class:`CentreCrop` does the crop and normalisation on the whole batch at once, with
the same numbers as the per-image transform and a fraction of its cost. Any other image goes
through the model's own transform.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from reelsearch.sdk import Image

if TYPE_CHECKING:
    import torch

STEPS = ["Resize", "CenterCrop", "MaybeConvertMode", "MaybeToTensor", "Normalize"]
"""The transform :class:`CentreCrop` stands in for, step by step."""


class CentreCrop:
    """Centre crop and normalisation of a batch of same-size RGB images whose shorter side is
    already ``side``.

    Args:
        side: The model's (square) input size.
        mean: Per-channel mean of the normalisation.
        std: Per-channel standard deviation of the normalisation.
    """

    def __init__(self, side: int, mean: Sequence[float], std: Sequence[float]) -> None:
        import torch

        self.side = side
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    @classmethod
    def of(cls, preprocess: Any) -> CentreCrop | None:
        """The batched equivalent of open_clip's transform ``preprocess``, or ``None`` where it
        is another transform (another resize mode, a non-square input)."""
        steps = list(getattr(preprocess, "transforms", []))
        if [type(step).__name__ for step in steps] != STEPS:
            return None
        resize, crop, _, _, normalize = steps
        size = resize.size if isinstance(resize.size, int) else list(resize.size)
        if isinstance(size, list) and len(size) == 1:
            size = size[0]
        if not isinstance(size, int) or resize.max_size is not None:
            return None
        if tuple(crop.size) != (size, size):
            return None
        return cls(size, list(normalize.mean), list(normalize.std))

    def fits(self, images: Sequence[Image]) -> bool:
        """Whether every image is RGB, of one size, with the shorter side at the input size."""
        shapes = {image.shape for image in images}
        if len(shapes) != 1:
            return False
        (shape,) = shapes
        return len(shape) == 3 and shape[2] == 3 and min(shape[:2]) == self.side

    def __call__(self, images: Sequence[Image]) -> torch.Tensor:
        """``(n, 3, side, side)`` float32 pixels, as the model's own transform makes them."""
        import torch

        height, width = images[0].shape[:2]
        top = round((height - self.side) / 2.0)  # as torchvision's center_crop
        left = round((width - self.side) / 2.0)
        batch = np.stack(images)[:, top : top + self.side, left : left + self.side]
        pixels = torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2)
        return pixels.float().div(255).sub_(self.mean).div_(self.std)
