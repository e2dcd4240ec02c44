"""One sequential decoding pass per video, feeding every consumer of its frames at once.

Design, from measurements on the 720p VP8 clip of ``../shared/media`` (2 shared cores, best of
5): FFmpeg's own frame threading (``thread_type="AUTO"``) decodes at ~1,290 fps.
Downscaling each frame with ``frame.to_ndarray(width=48, height=27)`` drops that to ~420 fps
(~335 fps reported elsewhere), because every call builds a new scaler. One long-lived
:class:`~av.video.reformatter.VideoReformatter` per output size, single-threaded (the output is
tiny) with area averaging, filling preallocated batches, keeps ~1,000-1,250 fps: close to
decoding alone. The other options measured were slower: an ``av.filter.Graph`` with ``scale``
and ``format``, a Python thread per frame with a queue (the threads fight over the GIL),
taking the Y plane with NumPy and averaging blocks (~800 fps). Skipping the in-loop deblocking
filter (``skip_loop_filter``) decodes ~1.4x faster (~1,600 fps) at the cost of slightly
blockier frames; it is off by default here and on in the ``shots`` algo's detection pass.
Batches are decoded a few ahead on a background thread (``prefetch``) so that decoding
overlaps the consumer's NumPy or torch work.

Frames are numbered from 0 in presentation order, as the decoder returns them.
"""

from __future__ import annotations

import os
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

import av
import numpy as np
from av.audio.resampler import AudioResampler
from av.video.frame import VideoFrame
from av.video.reformatter import Interpolation, VideoReformatter
from numpy.typing import NDArray

from reelsearch.core.errors import MediaError
from reelsearch.core.media.container import ffmpeg_reason, open_local_media

FrameSize = tuple[int, int]
"""``(width, height)`` in pixels."""

RGBFrames = NDArray[np.uint8]
"""``(n, height, width, 3)`` RGB frames, consecutive in presentation order."""

RGBImage = NDArray[np.uint8]
"""One ``(height, width, 3)`` RGB frame."""

AudioSamples = NDArray[np.float32]
"""Mono audio samples in ``[-1, 1]``."""

DEFAULT_BATCH = 64
DEFAULT_PREFETCH = 4


def even_size(width: int, height: int) -> FrameSize:
    """``(width, height)`` rounded down to even numbers, at least 2 (what yuv420p needs)."""
    return max(2, width - width % 2), max(2, height - height % 2)


def scaled_size(size: FrameSize, width: int) -> FrameSize:
    """``size`` scaled to ``width`` (never up), keeping the aspect ratio, rounded to even."""
    source_width, source_height = size
    width = min(width, source_width)
    return even_size(width, round(source_height * width / source_width))


class FrameTap(ABC):
    """A consumer of chosen frames of a decoding pass, each at the size it asks for.

    The decoder asks :meth:`wants` for every frame and converts only the frames wanted, so a
    tap that wants a few frames costs next to nothing.

    Attributes:
        size: ``(width, height)`` of the images :meth:`take` receives; ``None`` for the
            video's own size.
    """

    def __init__(self, size: FrameSize | None = None) -> None:
        self.size = size

    @abstractmethod
    def wants(self, index: int) -> bool:
        """Whether frame ``index`` should be converted and given to :meth:`take`."""

    @abstractmethod
    def take(self, index: int, image: RGBImage) -> None:
        """Receive frame ``index`` as an RGB image of :attr:`size`."""

    @property
    def done(self) -> bool:
        """True once this tap wants no later frame (lets a taps-only pass stop early)."""
        return False


class FramesAt(FrameTap):
    """Collects the frames at chosen frame numbers.

    Attributes:
        frames: Frame number -> image, for each wanted frame decoded so far.
    """

    def __init__(self, numbers: Iterable[int], size: FrameSize | None = None) -> None:
        super().__init__(size)
        self.numbers = frozenset(numbers)
        self.frames: dict[int, RGBImage] = {}
        self._last = max(self.numbers, default=-1)
        self._seen = -1

    def wants(self, index: int) -> bool:
        self._seen = index
        return index in self.numbers

    def take(self, index: int, image: RGBImage) -> None:
        self.frames[index] = image

    @property
    def done(self) -> bool:
        return self._seen >= self._last


