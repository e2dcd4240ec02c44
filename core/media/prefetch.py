"""Chosen frames of a video, decoded ahead in a background thread while the caller works.

A model that embeds frames and the decoder that produces them can overlap: the forward pass
(torch) and FFmpeg's decoding both release the GIL. :func:`prefetch_frames` runs one
sequential decoding pass (:func:`~reelsearch.core.media.decode.run_taps`) in a thread, hands
each wanted frame over through a bounded queue, and stops decoding after the last wanted frame,
when the caller stops iterating, or when it raises.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator

from reelsearch.core.media.decode import FramesAt, FrameSize, RGBImage, run_taps

DEFAULT_PREFETCH = 64
"""Frames decoded ahead of the consumer, at most."""

_POLL_SECONDS = 0.1


class _FrameQueue(FramesAt):
    """A :class:`FramesAt` that hands frames over through a bounded queue instead of keeping
    them, and that stops the pass once the consumer has gone."""

    def __init__(self, numbers: Iterable[int], size: FrameSize | None, capacity: int) -> None:
        super().__init__(numbers, size)
        self.queue: queue.Queue[tuple[int, RGBImage] | None] = queue.Queue(maxsize=capacity)
        self.stopped = threading.Event()

    def take(self, index: int, image: RGBImage) -> None:
        self.put((index, image))

    def put(self, item: tuple[int, RGBImage] | None) -> None:
        """Wait for room in the queue, unless the consumer has stopped; ``None`` ends."""
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    @property
    def done(self) -> bool:
        return self.stopped.is_set() or super().done


def prefetch_frames(
    path: str | os.PathLike[str],
    numbers: Iterable[int],
    size: FrameSize | None = None,
    *,
    prefetch: int = DEFAULT_PREFETCH,
    skip_loop_filter: bool = False,
) -> Iterator[tuple[int, RGBImage]]:
    """Yield ``(frame number, image)`` for each of ``numbers``, in frame order, decoded by a
    background thread up to ``prefetch`` frames ahead of the caller.

    Frames past the end of the video are silently missing. Decoding stops after the last
    wanted frame, or as soon as the caller closes the iterator.

    Args:
        path: The video file.
        numbers: Frame numbers wanted (duplicates are ignored).
        size: ``(width, height)`` of the images; ``None`` for the video's own size.
        prefetch: Most frames decoded ahead and held in memory.
        skip_loop_filter: Skip the codec's deblocking filter (faster, slightly blockier).

    Raises:
        MediaError: The file cannot be opened or decoded (raised in the caller's thread).
        ValueError: ``prefetch`` is less than 1.
    """
    if prefetch < 1:
        raise ValueError(f"prefetch must be at least 1, got {prefetch}")
    tap = _FrameQueue(numbers, size, prefetch)
    if not tap.numbers:
        return
    failure: list[BaseException] = []

    def decode() -> None:
        try:
            run_taps(path, [tap], skip_loop_filter=skip_loop_filter)
        except BaseException as exc:  # handed to the consumer's thread
            failure.append(exc)
        finally:
            tap.put(None)

    worker = threading.Thread(target=decode, name="reelsearch-prefetch", daemon=True)
    worker.start()
    try:
        while (item := tap.queue.get()) is not None:
            yield item
        if failure:
            raise failure[0]
    finally:
        tap.stopped.set()
        worker.join()
