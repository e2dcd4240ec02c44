"""``reelsearch search`` flags for the gateway's request features, on the toy searchers."""

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

runner = CliRunner()


@pytest.fixture(autouse=True)
def toys(reelsearch_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command searches the toy searchers, and no installed ones."""
    monkeypatch.setenv("REELSEARCH_PLUGINS", "postprocessors")
    toys = functools.partial(Runtime, plugins=[LocalPlugin("toys", SearchToys)])
    monkeypatch.setattr(search_cli, "Runtime", toys)


def run(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["search", "car", "--algo", "toy-visual", *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def ids(document: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in document["hits"]]


def test_pages() -> None:
    first = run("--page-size", "2")
    assert (ids(first), first["total"]) == (["v1", "v2"], None)  # only this page was fetched
    last = run("--page-size", "2", "--page", "3")
    assert (ids(last), last["total"]) == (["v4"], 5)


def test_a_further_page_is_announced() -> None:
    result = runner.invoke(app, ["search", "car", "--algo", "toy-visual", "-k", "2"])
    assert "more hits: --page 2" in result.output


def test_group_by_title() -> None:
    document = run("--group-by", "title")
    assert ids(document) == ["v1", "v2", "v5", "v3", "v4"]
    assert [(g["key"], g["count"]) for g in document["groups"]] == [("Alpha", 3), ("Beta", 2)]


def test_sort_by_time_and_min_score() -> None:
    assert ids(run("--sort", "time", "--min-score", "0.5")) == ["v1", "v5", "v2", "v3"]


def test_a_bad_choice_is_one_line() -> None:
    result = runner.invoke(app, ["search", "car", "--sort", "size"])
    assert result.exit_code == 1
    assert "sort: Input should be 'score' or 'time'" in result.output
