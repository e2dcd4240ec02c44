"""The command line: plugins, shots, ingest, titles; errors are one line and exit 1."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reelsearch.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(reelsearch_home: Path) -> Path:
    return reelsearch_home


def test_plugins_json_lists_builtins_with_components() -> None:
    result = runner.invoke(app, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    names = {p["name"] for p in listing}
    assert {"shots", "content-detector", "transnetv2"} <= names
    for plugin in listing:
        assert {"name", "distribution", "version", "components"} <= set(plugin)
        assert plugin["distribution"] == "reelsearch"
        assert all({"kind", "name"} <= set(c) for c in plugin["components"])
    shots = next(p for p in listing if p["name"] == "shots")
    assert {"kind": "algo", "name": "shots"} in [
        {"kind": c["kind"], "name": c["name"]} for c in shots["components"]
    ]


def test_plugins_table() -> None:
    result = runner.invoke(app, ["plugins"])
    assert result.exit_code == 0
    assert "content-detector" in result.stdout


def test_shots_json_csv_and_edl(make_video: object) -> None:
    video = make_video("three.mp4", [("red", 24), ("blue", 30), ("green", 18)])  # type: ignore[operator]
    result = runner.invoke(app, ["shots", str(video)])
    assert result.exit_code == 0, result.output
    shots = json.loads(result.stdout)
    assert [(s["shot_index"], s["start_frame"], s["end_frame"]) for s in shots] == [
        (0, 0, 24),
        (1, 24, 54),
        (2, 54, 72),
    ]
    assert shots[1]["start"] == pytest.approx(1.0)
    assert shots[2]["end"] == pytest.approx(3.0)

    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(app, ["shots", str(video), "--format", "csv"]).stdout)
        )
    )
    assert [r["start_frame"] for r in rows] == ["0", "24", "54"]

    edl = runner.invoke(app, ["shots", str(video), "--format", "edl"]).stdout
    assert edl.startswith("TITLE: three\nFCM: NON-DROP FRAME\n")
    assert "002  AX       V     C        00:00:01:00 00:00:02:06 01:00:01:00 01:00:02:06" in edl


def test_shots_of_a_non_video_is_one_clear_line(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("not a video")
    result = runner.invoke(app, ["shots", str(bogus)])
    assert result.exit_code == 1
    assert "notes.mp4" in result.output
    assert "Traceback" not in result.output


def test_unknown_detector_lists_the_known_ones(make_video: object) -> None:
    video = make_video("one.mp4", [("red", 12)])  # type: ignore[operator]
    result = runner.invoke(app, ["shots", str(video), "--detector", "nope"])
    assert result.exit_code == 1
    assert "unknown detector 'nope'; known detectors: content, transnetv2" in result.output


def test_ingest_then_titles(make_video: object, tmp_path: Path) -> None:
    video = make_video("clip.mp4", [("red", 24), ("blue", 24)])  # type: ignore[operator]
    bogus = tmp_path / "empty.mp4"
    bogus.touch()
    result = runner.invoke(
        app, ["ingest", str(video), str(bogus), "--title", "Clip", "--algo", "shots"]
    )
    assert result.exit_code == 1, "a bad file makes the exit status non-zero"
    assert "empty.mp4" in result.output
    assert "Clip [" in result.output
    titles = json.loads(runner.invoke(app, ["titles", "--json"]).stdout)
    assert [(t["title"], Path(t["uri"]).name) for t in titles] == [("Clip", "clip.mp4")]
    again = runner.invoke(app, ["ingest", str(video), "--title", "Clip", "--algo", "shots"])
    assert again.exit_code == 0
    assert "computed nothing (up to date)" in again.output


def test_demo_ingests_the_sample_and_searches_what_can_run(reelsearch_home: Path) -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert (reelsearch_home / "samples" / "reelsearch-sample.mp4").is_file()
    assert "reelsearch-sample: 6 shots" in result.output
    assert "00:00:06:12" in result.output, "the last cut, at frame 156, is listed"
    assert 'Anna: "Friends don\'t lie."' in result.output
    paraphrase = result.output.split("for 'a vehicle speeding by'")[1].splitlines()[1]
    assert "red car race past us" in paraphrase
    assert "skipped shot_embeddings: CLIP weights unavailable" in " ".join(result.output.split())
    assert "Visual search is unavailable here" in result.output
    assert "search 'characters' for" not in result.output, "a name search is not asked 'red'"
