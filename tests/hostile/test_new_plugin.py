"""``reelsearch new-plugin`` with names and folders it must refuse: one line naming the
problem, exit 1, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reelsearch.cli import app

runner = CliRunner()


def refused(args: list[str], parent: Path) -> str:
    before = sorted(parent.rglob("*"))
    result = runner.invoke(app, ["new-plugin", "--dir", str(parent), "--", *args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, "an error is shown"
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert sorted(parent.rglob("*")) == before, "nothing is written"
    return " ".join(result.output.split())


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a b",
        "x/y",
        "café",
        "\uff42\uff52\uff49\uff47\uff48\uff54",  # "bright" in fullwidth letters
        "Brightness",
        "",
        "-x",
        "x-",
        "a--b",
        "1abc",
        "a" * 41,
        "[red]x[/red]",
        "x\n",
        "x\x00",
    ],
)
def test_names_that_are_not_plain_lowercase_ascii(name: str, tmp_path: Path) -> None:
    message = refused([name], tmp_path)
    assert "must be at most 40 lowercase ASCII letters" in message
    if name == "[red]x[/red]":
        assert "'[red]x[/red]'" in message, "the name prints as text, never as markup"


@pytest.mark.parametrize("name", ["import", "class", "match", "async"])
def test_python_keywords(name: str, tmp_path: Path) -> None:
    assert "is a Python keyword" in refused([name], tmp_path)


@pytest.mark.parametrize("name", ["json", "os", "numpy", "reelsearch", "pydantic"])
def test_names_that_would_shadow_a_module(name: str, tmp_path: Path) -> None:
    assert f"would shadow the module '{name}'" in refused([name], tmp_path)


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "reelsearch-brightness"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me")
    assert "already exists" in refused(["brightness"], tmp_path)
    assert (folder / "mine.txt").read_text() == "keep me"


def test_a_dangling_link_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "reelsearch-brightness").symlink_to(tmp_path / "nowhere")
    assert "already exists" in refused(["brightness"], tmp_path)


def test_a_dir_that_is_a_file(tmp_path: Path) -> None:
    parent = tmp_path / "file"
    parent.write_text("not a folder")
    result = runner.invoke(app, ["new-plugin", "brightness", "--dir", str(parent)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: cannot create ")
    assert parent.read_text() == "not a folder"
