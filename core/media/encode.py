"""Writing RGB frames to an H.264 MP4 with PyAV (libx264), atomically."""

from __future__ import annotations

import os
from contextlib import ExitStack
from fractions import Fraction
from types import TracebackType
from typing import Any

import av
import numpy as np

from reelsearch.core.errors import MediaError
from reelsearch.core.media.atomic import atomic_target
from reelsearch.core.media.decode import FrameSize, RGBImage, even_size


class VideoWriter:
    """Encodes RGB frames of one size into an MP4 at ``path``; the file appears on close.

    Use as a context manager: the MP4 is renamed into place when the block ends normally and
    deleted if it raises.

    Args:
        path: Where the MP4 goes.
        fps: Frame rate (29.97 is written as 30000/1001).
        size: ``(width, height)``; both must be even.
        crf: libx264 constant rate factor (lower is better and bigger).
        preset: libx264 speed preset.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float,
        size: FrameSize,
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if size != even_size(*size):
            raise ValueError(f"frame size {size} must have even width and height")
        self.path = path
        self.size = size
        self._rate = Fraction(fps).limit_denominator(1001)
        self._options = {"crf": str(crf), "preset": preset}
        self._stack = ExitStack()
        self._container: Any = None
        self._stream: Any = None
        self.frames = 0

    def __enter__(self) -> VideoWriter:
        temporary = self._stack.enter_context(atomic_target(self.path))
        self._container = av.open(str(temporary), mode="w", format="mp4")
        self._stream = self._container.add_stream("libx264", rate=self._rate, options=self._options)
        self._stream.width, self._stream.height = self.size
        self._stream.pix_fmt = "yuv420p"
        return self

    def write(self, image: RGBImage) -> None:
        """Append one ``(height, width, 3)`` RGB frame of :attr:`size`."""
        width, height = self.size
        if image.shape != (height, width, 3):
            raise ValueError(f"frame shape {image.shape} does not match size {self.size}")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        self._container.mux(self._stream.encode(frame))
        self.frames += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if error is None:
                self._container.mux(self._stream.encode(None))
            self._container.close()
        except av.FFmpegError as exc:
            self._stack.__exit__(type(exc), exc, exc.__traceback__)
            raise MediaError(f"{self.path}: cannot write video: {exc}") from None
        self._stack.__exit__(kind, error, traceback)
