"""Turning a visual query — text, a still, or a short clip — into one vector."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reelsearch.sdk import (
    Encoder,
    Image,
    RequestError,
    Shot,
    Vectors,
    embed_shots,
    probe,
    short_side_size,
)


def load_image(path: str | Path) -> Image:
    """The still at ``path`` as an RGB array.

    Raises:
        RequestError: The file is missing or not an image, naming it.
    """
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(path) as still:
            return np.asarray(still.convert("RGB"))
    except FileNotFoundError:
        raise RequestError(f"image {path} does not exist") from None
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise RequestError(f"{path} is not a readable image: {exc}") from None


def clip_vector(encoder: Encoder, path: str | Path, frames: int, short_side: int) -> Vectors:
    """A short video as one query: ``frames`` frames sampled evenly over it, embedded and
    mean-pooled like a shot. Returns a ``(1, dimension)`` array.

    Raises:
        MediaError: The clip cannot be read.
        RequestError: No frame of it could be decoded.
    """
    info = probe(path)
    whole = Shot(
        asset_id="query", index=0, start_frame=0, end_frame=max(1, info.frame_count), fps=info.fps
    )
    (vector,) = embed_shots(
        encoder,
        path,
        [whole],
        frames_per_shot=frames,
        frame_size=short_side_size((info.width, info.height), short_side),
    )
    if vector is None:
        raise RequestError(f"no frame of clip {path} could be decoded")
    return vector[None, :]
