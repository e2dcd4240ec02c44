"""Shot lists for editors: CSV, JSON and CMX3600 EDL.

Every format gives each shot its frame range (end exclusive), its times in seconds and its
SMPTE timecodes; NTSC rates (29.97, 59.94) use drop-frame timecode (``HH:MM:SS;FF``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from reelsearch.core.models import Shot
from reelsearch.core.timecode import frames_to_timecode, is_drop_frame, nominal_fps

FIELDS = ("index", "start_frame", "end_frame", "start", "end", "start_timecode", "end_timecode")
"""The columns of the CSV export and the keys of each JSON object."""

SECONDS_DECIMALS = 6


def shot_row(shot: Shot) -> dict[str, Any]:
    """One shot as a flat mapping of :data:`FIELDS`."""
    return {
        "index": shot.index,
        "start_frame": shot.start_frame,
        "end_frame": shot.end_frame,
        "start": round(shot.start, SECONDS_DECIMALS),
        "end": round(shot.end, SECONDS_DECIMALS),
        "start_timecode": shot.start_timecode,
        "end_timecode": shot.end_timecode,
    }


def shots_to_csv(shots: Sequence[Shot]) -> str:
    """The shots as CSV with a header row of :data:`FIELDS`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(shot_row(shot) for shot in shots)
    return buffer.getvalue()


def shots_to_json(shots: Sequence[Shot], *, indent: int | None = 2) -> str:
    """The shots as a JSON list of objects with the keys of :data:`FIELDS`."""
    return json.dumps([shot_row(shot) for shot in shots], indent=indent)


def hour_frames(fps: float) -> int:
    """How many frames make one hour of timecode at ``fps`` (fewer for drop frame)."""
    base = nominal_fps(fps)
    dropped_per_hour = 2 * (base // 30) * 54 if is_drop_frame(fps) else 0
    return base * 3600 - dropped_per_hour


def shots_to_edl(
    shots: Sequence[Shot],
    *,
    title: str,
    clip_name: str | None = None,
    reel: str = "AX",
    record_start: int | None = None,
) -> str:
    """The shots as a CMX3600 EDL: one cut event per shot, laid end to end on the record side.

    Args:
        shots: The shots of one source, in order.
        title: The EDL's ``TITLE``.
        clip_name: Source file name, written as a ``* FROM CLIP NAME`` comment per event.
        reel: Source reel name (at most 8 characters; ``AX`` means an auxiliary source).
        record_start: First record frame; by default ``01:00:00:00``.
    """
    if not shots:
        raise ValueError("an EDL needs at least one shot")
    fps = shots[0].fps
    drop = is_drop_frame(fps)
    reel_name = _reel(reel)
    record = hour_frames(fps) if record_start is None else record_start
    lines = [f"TITLE: {_one_line(title)}", f"FCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}"]
    for event, shot in enumerate(shots, start=1):
        record_end = record + shot.frame_count
        timecodes = [
            frames_to_timecode(frame, fps)
            for frame in (shot.start_frame, shot.end_frame, record, record_end)
        ]
        lines.append("")
        lines.append(f"{event:03d}  {reel_name:<8} V     C        {' '.join(timecodes)}")
        if clip_name:
            lines.append(f"* FROM CLIP NAME: {_one_line(clip_name)}")
        record = record_end
    return "\n".join(lines) + "\n"


def _reel(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "", name).upper()[:8]
    if not cleaned:
        raise ValueError(f"reel name {name!r} has no letters or digits")
    return cleaned


def _one_line(text: str) -> str:
    return " ".join(text.split())