def decode_frames(
    path: str | os.PathLike[str],
    size: FrameSize = (48, 27),
    *,
    batch_size: int = DEFAULT_BATCH,
    taps: Sequence[FrameTap] = (),
    skip_loop_filter: bool = False,
    prefetch: int = DEFAULT_PREFETCH,
) -> Generator[RGBFrames]:
    """Decode a video once, yielding every frame downscaled, in batches.

    Args:
        path: The video file.
        size: ``(width, height)`` of the yielded frames (area-averaged downscale).
        batch_size: Frames per yielded batch (the last one may be shorter).
        taps: Further consumers fed in the same pass, e.g. :class:`FramesAt` for full-size
            frames at chosen numbers. They are fed on the decoding thread: read what they
            collected once the iteration is over.
        skip_loop_filter: Skip the codec's deblocking filter: faster, slightly blockier frames.
        prefetch: Batches decoded ahead on a background thread while the caller works on the
            last one (0 decodes on the caller's thread).

    Yields:
        ``(n, height, width, 3)`` uint8 RGB arrays; each is a new array the caller may keep.

    Raises:
        MediaError: The file cannot be opened, or a frame cannot be decoded (naming the frame).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    batches = _batches(Path(path), size, batch_size, taps, skip_loop_filter)
    return _ahead(batches, prefetch) if prefetch > 0 else batches


def _batches(
    path: Path,
    size: FrameSize,
    batch_size: int,
    taps: Sequence[FrameTap],
    skip_loop_filter: bool,
) -> Generator[RGBFrames]:
    width, height = size
    scaler = _Scaler(size)
    batch = np.empty((batch_size, height, width, 3), np.uint8)
    filled = 0
    feed = _TapFeed(taps)
    for index, frame in _decoded(path, skip_loop_filter):
        batch[filled] = scaler.rgb(frame)
        filled += 1
        feed(index, frame)
        if filled == batch_size:
            yield batch
            batch = np.empty_like(batch)
            filled = 0
    if filled:
        yield batch[:filled]


_END = object()


def _ahead(batches: Generator[RGBFrames], depth: int) -> Generator[RGBFrames]:
    """Iterate ``batches`` on a background thread, at most ``depth`` batches ahead.

    FFmpeg and the scaler release the GIL, so decoding overlaps the caller's NumPy or torch
    work. An error on the decoding thread is raised in the caller; a caller that stops early
    stops the decoding thread.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(_END)
        except BaseException as error:  # handed to the caller's thread
            offer(error)
        finally:
            batches.close()

    worker = threading.Thread(target=produce, name="reelsearch-decode", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield cast("RGBFrames", item)
    finally:
        stop.set()
        worker.join()


def run_taps(
    path: str | os.PathLike[str], taps: Sequence[FrameTap], *, skip_loop_filter: bool = False
) -> int:
    """Decode a video only for ``taps``, stopping as soon as every tap is done.

    Returns:
        The number of frames decoded.

    Raises:
        MediaError: As :func:`decode_frames`.
    """
    decoded = 0
    feed = _TapFeed(taps)
    if not taps or feed.done:
        return decoded
    for index, frame in _decoded(Path(path), skip_loop_filter):
        decoded = index + 1
        feed(index, frame)
        if feed.done:
            break
    return decoded


def _decoded(path: Path, skip_loop_filter: bool) -> Iterator[tuple[int, VideoFrame]]:
    """Number and decode every video frame of ``path``, wrapping FFmpeg errors."""
    with open_local_media(path) as container:
        if not container.streams.video:
            raise MediaError(f"{path}: no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if skip_loop_filter:
            stream.codec_context.options = {"skip_loop_filter": "all"}
        frames = container.decode(stream)
        index = 0
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                return
            except av.FFmpegError as exc:
                reason = getattr(exc, "strerror", None) or exc
                raise MediaError(f"{path}: cannot decode frame {index}: {reason}") from None
            yield index, frame
            index += 1


def decode_audio(path: str | os.PathLike[str], sample_rate: int = 16_000) -> AudioSamples:
    """Decode the first audio stream of a media file, mixed down to mono at ``sample_rate``.

    Raises:
        MediaError: The file cannot be opened, has no audio stream, or its audio cannot be
            decoded.
    """
    # 16-bit output, as faster-whisper decodes: FFmpeg then scales the down-mix to never clip.
    resampler = AudioResampler(format="s16", layout="mono", rate=sample_rate)
    parts: list[NDArray[np.int16]] = []
    with open_local_media(path) as container:
        if not container.streams.audio:
            raise MediaError(f"{path}: no audio stream")
        try:
            for frame in container.decode(container.streams.audio[0]):
                parts.extend(out.to_ndarray()[0] for out in resampler.resample(frame))
            parts.extend(out.to_ndarray()[0] for out in resampler.resample(None))
        except av.FFmpegError as exc:
            raise MediaError(f"{path}: cannot decode its audio: {ffmpeg_reason(exc)}") from None
    if not parts:
        return np.zeros(0, np.float32)
    samples: AudioSamples = np.concatenate(parts).astype(np.float32) / 32768.0
    return samples


class _TapFeed:
    """Hands each frame to the taps that want it, each converted by the tap's own scaler."""

    def __init__(self, taps: Sequence[FrameTap]) -> None:
        self._taps = [(tap, _Scaler(tap.size)) for tap in taps]

    def __call__(self, index: int, frame: VideoFrame) -> None:
        for tap, scaler in self._taps:
            if tap.wants(index):
                tap.take(index, scaler.rgb(frame))

    @property
    def done(self) -> bool:
        return all(tap.done for tap, _ in self._taps)


class _Scaler:
    """Converts frames to RGB at one size with a long-lived scaler (the fast path)."""

    def __init__(self, size: FrameSize | None) -> None:
        self.size = size
        self._reformatter = VideoReformatter()

    def rgb(self, frame: VideoFrame) -> RGBImage:
        width, height = self.size or (frame.width, frame.height)
        image = self._reformatter.reformat(
            frame,
            width=width,
            height=height,
            format="rgb24",
            interpolation=Interpolation.AREA,
            threads=1,
        ).to_ndarray()
        return cast("RGBImage", image)
