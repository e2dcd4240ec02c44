"""An MP4 clip per shot, cut from one sequential pass over the video.

Clips are re-encoded (H.264, video only) at a reduced width so that every clip starts exactly
at its shot's first frame, whatever the source's keyframes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from reelsearch.sdk import FrameSize, FrameTap, RGBImage, Shot, VideoWriter


class ShotClipWriter(FrameTap):
    """A tap that writes frames ``[start_frame, end_frame)`` of each shot to its own MP4.

    Feed it a decoding pass (:func:`~reelsearch.core.media.decode.run_taps`), then call
    :meth:`close`. Each clip appears (atomically) once its last frame is written; if the pass
    fails, :meth:`close` with the error deletes the clip in progress.

    Args:
        shots: The shots, in order.
        directory: Where ``shot-<index>.mp4`` files go.
        size: ``(width, height)`` of the clips; both even.
        fps: The video's frame rate.
    """

    def __init__(self, shots: Sequence[Shot], directory: Path, size: FrameSize, fps: float) -> None:
        super().__init__(size)
        self.clip_size = size
        self.shots = sorted(shots, key=lambda shot: shot.start_frame)
        self.directory = directory
        self.fps = fps
        self.written: dict[int, Path] = {}
        self._next = 0
        self._open: tuple[Shot, VideoWriter, ExitStack] | None = None

    def path(self, index: int) -> Path:
        """Where the clip of shot ``index`` is written."""
        return self.directory / f"shot-{index:04d}.mp4"

    def wants(self, index: int) -> bool:
        if self.done:
            return False
        shot = self.shots[self._next]
        return shot.start_frame <= index < shot.end_frame

    def take(self, index: int, image: RGBImage) -> None:
        if self._open is None:
            shot = self.shots[self._next]
            stack = ExitStack()
            writer = stack.enter_context(
                VideoWriter(self.path(shot.index), self.fps, self.clip_size)
            )
            self._open = (shot, writer, stack)
        shot, writer, stack = self._open
        writer.write(image)
        if index + 1 >= shot.end_frame:
            self._open = None
            self._next += 1
            stack.close()
            self.written[shot.index] = self.path(shot.index)

    @property
    def done(self) -> bool:
        return self._next >= len(self.shots)

    def close(self, error: BaseException | None = None) -> None:
        """Finish: discard a clip left open (by an error or a video shorter than its shots)."""
        if self._open is not None:
            _, _, stack = self._open
            self._open = None
            failure = error or RuntimeError("the video ended inside the shot")
            stack.__exit__(type(failure), failure, failure.__traceback__)
