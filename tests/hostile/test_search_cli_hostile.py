"""Hostile input to ``reelsearch search`` and ``reelsearch remove``: markup in titles, speakers
and metadata keys comes back as text in warnings and errors, non-finite and out-of-range
numbers, unknown modes and formats, unknown everything, and removal that never guesses."""

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
from reelsearch.sdk.testing import PALETTE, write_video

runner = CliRunner()

MARKUP = "[/bold] [red]Red[/red] [link=http://x]y[/link]"
"""A closing tag with no opening one (a MarkupError), a style and a link."""


@pytest.fixture(autouse=True)
def catalog(reelsearch_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A catalog of one file titled with markup; searches go to the toy searchers."""
    monkeypatch.setenv("REELSEARCH_PLUGINS", "shots,content-detector,postprocessors")
    toys = functools.partial(Runtime, plugins=[LocalPlugin("toys", SearchToys)])
    monkeypatch.setattr(search_cli, "Runtime", toys)
    video = write_video(tmp_path / "clip.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24)])
    result = runner.invoke(app, ["ingest", str(video), "--title", MARKUP, "--algo", "shots"])
    assert result.exit_code == 0, result.output
    return video


def run(*args: str, code: int) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    return result


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_close_markup_title_is_named_as_written() -> None:
    result = run("search", "car", "--title", MARKUP[:-3], code=0)
    assert f"closest: {MARKUP!r}" in flat(result.stderr)


@pytest.mark.parametrize("key", ["[b]k[/b]", "a.b", "a b", "ключ.x"])
def test_a_metadata_key_that_is_no_name_is_refused_as_text(key: str) -> None:
    result = run("search", "car", "--metadata", f"{key}=1", code=1)
    assert f"--metadata key {key!r} is not a name" in flat(result.stderr)


def test_unknown_everything_gets_one_warning_each() -> None:
    result = run("search", "car", "--title", "Nope", "--metadata", "genre=x", "--json", code=0)
    warnings = json.loads(result.stdout)["warnings"]
    assert warnings == [
        f"no title 'Nope' in the catalog; known: {MARKUP!r}",
        "no asset has the metadata key 'genre'",
    ]
    assert flat(result.stderr).count("warning:") == 2


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--min-score", "nan"], 1, "finite"),
        (["--min-score", "inf"], 1, "finite"),
        (["--within", "-1", "--with", "x"], 2, "--within"),
        (["--within", "1e9", "--with", "x"], 2, "--within"),
        (["--mode", "fuzzy"], 1, "--mode takes auto, phrase, words, semantic, all, not 'fuzzy'"),
        (["--mode", MARKUP], 1, f"not {MARKUP[:40]!r}"),
        (["--format", "pdf"], 2, "--format"),
        (["--format", "edl", "--handles", "nan"], 2, "--handles"),
        (["--format", "edl", "--handles", "-1"], 2, "--handles"),
        (["--page", "1", "--cursor", "abc"], 1, "give one of offset, page or cursor"),
        (["--cursor", "x" * 600], 1, "cursor"),
        (["--algo", "toy-visul"], 1, "unknown searcher 'toy-visul'"),
    ],
)
def test_bad_numbers_modes_and_names_are_one_clear_line(
    args: list[str], code: int, message: str
) -> None:
    result = run("search", "car", *args, code=code)
    assert message in flat(result.output)


def test_remove_never_guesses(catalog: Path) -> None:
    assert "closest" in flat(run("remove", MARKUP[:-2], code=1).stderr)
    assert "add --yes" in flat(run("remove", MARKUP, code=1).stderr)
    assert "nothing in the catalog" in flat(run("remove", "0000", code=1).stderr)
    removed = run("remove", str(catalog), code=0)
    assert MARKUP in removed.stdout
    empty = run("remove", MARKUP, "--yes", code=1)
    assert "the catalog is empty" in flat(empty.stderr)
