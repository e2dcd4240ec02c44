"""Search hits exported as an edit: each event lands on the hit's frames (plus handles, within the
file) at 24, 23.976, 25 and 29.97 DF, read back with pycmx and OpenTimelineIO; and
``reelsearch search --format`` end to end."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pycmx
import pytest
from runtimes import home_environment
from test_exports import write_clip
from test_search_cli import FakeRuntime, use_fake_encoder
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.core.media import probe
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.models import Asset, Hit
from reelsearch.core.timecode import frames_to_timecode
from reelsearch.exports import ExportError, export_hits

RATES = [Fraction(24), Fraction(24000, 1001), Fraction(25), Fraction(30000, 1001)]
FRAMES = 2000
SPANS = [(1800, 1830), (10, 40), (1990, 2000), (0, 5)]
"""Hits as frame spans: across 29.97's first dropped numbers, near the start, at the very end."""


@pytest.fixture(scope="module", params=RATES, ids=["24", "23.976", "25", "29.97DF"])
def asset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Asset:
    rate: Fraction = request.param
    timecode = "01:00:00;00" if rate == Fraction(30000, 1001) else "01:00:00:00"
    path = write_clip(tmp_path_factory.mktemp("hits") / "source.mov", rate, FRAMES, timecode)
    return Asset(id="c" * 32, uri=str(path), title="Source", media=probe(path))


def hits_on(asset: Asset) -> list[Hit]:
    assert asset.media is not None
    fps = asset.media.fps
    return [
        Hit(
            id=f"h{i}",
            asset_id=asset.id,
            title="Source",
            algo="dialogue",
            searcher="dialogue",
            score=0.9 - i / 10,
            start=start / fps,
            end=end / fps,
            fps=fps,
            extra={"text": f"line {i}", "speaker": "Ann"},
        )
        for i, (start, end) in enumerate(SPANS)
    ]


def first_frame(asset: Asset) -> int:
    assert asset.media is not None
    nominal = round(asset.media.fps)
    return nominal * 3600 - (108 if nominal == 30 else 0)


@pytest.mark.parametrize("handles", [0.0, 0.5])
def test_edl_events_land_on_the_hits_frames(asset: Asset, handles: float) -> None:
    assert asset.media is not None
    fps = asset.media.fps
    pad = round(handles * Fraction(fps).limit_denominator(1001))
    edl = export_hits(hits_on(asset), {asset.id: asset}, "edl", handles=handles, name="ask")
    edits = [e for event in pycmx.parse_cmx3600(io.StringIO(edl)).events for e in event.edits]
    first = first_frame(asset)
    want = [(max(0, s - pad), min(FRAMES, e + pad)) for s, e in SPANS]
    got = [(e.source_in, e.source_out) for e in edits]
    assert got == [
        (frames_to_timecode(first + s, fps), frames_to_timecode(first + e, fps)) for s, e in want
    ]
    timeline = otio.adapters.read_from_string(edl, "cmx_3600", rate=fps)
    assert [
        (round(c.source_range.start_time.value) - first, round(c.duration().value))
        for c in timeline.find_clips()
    ] == [(s, e - s) for s, e in want]


def test_otio_clips_carry_the_hits_title_score_line_and_speaker(asset: Asset) -> None:
    text = export_hits(hits_on(asset), {asset.id: asset}, "otio", handles=0.5)
    clips = list(otio.adapters.read_from_string(text, "otio_json").find_clips())
    assert [c.name for c in clips] == [f"Source: line {i} (Ann)" for i in range(len(SPANS))]
    meta = clips[0].metadata["reelsearch"]
    assert (meta["title"], meta["score"], meta["text"], meta["speaker"]) == (
        "Source",
        0.9,
        "line 0",
        "Ann",
    )
    assert meta["hit_id"] == "h0"
    assert clips[0].media_reference.target_url == Path(asset.uri).as_uri()
    # The hit itself (without handles) stays known: frames 1800..1830 of the file.
    assert meta["start_frame"] + meta["handles"][0] == SPANS[0][0]
    assert meta["end_frame"] - meta["handles"][1] == SPANS[0][1]


def test_handles_stop_at_the_files_first_and_last_frame(asset: Asset) -> None:
    assert asset.media is not None
    pad = round(2 * Fraction(asset.media.fps).limit_denominator(1001))
    rows = json.loads(export_hits(hits_on(asset), {asset.id: asset}, "json", handles=2.0))
    assert [(r["start_frame"], r["end_frame"]) for r in rows] == [
        (1800 - pad, 1830 + pad),
        (0, 40 + pad),
        (1990 - pad, FRAMES),
        (0, 5 + pad),
    ]


def test_an_edl_refuses_files_at_different_rates(tmp_path: Path) -> None:
    assets = {}
    for name, rate in (("a", Fraction(24)), ("b", Fraction(25))):
        path = write_clip(tmp_path / f"{name}.mp4", rate, 10)
        assets[name * 32] = Asset(id=name * 32, uri=str(path), title=name, media=probe(path))
    hits = [
        Hit(id=i, asset_id=i, title="x", algo="visual", score=1, start=0, end=0.2) for i in assets
    ]
    with pytest.raises(ExportError, match=r"one frame rate.*24\.000, 25\.000"):
        export_hits(hits, assets, "edl")
    clips = list(
        otio.adapters.read_from_string(export_hits(hits, assets, "otio"), "otio_json").find_clips()
    )
    assert [c.source_range.start_time.rate for c in clips] == [24, 25]


def test_a_hit_of_an_unknown_asset_is_named() -> None:
    hit = Hit(id="h", asset_id="gone", title="Removed", algo="visual", score=1, start=0, end=1)
    with pytest.raises(ExportError, match="Removed: asset gone is not in the catalog"):
        export_hits([hit], {}, "edl")


# --- reelsearch search --format ---------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    with home_environment(home) as env:
        use_fake_encoder(home, env)
        with FakeRuntime() as rs:
            segments = [(PALETTE[c], 30) for c in ("red", "blue", "green")]
            video = write_video(home / "colours.mp4", segments, fps=Fraction(30000, 1001))  # type: ignore[arg-type]
            rs.ingest([video], title="Colours", algos=["shot_embeddings"])
        yield home


def test_search_exports_its_hits_as_an_edl(catalog: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    found = runner.invoke(app, ["search", "red", "--algo", "visual", "-k", "2", "--json"])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)["hits"]
    out = tmp_path / "hits.edl"
    args = ["search", "red", "--algo", "visual", "-k", "2", "--format", "edl", "-o", str(out)]
    result = runner.invoke(app, [*args, "--handles", "0.1"])
    assert result.exit_code == 0, result.output
    assert "2 hits written to" in " ".join(result.output.split())
    edl = pycmx.parse_cmx3600(io.StringIO(out.read_text()))
    assert edl.title == "red"
    edits = [e for event in edl.events for e in event.edits]
    fps = 30000 / 1001
    for edit, hit in zip(edits, hits, strict=True):
        start = max(0, round(hit["start"] * fps) - 3)
        end = min(90, round(hit["end"] * fps) + 3)
        assert (edit.source_in, edit.source_out) == (
            frames_to_timecode(start, fps),
            frames_to_timecode(end, fps),
        )
        assert edit.clip_name == "colours.mp4"


def test_search_export_of_no_hits_says_so(catalog: Path) -> None:
    result = CliRunner().invoke(
        app, ["search", "red", "--algo", "visual", "--title", "Nothing", "--format", "edl"]
    )
    assert result.exit_code == 1
    assert "nothing to export: there are no hits" in result.output
