"""Hostile input to match cuts, through the real CLI and HTTP API: bad k, unknown kinds, huge k,
markup and unicode titles, unknown titles (close ones named), titles with one shot or nobody in
them; the answers say what is wrong, never with a traceback or an empty error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import opentimelineio as otio
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.cli.matchcuts import NOTHING_TO_PAIR
from reelsearch.core.runtime import Runtime
from reelsearch.matchcuts import MAX_K
from reelsearch.plugins.match_cutting.tests.match_cutting_media import (
    media,
    pan_shot,
    portrait_shot,
    write_video,
)
from reelsearch.sdk.testing import PALETTE
from reelsearch.sdk.testing import write_video as write_colours
from reelsearch.server.app import create_app

runner = CliRunner()
MARKUP = "[/bold] [red]Ünïcode 映画[/red] <script>x</script>"
PLUGINS = ["shots", "content-detector", "match-cutting"]


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.fixture
def faces_video(tmp_path: Path) -> Path:
    photos = [media(f"faces/{name}.jpg") for name in ("obama", "biden", "biden2")]
    if any(p is None for p in photos):
        pytest.skip("the face stills (tests/data/media/faces or shared/media/faces) are absent")
    shots = [
        portrait_shot(photos[0], (0.28, 0.55, 0.95), (200, 40, 40)),
        portrait_shot(photos[1], (0.72, 0.55, 0.95), (40, 200, 40)),
        portrait_shot(photos[2], (0.28, 0.55, 0.95), (40, 40, 200)),
    ]
    return write_video(tmp_path / "faces.mp4", [f for shot in shots for f in shot])


@pytest.fixture
def catalog(reelsearch_home: Path, tmp_path: Path, faces_video: Path) -> dict[str, str]:
    """Three titles: portraits (pairs), one shot, two flat colours (nobody, no motion)."""
    one = write_video(tmp_path / "one.mp4", pan_shot(1, 2, 20))
    flat = write_colours(tmp_path / "flat.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24)])
    titles = {"portraits": MARKUP, "one": "One shot", "flat": "Flat colours"}
    with Runtime.open(plugins=()) as rs:
        for video, key in ((faces_video, "portraits"), (one, "one"), (flat, "flat")):
            rs.ingest([video], title=titles[key], algos=["match_cuts"])
    return titles


def test_cli_answers_and_refuses_clearly(catalog: dict[str, str], tmp_path: Path) -> None:
    code, output = run("matchcuts", catalog["portraits"], "--kind", "frame", "-k", "1")
    assert code == 0, output
    assert "shot 0" in output
    assert "shot 2" in output
    assert MARKUP in output  # the title printed as written, not read as markup
    code, output = run("matchcuts", catalog["portraits"], "--format", "json", "-k", "3")
    answer = json.loads(output)
    assert code == 0
    assert answer["pairs"][0]["outgoing"]["shot_index"] in (0, 2)
    assert {
        answer["pairs"][0]["outgoing"]["shot_index"],
        answer["pairs"][0]["incoming"]["shot_index"],
    } == {0, 2}
    assert answer["pairs"][0]["score"] > 0.5
    # Huge k: what is stored, no more.
    code, output = run("matchcuts", catalog["portraits"], "-k", str(MAX_K), "--format", "json")
    assert code == 0
    assert len(json.loads(output)["pairs"]) == 3  # three shots: three pairs
    for k in ("0", "-3", str(MAX_K + 1), str(10**30)):
        code, output = run("matchcuts", catalog["portraits"], "-k", k)
        assert code != 0
        assert "k must be between 1 and" in output or "Invalid value" in output
    code, output = run("matchcuts", catalog["portraits"], "--kind", "sound")
    assert code == 1
    assert "unknown match-cut kind 'sound'; choose one of: frame, motion" in output


def test_cli_says_why_there_is_nothing_to_pair(catalog: dict[str, str]) -> None:
    code, output = run("matchcuts", catalog["one"])
    assert code == NOTHING_TO_PAIR
    assert "has 1 shot: a match cut needs two" in output
    code, output = run("matchcuts", catalog["flat"], "--kind", "frame")
    assert code == NOTHING_TO_PAIR
    assert "0 shots with people in them" in output
    code, output = run("matchcuts", catalog["flat"], "--kind", "motion")
    assert code == NOTHING_TO_PAIR
    assert "visible motion" in output


def test_cli_unknown_title_names_close_ones(catalog: dict[str, str]) -> None:
    code, output = run("matchcuts", "Flat colour")
    assert code == 1
    assert "no title 'Flat colour' in the catalog; did you mean: 'Flat colours'?" in output
    code, output = run("matchcuts", "[bold]zzzz[/bold]")
    assert code == 1
    assert "no title '[bold]zzzz[/bold]'" in output
    code, output = run("matchcuts", " ")
    assert code == 1
    assert "title must not be empty" in output


def test_exports_hold_each_pair_as_tail_then_head(catalog: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "cuts.otio"
    code, output = run(
        "matchcuts", catalog["portraits"], "-k", "2", "--format", "otio", "-o", str(target)
    )
    assert code == 0, output
    timeline = otio.adapters.read_from_file(str(target))
    clips = list(timeline.find_clips())
    assert len(clips) == 4  # two pairs, two events each
    first, second = clips[0], clips[1]
    assert first.name.endswith("A: shot " + first.name.rsplit(" ", 1)[-1])
    # A's event ends where its shot ends; B's starts where its shot starts (25 frames a shot).
    a_end = first.source_range.end_time_exclusive().to_frames()
    b_start = second.source_range.start_time.to_frames()
    assert a_end % 25 == 0
    assert b_start % 25 == 0
    code, output = run("matchcuts", catalog["portraits"], "-k", "1", "--format", "edl")
    assert code == 0
    assert output.count("AX ") >= 2
    code, output = run("matchcuts", catalog["portraits"], "-k", "1", "--format", "csv")
    assert code == 0
    assert output.splitlines()[0].startswith("rank,kind,score,title")


@pytest.fixture
def client(catalog: dict[str, str]) -> Iterator[TestClient]:
    with Runtime.open() as rs, TestClient(create_app(rs)) as test_client:
        yield test_client


def test_http_answers_with_signed_thumbnails(client: TestClient, catalog: dict[str, str]) -> None:
    answer = client.get("/api/matchcuts", params={"title": catalog["portraits"], "k": 2})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["title"] == catalog["portraits"]
    pair = body["pairs"][0]
    assert {pair["outgoing"]["shot_index"], pair["incoming"]["shot_index"]} == {0, 2}
    url = pair["outgoing"]["thumbnail_url"]
    assert "sig=" in url
    assert client.get(url).status_code == 200


def test_http_bad_input(client: TestClient, catalog: dict[str, str]) -> None:
    for params in (
        {"title": catalog["portraits"], "k": 0},
        {"title": catalog["portraits"], "k": MAX_K + 1},
        {"title": catalog["portraits"], "k": "ten"},
        {"title": catalog["portraits"], "kind": "sound"},
        {"title": "x" * 10_000},
        {},
    ):
        response = client.get("/api/matchcuts", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = client.get("/api/matchcuts", params={"title": "Flat colour"})
    assert missing.status_code == 404
    assert "did you mean: 'Flat colours'?" in missing.json()["detail"]
    empty = client.get("/api/matchcuts", params={"title": "One shot", "kind": "motion"})
    assert empty.status_code == 200
    assert empty.json()["pairs"] == []
    assert "a match cut needs two" in empty.json()["message"]
