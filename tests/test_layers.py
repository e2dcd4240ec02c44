"""Layers go one way: core <- sdk <- plugins; a plugin imports only the SDK and itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _plugin_packages() -> list[Path]:
    """Each plugin: a package directly under plugins/, holding its whole feature."""
    return [p for p in sorted((ROOT / "plugins").iterdir()) if (p / "__init__.py").is_file()]


def _plugin_code(plugin: Path) -> Iterator[Path]:
    """A plugin's modules, without its tests (which may drive the whole application)."""
    return (p for p in plugin.rglob("*.py") if "tests" not in p.relative_to(plugin).parts)


def test_every_plugin_folder_is_one_feature() -> None:
    """No grouping folders (plugins/algos/...): a feature is one folder under plugins/."""
    for folder in (ROOT / "plugins").iterdir():
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py")):
            assert (folder / "__init__.py").is_file(), f"{folder.name} is not a plugin package"
            nested = [c.name for c in folder.iterdir() if (c / "__init__.py").is_file()]
            assert not nested, f"plugins/{folder.name} groups other plugins: {nested}"


@pytest.mark.parametrize("plugin", _plugin_packages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_plugin_imports_only_the_sdk_and_itself(plugin: Path) -> None:
    own = "reelsearch." + ".".join(plugin.relative_to(ROOT).parts)
    for source in _plugin_code(plugin):
        for module in _imports(source):
            if module.startswith("reelsearch"):
                allowed = module.startswith(("reelsearch.sdk", own))
                assert allowed, f"{source.relative_to(ROOT)} imports {module}"


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("core", ("reelsearch.sdk", "reelsearch.plugins", "reelsearch.cli", "reelsearch.server")),
        ("sdk", ("reelsearch.plugins", "reelsearch.cli", "reelsearch.server")),
    ],
)
def test_lower_layers_never_import_higher_ones(layer: str, forbidden: tuple[str, ...]) -> None:
    for source in (ROOT / layer).rglob("*.py"):
        for module in _imports(source):
            assert not module.startswith(forbidden), f"{source.relative_to(ROOT)} imports {module}"
