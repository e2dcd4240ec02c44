"""What a video file holds, read from its container without decoding a frame.

:func:`probe` demuxes the whole file once (packets only, no decoding: about as fast as reading
the bytes), so it can count the video frames exactly and tell a complete file from a truncated
one:

- ``frame_count`` is the number of video packets demuxed, which is one per frame for every
  common codec. It equals ``stream.frames`` where the header declares it (MP4, MOV), and is exact
  where the header has no count (WebM / Matroska), unlike ``duration * fps``.
- A file is *truncated* when fewer frames are present than its header declares (MP4 with its
  index at the start), when its packets end well before the duration its header declares (WebM),
  or when its index cannot be read at all (MP4 with the ``moov`` box at the end, cut off).
- Garbage bytes in the middle of a file are reported where FFmpeg reports them: an MP4 demuxes
  (its index gives every packet's place) and decoding then fails with a :class:`MediaError`
  naming the frame (see :mod:`reelsearch.core.media.decode`); a WebM demuxer resynchronises at
  the next cluster and drops the damaged frames, so ``frame_count`` counts the frames that are
  actually there.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import av

from reelsearch.core.errors import MediaError
from reelsearch.core.media.container import (
    ffmpeg_reason,
    local_media_file,
    open_local_media,
    reading,
)
from reelsearch.core.models import MediaInfo

HASH_CHUNK = 1 << 20

TIMECODE = re.compile(r"\d{2}:[0-5]\d:[0-5]\d[:;.]\d{2}")
"""Bytes read at a time when hashing (1 MiB)."""

END_TOLERANCE_SECONDS = 0.5
"""How far before its declared duration a file's last packet may end and still be complete."""


def content_hash(path: str | os.PathLike[str]) -> str:
    """The SHA-256 hex digest of a file's bytes, read in 1 MiB chunks.

    Raises:
        MediaError: The file is missing, unreadable or not a regular file.
    """
    digest = hashlib.sha256()
    resolved, _ = local_media_file(path)
    with reading(path), open(resolved, "rb") as file:
        for chunk in iter(lambda: file.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Read duration, frame rate, frame count, size and streams of a video file.

    Raises:
        MediaError: One line naming the file and the problem: missing, zero-length, not a
            media file, no video stream, truncated or corrupt.
    """
    path = Path(path)
    _, size = local_media_file(path)
    with open_local_media(path) as container:
        if not container.streams.video:
            kinds: list[str] = sorted({stream.type for stream in container.streams}) or ["none"]
            raise MediaError(f"{path}: no video stream (streams found: {', '.join(kinds)})")
        video = container.streams.video[0]
        fps = float(video.average_rate or video.guessed_rate or 0)
        if fps <= 0:
            raise MediaError(f"{path}: the video stream declares no frame rate")
        if video.codec_context.width <= 0 or video.codec_context.height <= 0:
            raise MediaError(f"{path}: the video stream declares no picture size")
        frames, end = _count_frames(path, container, video)
        declared = container.duration / av.time_base if container.duration else None
        _check_complete(path, frames, int(video.frames or 0), end, declared)
        return MediaInfo(
            duration=declared or end,
            fps=fps,
            frame_count=frames,
            width=video.codec_context.width,
            height=video.codec_context.height,
            video_codec=video.codec_context.name,
            audio_streams=len(container.streams.audio),
            subtitle_streams=len(container.streams.subtitles),
            size_bytes=size,
            start_timecode=start_timecode(container),
        )


def start_timecode(container: Any) -> str | None:
    """The file's embedded start timecode: the container's ``timecode`` tag (MXF, or a QuickTime
    ``tmcd`` track as FFmpeg reports it), else the first stream's that carries one; a tag that
    is not ``HH:MM:SS:FF`` (``;`` for drop frame) is ignored."""
    tags = [container.metadata, *(stream.metadata for stream in container.streams)]
    found = (str(tag.get("timecode", "")).strip() for tag in tags)
    return next((tc for tc in found if TIMECODE.fullmatch(tc)), None)


def _count_frames(path: Path, container: Any, video: Any) -> tuple[int, float]:
    """Video packets in the file, and the time (s) where the last packet of any stream ends."""
    frames = 0
    end = 0.0
    start = container.start_time / av.time_base if container.start_time else 0.0
    try:
        for packet in container.demux():
            if packet.pts is None or packet.size == 0:
                continue
            if packet.stream.index == video.index:
                frames += 1
            finish = (packet.pts + (packet.duration or 0)) * packet.time_base
            end = max(end, float(finish) - start)
    except av.FFmpegError as exc:
        raise MediaError(
            f"{path}: truncated or corrupt: reading stopped after {frames} video frames "
            f"({ffmpeg_reason(exc)})"
        ) from None
    if frames == 0:
        raise MediaError(f"{path}: the video stream holds no frames (truncated or corrupt)")
    return frames, end


def _check_complete(
    path: Path, frames: int, declared_frames: int, end: float, declared_duration: float | None
) -> None:
    if declared_frames and frames < declared_frames:
        raise MediaError(
            f"{path}: truncated or corrupt: {frames} of the {declared_frames} video frames its "
            "header declares are present"
        )
    if declared_duration and end < declared_duration - END_TOLERANCE_SECONDS:
        raise MediaError(
            f"{path}: truncated or corrupt: its data ends at {end:.2f} s of the "
            f"{declared_duration:.2f} s its header declares"
        )
