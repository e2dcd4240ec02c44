"""``from reelsearch import ...``: the application API is what ``__all__`` says, each name is
the core's own object, and ``import reelsearch`` loads none of it until it is used."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import reelsearch

ROOT = Path(__file__).resolve().parents[1]


def public_names() -> set[str]:
    return {
        name
        for name in dir(reelsearch)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(reelsearch, name))
        and name != "annotations"
    }


def test_all_is_what_the_package_exports() -> None:
    assert set(reelsearch.__all__) - {"__version__"} == public_names()
    assert reelsearch.__all__ == sorted(reelsearch.__all__)
    assert len(set(reelsearch.__all__)) == len(reelsearch.__all__)


@pytest.mark.parametrize("name", [n for n in reelsearch.__all__ if n != "__version__"])
def test_each_name_is_the_core_object_and_is_typed(name: str) -> None:
    value = getattr(reelsearch, name)
    home = importlib.import_module(value.__module__)
    assert getattr(home, name) is value
    # What type checkers see (the TYPE_CHECKING imports) names the same home.
    tree = ast.parse((ROOT / "reelsearch" / "__init__.py").read_text())
    typed = {
        alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed.get(name) == value.__module__


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        reelsearch.Nope  # noqa: B018
    assert not hasattr(reelsearch, "Gateway"), "core internals are not exported"


def test_import_reelsearch_stays_light() -> None:
    code = (
        "import sys, reelsearch\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('reelsearch.') "
        "or m.split('.')[0] in ('av', 'qdrant_edge', 'numpy', 'pydantic', 'torch'))\n"
        "print(loaded)\n"
        "from reelsearch import Runtime, SearchRequest\n"
        "print(Runtime.__name__, SearchRequest.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["[]", "Runtime SearchRequest"]


def test_the_readme_and_the_embedding_example_use_it() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / "examples" / "embed_app.py").read_text()
    for text in (readme, example):
        assert "from reelsearch import " in text
        assert "from reelsearch.core" not in text, "applications never reach into the core"


def test_the_embedding_example_searches_through_it(tmp_path: Path) -> None:
    from reelsearch.core.media.sample import sample_video

    video = sample_video(tmp_path / "sample.mp4")  # with a .srt: dialogue search runs offline
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "embed_app.py"),
            str(video),
            "--title",
            "Sample",
            "--home",
            str(tmp_path / "home"),
            "--search",
            "a red car",
        ],
        capture_output=True,
        text=True,
        env={"REELSEARCH_ALGOS": "shots,dialogue", "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    hits = [line for line in result.stdout.splitlines() if line.startswith("hit ")]
    assert hits, result.stdout
    assert hits[0].startswith("hit Sample  00:00:02:"), "the line about the red car comes first"
    assert hits[0].endswith("(dialogue)")
