"""A timeline written out for an editor: CMX 3600 EDL, OTIO, Final Cut XML, CSV or JSON.

The timeline formats go through OpenTimelineIO's adapters (``otio-cmx3600-adapter``,
``otio-fcpx-xml-adapter`` for Final Cut Pro X ``.fcpxml``, ``otio-fcp-adapter`` for Final Cut
Pro 7 XML, which Premiere and Resolve also import); CSV and JSON are read off the same timeline.
"""

from __future__ import annotations

import csv
import io
import json
import re
from enum import StrEnum
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from reelsearch.core.timecode import frames_to_timecode, is_drop_frame
from reelsearch.exports.timeline import METADATA_KEY, ExportError, one_line


class ExportFormat(StrEnum):
    """What an export is written as (the value is also the file extension, but for ``xml``)."""

    EDL = "edl"
    OTIO = "otio"
    FCPXML = "fcpxml"
    XML = "xml"
    CSV = "csv"
    JSON = "json"


FIELDS = (
    "event",
    "name",
    "file",
    "path",
    "fps",
    "start_frame",
    "end_frame",
    "start",
    "end",
    "source_in",
    "source_out",
    "record_in",
    "record_out",
    "title",
    "score",
    "algo",
    "searcher",
    "shot_index",
    "text",
    "speaker",
    "hit_id",
    "asset_id",
)
"""The columns of the CSV export and the keys of each JSON object. Frames count from the file's
first frame (end exclusive) and include the handles; ``source_in``/``source_out`` are timecodes
from the file's embedded start timecode; ``record_*`` are positions on the timeline."""

EDL_TITLE_CHARS = 70
AUX_REEL = "AX"
"""The reel of every EDL event: an auxiliary (file) source, relinked by its clip name."""
SECONDS_DECIMALS = 6
_CSV_FORMULA = re.compile(r"^[=+\-@\t\r]")


def render(timeline: otio.schema.Timeline, output_format: ExportFormat | str) -> str:
    """``timeline`` written as ``output_format``.

    Raises:
        ExportError: The timeline cannot be written in that format (an EDL of files at
            different frame rates, or at a rate SMPTE timecode has no form for).
    """
    chosen = ExportFormat(output_format)
    if chosen is ExportFormat.EDL:
        return _edl(timeline)
    if chosen is ExportFormat.OTIO:
        text: str = otio.adapters.write_to_string(timeline, "otio_json")
        return text
    if chosen is ExportFormat.FCPXML:
        return _fcpxml(timeline)
    if chosen is ExportFormat.XML:
        text = otio.adapters.write_to_string(timeline, "fcp_xml")
        return text
    rows = event_rows(timeline)
    if chosen is ExportFormat.JSON:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: _csv_cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def event_rows(timeline: otio.schema.Timeline) -> list[dict[str, Any]]:
    """One flat mapping of :data:`FIELDS` per clip of ``timeline``."""
    rows = []
    zero = otio.opentime.RationalTime()
    for number, clip in enumerate(timeline.find_clips(), start=1):
        meta = clip.metadata.get(METADATA_KEY, {})
        rate = Fraction(*meta["rate"])
        start, end = int(meta["start_frame"]), int(meta["end_frame"])
        first = round(clip.media_reference.available_range.start_time.value)
        record_in = round(
            clip.range_in_parent().start_time.value_rescaled_to(float(rate))
            + (timeline.global_start_time or zero).value_rescaled_to(float(rate))
        )
        rows.append(
            {
                "event": number,
                "name": clip.name,
                "file": clip.media_reference.name,
                "path": meta.get("path"),
                "fps": round(float(rate), SECONDS_DECIMALS),
                "start_frame": start,
                "end_frame": end,
                "start": round(float(start / rate), SECONDS_DECIMALS),
                "end": round(float(end / rate), SECONDS_DECIMALS),
                "source_in": frames_to_timecode(first + start, float(rate)),
                "source_out": frames_to_timecode(first + end, float(rate)),
                "record_in": frames_to_timecode(record_in, float(rate)),
                "record_out": frames_to_timecode(record_in + end - start, float(rate)),
                **{key: meta.get(key) for key in FIELDS[13:]},
            }
        )
    return rows


def _edl(timeline: otio.schema.Timeline) -> str:
    clips = list(timeline.find_clips())
    rates = {Fraction(*clip.metadata[METADATA_KEY]["rate"]) for clip in clips}
    if len(rates) > 1:
        listed = ", ".join(f"{float(r):.3f}" for r in sorted(rates))
        raise ExportError(
            f"an EDL has one frame rate, and these hits come from files at {listed} fps: "
            "export otio, fcpxml or xml instead, or search one title"
        )
    (rate,) = rates
    edl = timeline.deepcopy()
    edl.name = one_line(timeline.name, EDL_TITLE_CHARS)
    if timeline.global_start_time is not None:
        # The CMX 3600 writer starts the record side where the track starts: a leading gap
        # (no event) moves it to the timeline's start.
        start = timeline.global_start_time.rescaled_to(float(rate))
        track = edl.video_tracks()[0]
        track.insert(0, otio.schema.Gap(duration=start))
    for clip in edl.find_clips():
        meta = clip.metadata[METADATA_KEY]
        hit = f"HIT {clip.name}" + (f" score {meta['score']:.4f}" if meta.get("score") else "")
        clip.metadata["cmx_3600"] = {"reel": AUX_REEL, "comments": [one_line(hit)]}
        # NLEs relink an EDL's events by the source file name.
        clip.name = one_line(clip.media_reference.name)
    try:
        text: str = otio.adapters.write_to_string(edl, "cmx_3600", rate=float(rate))
    except ValueError as exc:
        raise ExportError(f"cannot write an EDL at {float(rate):.3f} fps: {exc}") from None
    title, _, events = text.partition("\n")
    frame_mode = "DROP FRAME" if is_drop_frame(float(rate)) else "NON-DROP FRAME"
    return f"{title}\nFCM: {frame_mode}\n{events}"


def _fcpxml(timeline: otio.schema.Timeline) -> str:
    adapter = otio.adapters.from_name("fcpx_xml").module()
    # The adapter knows the frame duration of integer rates only (it looks 23.976 up as 23):
    # teach it each exact rate of this timeline.
    for clip in timeline.find_clips():
        rate = Fraction(*clip.metadata[METADATA_KEY]["rate"])
        adapter.FRAMERATE_FRAMEDURATION.setdefault(
            float(rate), f"{rate.denominator}/{rate.numerator}s"
        )
    fcpx = timeline.deepcopy()
    for clip in fcpx.find_clips():
        # The adapter finds clips by name with an XPath in single quotes.
        clip.name = clip.name.replace("'", "\u2019")
    text: str = adapter.write_to_string(fcpx)
    return text


def _csv_cell(value: Any) -> Any:
    """A cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and _CSV_FORMULA.match(value):
        return "'" + value
    return value
