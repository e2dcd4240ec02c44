"""Text subtitle streams inside the video's container (SubRip, ASS, WebVTT, mov_text, ...).

FFmpeg decodes every text subtitle codec to ASS events (``ReadOrder,Layer,Style,Name,
MarginL,MarginR,MarginV,Effect,Text``); the ``Name`` field, when set, is the speaker. Bitmap
subtitles (DVD, Blu-ray PGS) hold pictures of text and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from reelsearch.plugins.dialogue.timed_text import Cue, cue_turns, speaker_name
from reelsearch.sdk import MediaError, open_local_media

ASS_FIELDS = 9
"""Fields of a decoded ASS event; the text is the last and may itself hold commas."""


@dataclass
class SubtitleTrack:
    """The cues of one subtitle stream."""

    index: int
    language: str | None
    cues: list[Cue] = field(default_factory=list)


def read_subtitle_streams(path: Path) -> list[SubtitleTrack]:
    """The text subtitle streams of ``path`` with their cues, in stream order; tracks that
    hold no text (bitmap subtitles) are left out.

    Raises:
        MediaError: The container or a subtitle packet cannot be read.
    """
    try:
        with open_local_media(path) as container:
            streams = list(container.streams.subtitles)
            if not streams:
                return []
            by_index = {stream.index: stream for stream in streams}
            tracks = {s.index: SubtitleTrack(s.index, _language(s)) for s in streams}
            for packet in container.demux(streams):
                if packet.pts is None or packet.size == 0:
                    continue
                subtitles = by_index[packet.stream.index].decode2(packet)
                if subtitles is not None:
                    tracks[packet.stream.index].cues.extend(_cues(packet, subtitles))
    except av.FFmpegError as exc:
        raise MediaError(f"{path}: cannot read its subtitle streams: {exc}") from None
    return [track for track in tracks.values() if track.cues]


def _cues(packet: Any, subtitles: Any) -> list[Cue]:
    start = float(packet.pts * packet.time_base) + subtitles.start_display_time / 1000
    if subtitles.end_display_time > subtitles.start_display_time:
        end = float(packet.pts * packet.time_base) + subtitles.end_display_time / 1000
    else:
        end = start + float((packet.duration or 0) * packet.time_base)
    cues: list[Cue] = []
    for rect in subtitles:
        if rect.type not in (b"ass", b"text"):
            continue
        if rect.type == b"text":
            lines, speaker = rect.text.decode("utf-8", "replace").splitlines(), None
        else:
            event = rect.ass.decode("utf-8", "replace").split(",", ASS_FIELDS - 1)
            text = event[-1] if len(event) == ASS_FIELDS else ""
            speaker = speaker_name(event[3]) if len(event) == ASS_FIELDS else None
            lines = text.replace("\\N", "\n").replace("\\n", "\n").splitlines()
        cues.extend(cue_turns(start, max(start, end), lines, speaker))
    return cues


def _language(stream: Any) -> str | None:
    language = str(stream.metadata.get("language", "")).strip()
    return language if language and language != "und" else None
