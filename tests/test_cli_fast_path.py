"""The command line starts fast: ``--help`` lists every command without importing one, and a
search through a running server (the thin client) loads neither pydantic, NumPy, PyAV nor the
plugin host, and asks the server what the full command would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from reelsearch.cli import app, fast
from reelsearch.cli._commands import COMMANDS, load_all
from reelsearch.cli.search import SearchOptions, search_request
from reelsearch.core.models import SearchRequest

HEAVY = ("pydantic", "numpy", "av", "pluggy", "reelsearch.core.runtime", "reelsearch.core.models")


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def test_help_lists_every_command_and_imports_none() -> None:
    code = (
        "import sys\nsys.argv = ['reelsearch', '--help']\nfrom reelsearch.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
        "print('COMMANDS', sorted(m for m in sys.modules if m.startswith('reelsearch.cli.')))\n"
    )
    out = run_python(code)
    for entry in COMMANDS:
        assert f" {entry.name} " in out, entry.name
    loaded = next(line for line in out.splitlines() if line.startswith("LOADED"))
    assert loaded == "LOADED []"
    commands = next(line for line in out.splitlines() if line.startswith("COMMANDS"))
    assert commands == "COMMANDS ['reelsearch.cli._commands', 'reelsearch.cli.fast']"


def words(text: str) -> list[str]:
    return [word.rstrip(".;,:") for word in text.split()]


def test_the_table_says_what_each_command_says() -> None:
    load_all()
    group = typer.main.get_group(app)
    for entry in COMMANDS:
        command = group.commands[entry.name]
        full = words(command.help or "")
        short = words(entry.help)
        assert full[: len(short)] == short, entry.name
    assert set(group.commands) == {entry.name for entry in COMMANDS}, "every command listed"


@pytest.mark.parametrize(
    ("argv", "options"),
    [
        (["a red car"], SearchOptions(text="a red car")),
        (
            ["boat", "--algo", "dialogue", "--title", "A", "--title=B", "-k", "3", "--page", "2"],
            SearchOptions(text="boat", algos=["dialogue"], titles=["A", "B"], limit=3, page=2),
        ),
        (["hello", "--mode", "phrase"], SearchOptions(text="hello", mode="phrase")),
        (
            ["x", "--sort", "time", "--group-by", "title", "--min-score", "0.25"],
            SearchOptions(text="x", sort="time", group_by="title", min_score=0.25),
        ),
    ],
)
def test_the_thin_client_asks_what_the_command_asks(
    argv: list[str], options: SearchOptions
) -> None:
    found = fast.parse_search(argv)
    assert found is not None
    assert SearchRequest.model_validate(fast.search_fields(found)) == search_request(options)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--algo", "visual"],
        ["a", "b"],
        ["a", "--image", "x.png"],
        ["a", "--speaker", "Ann"],
        ["a", "--limit", "many"],
        ["a", "--limit"],
        ["a", "--format", "edl"],
        ["a", "--json"],
    ],
)
def test_anything_else_goes_the_full_way(argv: list[str]) -> None:
    assert fast.parse_search(argv) is None


def test_the_thin_client_loads_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom reelsearch.cli import fast, render\nfrom reelsearch.cli import client\n"
        "print(fast.run(['search', 'a car']))\n"
        "render.print_hits([{'id': 'h', 'title': 't', 'algo': 'a', 'score': 1.0, 'start': 0.0,"
        " 'end': 1.5, 'fps': 25.0}])\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    env = {"REELSEARCH_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "None", "no server runs on the home: the full path runs"
    assert lines[2].split()[3] == "00:00:00:00-00:00:01:12"
    assert lines[-1] == "[]"
