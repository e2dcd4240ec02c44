"""Hostile exports: titles, lines and file names with quotes, newlines, markup, formulas,
non-ASCII and great length still give one well-formed event per hit in every format; nothing to
export, or a bad request, is one clear error."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pycmx
import pytest
from test_exports import write_clip

from reelsearch.core.media import probe
from reelsearch.core.models import Asset, Hit
from reelsearch.exports import ExportError, ExportFormat, export_hits

NASTY = [
    'He said "cut" & left </name><name>evil',
    "two\nlines\r\nand a\ttab",
    "[bold red]markup[/] <b>html</b> ]]> '--",
    '=HYPERLINK("http://x")',
    "日本語のせりふ — ça va? 🎬",
    "x" * 5000,
    "* FROM CLIP NAME: forged",
]


@pytest.fixture(scope="module")
def asset(tmp_path_factory: pytest.TempPathFactory) -> Asset:
    folder = tmp_path_factory.mktemp("hostile")
    path = write_clip(folder / 'it\'s a "clip" <1> ça.mov', Fraction(30000, 1001), 60)
    return Asset(id="d" * 32, uri=str(path), title='Tïtle "q" <x>\nnext', media=probe(path))


def nasty_hits(asset: Asset) -> list[Hit]:
    return [
        Hit(
            id=f"h{i}",
            asset_id=asset.id,
            title=text,
            algo="dialogue",
            score=0.5,
            start=i * 0.1,
            end=i * 0.1 + 0.2,
            extra={"text": text, "speaker": text[:40]},
        )
        for i, text in enumerate(NASTY)
    ]


def test_edl_has_one_single_line_event_per_hit(asset: Asset) -> None:
    edl = export_hits(nasty_hits(asset), {asset.id: asset}, "edl", name=NASTY[1] + NASTY[5])
    parsed = pycmx.parse_cmx3600(io.StringIO(edl))
    edits = [e for event in parsed.events for e in event.edits]
    assert len(edits) == len(NASTY)
    assert {e.clip_name for e in edits} == {Path(asset.uri).name}
    assert "\n" not in parsed.title
    assert len(parsed.title) <= 70
    for line in edl.splitlines()[2:]:
        assert line == "" or line[:3].isdigit() or line.startswith("* "), line
        assert len(line) < 400
    timeline = otio.adapters.read_from_string(edl, "cmx_3600", rate=30000 / 1001)
    assert len(list(timeline.find_clips())) == len(NASTY)


@pytest.mark.parametrize("output_format", ["xml", "fcpxml"])
def test_final_cut_xml_is_well_formed_and_keeps_each_name(
    asset: Asset, output_format: ExportFormat
) -> None:
    text = export_hits(nasty_hits(asset), {asset.id: asset}, output_format)
    body = text.split("\n", 2)[2] if output_format == "fcpxml" else text
    root = ET.fromstring(body)
    names = [c.get("name") for c in root.iter("clip")] or [
        c.findtext("name") for c in root.iter("clipitem")
    ]
    assert len(names) == len(NASTY)
    assert any(name and "日本語" in name for name in names)
    assert all(name and "\n" not in name and len(name) <= 200 for name in names)


def test_otio_json_and_csv_keep_the_text_as_data(asset: Asset) -> None:
    hits = nasty_hits(asset)
    clips = list(
        otio.adapters.read_from_string(
            export_hits(hits, {asset.id: asset}, "otio"), "otio_json"
        ).find_clips()
    )
    assert [c.metadata["reelsearch"]["text"] for c in clips] == NASTY
    rows = json.loads(export_hits(hits, {asset.id: asset}, "json"))
    assert [r["text"] for r in rows] == NASTY
    table = list(csv.DictReader(io.StringIO(export_hits(hits, {asset.id: asset}, "csv"))))
    assert len(table) == len(NASTY)
    assert table[3]["text"] == "'" + NASTY[3], "a formula is written as text"
    assert table[1]["text"] == NASTY[1]


def test_nothing_to_export_is_one_clear_error(asset: Asset) -> None:
    for output_format in ExportFormat:
        with pytest.raises(ExportError, match="nothing to export: there are no hits"):
            export_hits([], {asset.id: asset}, output_format)


def test_negative_handles_and_an_unknown_format_are_refused(asset: Asset) -> None:
    with pytest.raises(ExportError, match="handles must be zero or more seconds"):
        export_hits(nasty_hits(asset), {asset.id: asset}, "edl", handles=-1)
    with pytest.raises(ValueError, match="'aaf' is not a valid ExportFormat"):
        export_hits(nasty_hits(asset), {asset.id: asset}, "aaf")


def test_a_malformed_timecode_tag_is_ignored(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "odd.mov", Fraction(25), 5, "not a timecode")
    assert probe(path).start_timecode is None


def test_a_start_timecode_past_the_rate_is_named(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "tc.mp4", Fraction(24), 5)
    media = probe(path).model_copy(update={"start_timecode": "01:00:00:30"})
    asset = Asset(id="e" * 32, uri=str(path), title="Bad TC", media=media)
    hit = Hit(id="h", asset_id=asset.id, title="Bad TC", algo="visual", score=1, start=0, end=0.1)
    with pytest.raises(ExportError, match="Bad TC: start timecode 01:00:00:30 does not fit"):
        export_hits([hit], {asset.id: asset}, "edl")
