"""The one way reelsearch opens a media file for reading: a local regular file, nothing else.

Media files come from users, and FFmpeg would otherwise take a file's name as a URL (a file
named ``http:host?action=delete`` makes it send that request), follow playlists (HLS,
``ffconcat``) to other files and hosts, read any text file as video (the ``tty`` demuxer) or
expand ``%d`` in a name to a sequence of other files (``image2``). :func:`open_local_media`
therefore:

- resolves the path and refuses anything that is not an existing, non-empty regular file
  (directories, devices, FIFOs and links to them), before FFmpeg sees it;
- hands FFmpeg ``file:<absolute path>`` with the ``file`` protocol alone allowed, so the name is
  never read as a URL and no demuxer can open a network resource;
- allows only the demuxers of video, audio and subtitle files and of single still images
  (:data:`DEMUXERS`), with ``image2``'s file-name patterns turned off;
- reports FFmpeg's refusal as one :class:`~reelsearch.core.errors.MediaError` naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import av
from av.container import InputContainer

from reelsearch.core.errors import MediaError

DEMUXERS: tuple[str, ...] = (
    # video containers and elementary streams
    "mov", "matroska", "avi", "mpegts", "mpeg", "flv", "ogg", "asf", "nut", "mxf", "dv",
    "ivf", "yuv4mpegpipe", "m4v", "h264", "hevc", "mpegvideo", "obu", "mjpeg",
    # single still images (a one-frame video) and animated images
    "image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif", "apng",
    # audio
    "wav", "w64", "mp3", "aac", "flac", "aiff", "caf", "ac3", "eac3", "dts", "truehd",
    # text subtitles
    "srt", "webvtt", "ass",
)  # fmt: skip
"""FFmpeg demuxers reelsearch opens. Left out on purpose: playlists and manifests (``hls``,
``dash``, ``concat``), network and device inputs (``rtsp``, ``sdp``, ``lavfi``), and ``tty``,
which reads any text file as a video."""

_CONTAINER_OPTIONS = {
    "protocol_whitelist": "file",
    "format_whitelist": ",".join(DEMUXERS),
    "pattern_type": "none",  # image2: the file itself, never a numbered sequence
}

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftyp", "MP4/MOV"),
    (0, b"\x1a\x45\xdf\xa3", "Matroska/WebM"),
    (0, b"RIFF", "AVI"),
    (0, b"OggS", "Ogg"),
    (0, b"FLV", "FLV"),
    (0, b"\x00\x00\x01\xba", "MPEG-PS"),
)


def local_media_file(path: str | os.PathLike[str]) -> tuple[Path, int]:
    """Resolve ``path`` and check that it is a non-empty regular file.

    Returns:
        The resolved absolute path and the file's size in bytes.

    Raises:
        MediaError: The file is missing or unreadable, not a regular file (a directory, a
            device, a FIFO, or a link to one), or empty.
    """
    with reading(path):
        resolved = Path(path).expanduser().resolve(strict=True)
        status = resolved.stat()
    if not stat.S_ISREG(status.st_mode):
        raise MediaError(f"{path}: not a regular file")
    if status.st_size == 0:
        raise MediaError(f"{path}: empty file (0 bytes)")
    return resolved, status.st_size


def open_local_media(path: str | os.PathLike[str]) -> InputContainer:
    """Open a local media file with PyAV for reading (see the module's notes for the rules).

    Use it as a context manager: ``with open_local_media(path) as container: ...``.

    A file that starts like a known container but cannot be opened is reported as truncated or
    corrupt (e.g. an MP4 cut off before its ``moov`` index); anything else, including a file
    that FFmpeg would read with a demuxer outside :data:`DEMUXERS`, as not a media file.

    Raises:
        MediaError: One line naming ``path`` and the problem.
    """
    resolved, _ = local_media_file(path)
    try:
        return av.open(
            f"file:{resolved}", metadata_errors="ignore", container_options=_CONTAINER_OPTIONS
        )
    except av.FFmpegError as exc:
        kind = _container_kind(resolved)
        if kind is None:
            # EINVAL: FFmpeg recognised the file, as a format outside DEMUXERS.
            reason = (
                "not a video, audio, subtitle or image format that reelsearch reads"
                if exc.errno == errno.EINVAL
                else ffmpeg_reason(exc)
            )
            raise MediaError(f"{path}: not a media file ({reason})") from None
        raise MediaError(
            f"{path}: truncated or corrupt {kind} file, its header or index cannot be read "
            f"({ffmpeg_reason(exc)})"
        ) from None


@contextmanager
def reading(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn the OS's refusal to read ``path`` into a :class:`MediaError` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise MediaError(f"{path}: no such file") from None
    except OSError as exc:
        raise MediaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # Path.resolve on a symlink loop (Python < 3.13)
        raise MediaError(f"{path}: cannot read: {exc}") from None


def ffmpeg_reason(exc: BaseException) -> str:
    """FFmpeg's own words for ``exc``, without the file name PyAV appends."""
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).rstrip(".")


def _container_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as file:
            head = file.read(16)
    except OSError:
        return None
    for offset, magic, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    return None
