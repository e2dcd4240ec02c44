"""Shot-list exports on OpenTimelineIO, read back frame-exactly with OpenTimelineIO and pycmx at
24, 23.976, 25 and 29.97 (drop frame) fps, from the file's embedded start timecode."""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pycmx
import pytest
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.core.media import probe
from reelsearch.core.models import Asset, Shot
from reelsearch.core.timecode import frames_to_timecode
from reelsearch.exports import FIELDS, ExportFormat, edit_rate, export_shots

RATES = {
    "24": Fraction(24),
    "23.976": Fraction(24000, 1001),
    "25": Fraction(25),
    "29.97DF": Fraction(30000, 1001),
}
FRAMES = 1900
"""Past one minute at every rate, so that drop-frame timecode skips its first two numbers."""
BOUNDS = [0, 500, 1799, 1800, 1801, FRAMES]
"""Shot bounds: around the first minute, where 29.97 drop frame skips ;00 and ;01."""


def write_clip(path: Path, rate: Fraction, frames: int, timecode: str | None = None) -> Path:
    """A tiny H.264 video at exactly ``rate``; ``timecode`` becomes its start timecode (a
    QuickTime ``tmcd`` track for mov/mp4)."""
    with av.open(str(path), "w") as container:
        if timecode:
            container.metadata["timecode"] = timecode
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for index in range(frames):
            image = np.full((32, 32, 3), index % 256, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def start_of(rate: Fraction) -> str:
    return "01:00:00;00" if rate == Fraction(30000, 1001) else "01:00:00:00"


@pytest.fixture(scope="module", params=list(RATES), ids=list(RATES))
def source(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Asset:
    """A file at each rate that starts at 01:00:00:00, as the catalog would describe it."""
    rate = RATES[request.param]
    path = tmp_path_factory.mktemp("rates") / f"clip {request.param}.mov"
    write_clip(path, rate, FRAMES, start_of(rate))
    return Asset(id="a" * 32, uri=str(path), title=f"Clip {request.param}", media=probe(path))


def shots_of(asset: Asset) -> list[Shot]:
    assert asset.media is not None
    return [
        Shot(asset_id=asset.id, index=i, start_frame=start, end_frame=end, fps=asset.media.fps)
        for i, (start, end) in enumerate(itertools.pairwise(BOUNDS))
    ]


def expected(asset: Asset) -> list[tuple[int, int]]:
    """Each shot's source in and out as frame numbers of the file's timecode (out exclusive)."""
    first = 3600 * round(float(rate_of(asset))) - (108 if is_df(asset) else 0)
    return [(first + start, first + end) for start, end in itertools.pairwise(BOUNDS)]


def rate_of(asset: Asset) -> Fraction:
    assert asset.media is not None
    return edit_rate(asset.media.fps)


def is_df(asset: Asset) -> bool:
    return rate_of(asset) == Fraction(30000, 1001)


# --- start timecode ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "rate", "timecode"),
    [
        ("mov", Fraction(30000, 1001), "01:00:00;00"),
        ("mp4", Fraction(24000, 1001), "10:00:00:00"),
        ("mov", Fraction(25), "00:59:50:12"),
    ],
)
def test_probe_reads_the_start_timecode_ffmpeg_wrote(
    tmp_path: Path, suffix: str, rate: Fraction, timecode: str
) -> None:
    path = write_clip(tmp_path / f"tc.{suffix}", rate, 5, timecode)
    with av.open(str(path)) as container:
        assert any(s.type == "data" for s in container.streams), "a tmcd track was written"
    info = probe(path)
    assert info.start_timecode == timecode
    assert edit_rate(info.fps) == rate
    assert info.frame_count == 5


def test_a_file_without_a_timecode_starts_at_zero(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "plain.mp4", Fraction(24), 48)
    asset = Asset(id="b" * 32, uri=str(path), title="plain", media=probe(path))
    assert asset.media is not None
    assert asset.media.start_timecode is None
    rows = json.loads(export_shots(shots_of_two(asset), asset, "json"))
    assert [r["source_in"] for r in rows] == ["00:00:00:00", "00:00:01:00"]


def shots_of_two(asset: Asset) -> list[Shot]:
    return [
        Shot(asset_id=asset.id, index=0, start_frame=0, end_frame=24, fps=24.0),
        Shot(asset_id=asset.id, index=1, start_frame=24, end_frame=48, fps=24.0),
    ]


# --- every format, read back, at every rate ---------------------------------------------------


def test_edl_read_back_by_pycmx_is_frame_exact(source: Asset) -> None:
    edl = export_shots(shots_of(source), source, ExportFormat.EDL)
    rate = float(rate_of(source))
    parsed = pycmx.parse_cmx3600(io.StringIO(edl))
    assert parsed.title == source.title
    assert edl.splitlines()[1] == ("FCM: DROP FRAME" if is_df(source) else "FCM: NON-DROP FRAME")
    edits = [edit for event in parsed.events for edit in event.edits]
    record = 3600 * round(rate) - (108 if is_df(source) else 0)
    assert len(edits) == len(BOUNDS) - 1
    for edit, (src_in, src_out) in zip(edits, expected(source), strict=True):
        # The timecodes are checked against reelsearch's own timecode arithmetic, which is
        # independent of OpenTimelineIO's.
        assert (edit.source_in, edit.source_out) == (
            frames_to_timecode(src_in, rate),
            frames_to_timecode(src_out, rate),
        )
        assert (edit.record_in, edit.record_out) == (
            frames_to_timecode(record, rate),
            frames_to_timecode(record + src_out - src_in, rate),
        )
        assert edit.clip_name == Path(source.uri).name
        record += src_out - src_in


@pytest.mark.parametrize("source", ["29.97DF"], indirect=True)
def test_edl_at_29_97_skips_the_dropped_numbers(source: Asset) -> None:
    edl = export_shots(shots_of(source), source, "edl")
    events = [line.split()[-4:] for line in edl.splitlines() if line[:3].isdigit()]
    # Frame 1800 of a file that starts at 01:00:00;00 is 01:01:00;02: ;00 and ;01 do not exist.
    assert events[2] == ["01:00:59;29", "01:01:00;02", "01:00:59;29", "01:01:00;02"]
    assert events[3][:2] == ["01:01:00;02", "01:01:00;03"]


def test_edl_read_back_by_opentimelineio_is_frame_exact(source: Asset) -> None:
    edl = export_shots(shots_of(source), source, "edl")
    rate = float(rate_of(source))
    timeline = otio.adapters.read_from_string(edl, "cmx_3600", rate=rate)
    clips = list(timeline.find_clips())
    assert [
        (round(c.source_range.start_time.value), round(c.source_range.end_time_exclusive().value))
        for c in clips
    ] == expected(source)


def test_otio_keeps_the_exact_rate_the_file_and_its_timecode(source: Asset) -> None:
    text = export_shots(shots_of(source), source, "otio")
    timeline = otio.adapters.read_from_string(text, "otio_json")
    rate = float(rate_of(source))
    clips = list(timeline.find_clips())
    assert [
        (c.source_range.start_time.value, c.source_range.end_time_exclusive().value) for c in clips
    ] == expected(source)
    for clip in clips:
        assert clip.source_range.start_time.rate == rate
        reference = clip.media_reference
        assert reference.target_url == Path(source.uri).as_uri()
        available = reference.available_range
        assert (available.start_time.value, available.duration.value) == (
            expected(source)[0][0],
            FRAMES,
        )
        assert clip.metadata["reelsearch"]["title"] == source.title
    assert [c.metadata["reelsearch"]["shot_index"] for c in clips] == list(range(len(clips)))


def test_final_cut_pro_x_xml_is_frame_exact(source: Asset) -> None:
    text = export_shots(shots_of(source), source, "fcpxml")
    root = ET.fromstring(text.split("\n", 2)[2])  # after the XML declaration and DOCTYPE
    rate = rate_of(source)
    (fmt,) = root.iter("format")
    assert seconds(fmt.get("frameDuration")) == 1 / rate
    spine = root.find("./project/sequence/spine")
    assert spine is not None
    spans = []
    for clip in spine:
        start, duration = seconds(clip.get("start")), seconds(clip.get("duration"))
        assert (start * rate).denominator == 1, "starts on a frame"
        spans.append((int(start * rate), int((start + duration) * rate)))
    assert spans == expected(source)
    (asset,) = root.iter("asset")
    assert asset.get("src") == Path(source.uri).as_uri()
    assert seconds(asset.get("start")) * rate == expected(source)[0][0]


# The FCP X adapter reads NTSC rates back as integers (its reader's limit): the test above
# checks those files' rational times directly.
@pytest.mark.parametrize("source", ["24", "25"], indirect=True)
def test_final_cut_pro_x_xml_reads_back_with_opentimelineio(source: Asset) -> None:
    text = export_shots(shots_of(source), source, "fcpxml")
    timeline = otio.adapters.read_from_string(text, "fcpx_xml")
    clips = list(timeline.find_clips())
    assert [
        (round(c.source_range.start_time.value), round(c.source_range.end_time_exclusive().value))
        for c in clips
    ] == expected(source)


def test_final_cut_pro_7_xml_reads_back_frame_exactly(source: Asset) -> None:
    text = export_shots(shots_of(source), source, "xml")
    timeline = otio.adapters.read_from_string(text, "fcp_xml")
    clips = list(timeline.find_clips())
    assert [
        (round(c.source_range.start_time.value), round(c.source_range.end_time_exclusive().value))
        for c in clips
    ] == expected(source)
    assert {c.media_reference.target_url for c in clips} == {Path(source.uri).as_uri()}
    timecodes = ET.fromstring(text).findall(".//file/timecode")
    assert timecodes[0].findtext("string") == start_of(rate_of(source))
    assert timecodes[0].findtext("displayformat") == ("DF" if is_df(source) else "NDF")


def test_csv_and_json_rows_match_the_shots(source: Asset) -> None:
    rate = float(rate_of(source))
    rows = list(csv.DictReader(io.StringIO(export_shots(shots_of(source), source, "csv"))))
    assert tuple(rows[0]) == FIELDS
    data = json.loads(export_shots(shots_of(source), source, "json"))
    first = expected(source)[0][0]
    for row, item, (src_in, src_out), (start, end) in zip(
        rows, data, expected(source), itertools.pairwise(BOUNDS), strict=True
    ):
        assert (int(row["start_frame"]), int(row["end_frame"])) == (start, end)
        assert (item["start_frame"], item["end_frame"]) == (start, end)
        assert item["source_in"] == row["source_in"] == frames_to_timecode(src_in, rate)
        assert item["source_out"] == frames_to_timecode(src_out, rate)
        assert item["start"] == pytest.approx(start / float(rate_of(source)), abs=1e-6)
        assert src_in - first == start


# --- handles ---------------------------------------------------------------------------------


def test_handles_widen_each_shot_within_the_file(source: Asset) -> None:
    rate = rate_of(source)
    text = export_shots(shots_of(source), source, "json", handles=1.0)
    pad = round(1.0 * rate)
    got = [(r["start_frame"], r["end_frame"]) for r in json.loads(text)]
    want = [(max(0, s - pad), min(FRAMES, e + pad)) for s, e in itertools.pairwise(BOUNDS)]
    assert got == want
    assert got[0][0] == 0, "clipped at the start of the file"
    assert got[-1][1] == FRAMES, "clipped at the end of the file"


# --- the shots command -----------------------------------------------------------------------


def test_shots_command_exports_from_the_files_start_timecode(tmp_path: Path) -> None:
    video = tmp_path / "two shots.mov"
    with av.open(str(video), "w") as container:
        container.metadata["timecode"] = "01:00:00:00"
        stream = container.add_stream("libx264", rate=Fraction(24000, 1001))
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(48):
            colour = (220, 30, 30) if index < 24 else (30, 30, 220)
            image = np.full((48, 64, 3), colour, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    result = CliRunner().invoke(app, ["shots", str(video), "--format", "edl"])
    assert result.exit_code == 0, result.output
    edits = [e for ev in pycmx.parse_cmx3600(io.StringIO(result.stdout)).events for e in ev.edits]
    assert [(e.source_in, e.source_out) for e in edits] == [
        ("01:00:00:00", "01:00:01:00"),
        ("01:00:01:00", "01:00:02:00"),
    ]
    assert [e.record_in for e in edits] == ["01:00:00:00", "01:00:01:00"]
    assert {e.clip_name for e in edits} == {"two shots.mov"}
    out = tmp_path / "shots.otio"
    result = CliRunner().invoke(app, ["shots", str(video), "--format", "otio", "-o", str(out)])
    assert result.exit_code == 0, result.output
    clips = list(otio.adapters.read_from_file(str(out)).find_clips())
    assert [c.source_range.start_time.value for c in clips] == [86400, 86424]


def seconds(value: str | None) -> Fraction:
    """An FCP X time (``"1001/24000s"``, ``"5s"``) as a fraction of seconds."""
    assert value is not None
    assert value.endswith("s")
    return Fraction(value[:-1])
