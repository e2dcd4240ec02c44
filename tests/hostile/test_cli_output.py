"""What users and files give is printed as text, never as Rich markup: titles, ids, paths,
dialogue and speakers through real CLI commands; progress on terminals and off them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from reelsearch.cli import _app, app
from reelsearch.sdk.testing import PALETTE, write_video

runner = CliRunner()

MARKUP = "[/bold] [red]Red[/red] [link=http://x]y[/link] [abcdef012345]"
"""A closing tag with no opening one (a MarkupError), styles, a link and an id-like tag."""


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def two_shots(path: Path) -> Path:
    return write_video(path, [(PALETTE["red"], 24), (PALETTE["blue"], 24)])


def test_a_markup_title_is_stored_and_listed_as_written(
    reelsearch_home: Path, tmp_path: Path
) -> None:
    video = two_shots(tmp_path / "clip.mp4")
    code, output = run("ingest", str(video), "--title", MARKUP, "--algo", "shots")
    assert code == 0, output
    assert f"{MARKUP} [" in output
    code, output = run("titles")
    assert code == 0, output
    assert "[/bold]" in output
    assert "[abcdef012345]" in output
    assert "[red]Red[/red]" in output


def test_every_asset_id_is_printed_whatever_its_first_character(
    reelsearch_home: Path, tmp_path: Path
) -> None:
    # Content hashes start with a-f about 6 times in 16: with eight videos, ids of both kinds
    # are all but certain, and each must be printed in full.
    videos = [
        write_video(tmp_path / f"v{n}.mp4", [(PALETTE[colour], 12 + n)])
        for n, colour in enumerate(["red", "blue", "green", "yellow"] * 2)
    ]
    code, output = run("ingest", *map(str, videos), "--algo", "shots")
    assert code == 0, output
    assets = json.loads(runner.invoke(app, ["titles", "--json"]).stdout)
    assert len(assets) == len(videos)
    _, table = run("titles")
    for asset in assets:
        assert f"[{asset['id'][:12]}]" in output
        assert asset["id"][:12] in table


def test_markup_in_paths_is_printed_as_written(reelsearch_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "[bold]films"  # a path cannot hold a closing tag's "/", but tags
    folder.mkdir()
    video = two_shots(folder / "[i]clip.mp4")
    code, output = run("ingest", str(video), "--algo", "shots")
    assert code == 0, output
    assert "[i]clip [" in output
    _, table = run("titles")
    assert "[i]clip" in table
    bogus = folder / "[red]notes.mp4"
    bogus.write_text("not a video")
    code, output = run("shots", str(bogus))
    assert code == 1
    assert "[bold]films/[red]notes.mp4" in "".join(output.split())


def test_markup_in_dialogue_speakers_and_search_output(
    reelsearch_home: Path, tmp_path: Path
) -> None:
    video = two_shots(tmp_path / "talk.mp4")
    (tmp_path / "talk.vtt").write_text(
        "WEBVTT\n\n00:00.200 --> 00:01.500\n<v [b]Anna[/b]>the key is under [/i] the mat\n"
    )
    code, output = run("ingest", str(video), "--title", "[/u]Talk", "--algo", "dialogue")
    assert code == 0, output
    code, output = run("search", "the key is under the mat", "--algo", "dialogue")
    assert code == 0, output
    assert "[/u]Talk" in output
    found = runner.invoke(
        app, ["search", "the key", "--algo", "dialogue", "--speaker", "[b]Anna[/b]", "--json"]
    )
    assert found.exit_code == 0, found.output
    (hit,) = json.loads(found.stdout)["hits"]
    assert hit["speaker"] == "[b]Anna[/b]"
    assert hit["text"] == "the key is under [/i] the mat"


def test_errors_holding_markup_are_one_plain_line(reelsearch_home: Path) -> None:
    code, output = run("search", "x", "--metadata", "[/bold]")
    assert code == 1
    assert output.strip() == "error: --metadata takes KEY=VALUE, not '[/bold]'"


def test_progress_off_a_terminal_is_a_line_per_step(reelsearch_home: Path, tmp_path: Path) -> None:
    video = two_shots(tmp_path / "steps.mp4")
    code, output = run("ingest", str(video), "--title", "[/b]Steps", "--algo", "shots")
    assert code == 0, output
    assert "[/b]Steps · shots" in output.splitlines()


def test_progress_bars_reach_their_total(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120, color_system=None)
    monkeypatch.setattr(_app, "console", terminal)
    asset = type("A", (), {"title": "[/bold]Film"})()
    with _app.progress_bars() as on_step:
        on_step("shots", asset)(40, 48)  # type: ignore[arg-type]
        on_step("dialogue", asset)(10, 11)  # type: ignore[arg-type]
        on_step("unsized", asset)  # type: ignore[arg-type]
    last = screen.getvalue().rsplit("\x1b[2K", 1)[-1] if "\x1b[2K" in screen.getvalue() else ""
    final = screen.getvalue()
    assert "[/bold]Film · shots" in final
    assert "48/48" in final
    assert "11/11" in final
    assert "10/11" not in last
