"""SMPTE timecodes from frame numbers."""

from __future__ import annotations

import math


def nominal_fps(fps: float) -> int:
    """The integer frame count per timecode second (30 for 29.97, 24 for 23.976)."""
    return max(1, round(fps))


def is_drop_frame(fps: float) -> bool:
    """Whether ``fps`` is an NTSC rate that uses drop-frame timecode (29.97 or 59.94)."""
    return any(math.isclose(fps, rate, abs_tol=0.01) for rate in (30000 / 1001, 60000 / 1001))


def frames_to_timecode(frame: int, fps: float, *, drop_frame: bool | None = None) -> str:
    """Format a zero-based frame number as ``HH:MM:SS:FF`` (``HH:MM:SS;FF`` for drop frame).

    Args:
        frame: Frame number, counted from zero at the start of the asset.
        fps: The asset's frame rate.
        drop_frame: Force or forbid drop-frame counting; by default NTSC rates use it.
    """
    if frame < 0:
        raise ValueError(f"frame must be >= 0, got {frame}")
    base = nominal_fps(fps)
    drop = is_drop_frame(fps) if drop_frame is None else drop_frame
    if drop:
        dropped = 2 * (base // 30)
        per_10min = base * 600 - dropped * 9
        per_min = base * 60 - dropped
        tens, rem = divmod(frame, per_10min)
        frame += dropped * 9 * tens
        if rem > dropped:
            frame += dropped * ((rem - dropped) // per_min)
    ff = frame % base
    total_seconds = frame // base
    ss, total_minutes = total_seconds % 60, total_seconds // 60
    mm, hh = total_minutes % 60, total_minutes // 60
    sep = ";" if drop else ":"
    return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"


def seconds_to_timecode(seconds: float, fps: float) -> str:
    """Format a time in seconds as the timecode of the frame that contains it."""
    return frames_to_timecode(math.floor(seconds * fps + 1e-6), fps)


def timecode_to_frames(timecode: str, fps: float) -> int:
    """The zero-based frame number of ``HH:MM:SS:FF`` (``HH:MM:SS;FF``: drop frame) at ``fps``.

    The inverse of :func:`frames_to_timecode`.

    Raises:
        ValueError: ``timecode`` is not ``HH:MM:SS:FF``, or its frames do not fit the rate.
    """
    parts = timecode.replace(";", ":").split(":")
    if len(parts) != 4 or not all(part.isdigit() for part in parts):
        raise ValueError(f"not a timecode (HH:MM:SS:FF): {timecode!r}")
    hh, mm, ss, ff = (int(part) for part in parts)
    base = nominal_fps(fps)
    if ff >= base or ss >= 60 or mm >= 60:
        raise ValueError(f"timecode {timecode} does not fit {fps:.3f} fps")
    frame = ((hh * 60 + mm) * 60 + ss) * base + ff
    if ";" in timecode and is_drop_frame(fps):
        minutes = hh * 60 + mm
        frame -= 2 * (base // 30) * (minutes - minutes // 10)
    return frame


def source_timecode(seconds: float, fps: float, first: str | None = None) -> str:
    """The timecode of the frame that contains ``seconds``, counted from ``first``, the file's
    embedded start timecode (default 00:00:00:00), as the exports write source timecodes."""
    offset = timecode_to_frames(first, fps) if first else 0
    return frames_to_timecode(offset + math.floor(seconds * fps + 1e-6), fps)
