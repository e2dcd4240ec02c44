"""``reelsearch new-plugin``: the generated package installs, registers through its entry point,
passes its own tests (the SDK's contracts included) and lint; docs/tutorial.md shows exactly
the template's code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.cli.new_plugin import PluginNames, template_files

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"<!-- template: (\S+) -->\n```\w+\n(.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("plugins")
    result = CliRunner().invoke(app, ["new-plugin", "brightness", "--dir", str(parent)])
    assert result.exit_code == 0, result.output
    folder = parent / "reelsearch-brightness"
    assert f"Created {folder}" in " ".join(result.output.split())
    return folder


@pytest.fixture(scope="module")
def installed(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated plugin installed with pip into its own folder (no network)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--no-index", "--target", str(target), str(generated)),
        ],
        check=True,
        capture_output=True,
    )
    assert (target / "brightness" / "searcher.py").is_file()
    return target


def env(installed: Path, home: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(installed), "REELSEARCH_HOME": str(home)}


def test_it_makes_the_template_files(generated: Path) -> None:
    made = sorted(str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file())
    assert made == sorted(template_files(PluginNames.of("brightness")))
    assert "{{" not in "".join(p.read_text() for p in generated.rglob("*") if p.is_file())


def test_the_installed_plugin_registers_its_algo_and_searcher(
    installed: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reelsearch", "plugins", "--json"],
        env=env(installed, tmp_path),
        check=True,
        capture_output=True,
        text=True,
    )
    (plugin,) = [p for p in json.loads(result.stdout) if p["name"] == "brightness"]
    assert plugin["distribution"] == "reelsearch-brightness"
    assert {(c["kind"], c["name"]) for c in plugin["components"]} == {
        ("algo", "brightness"),
        ("searcher", "brightness"),
    }


def test_its_own_tests_pass_against_the_installed_package(
    generated: Path, installed: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"),
            str(generated / "tests"),
        ],
        env=env(installed, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None
    assert int(passed.group(1)) >= 20, "the SDK's algo, sink and searcher contracts ran"
    assert "failed" not in result.stdout


def test_its_code_is_lint_clean_and_formatted(generated: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    rules = ["--select", "E,F,W,I,UP,B,SIM,RUF,N", "--line-length", "100"]
    for command in (["check", *rules], ["format", "--check", "--line-length", "100"]):
        result = subprocess.run(
            [*ruff, *command, "--no-cache", "."], cwd=generated, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_tutorial_shows_the_template_code() -> None:
    """Every code file of the plugin is in docs/tutorial.md, exactly as new-plugin writes it."""
    files = template_files(PluginNames.of("brightness"))
    shown = dict(BLOCK.findall(TUTORIAL.read_text()))
    code = {path for path in files if path.endswith((".py", ".toml"))}
    assert set(shown) == code
    for path, text in shown.items():
        assert text == files[path], f"docs/tutorial.md's {path} differs from the template"


def test_the_readme_and_the_plugin_guide_link_the_tutorial() -> None:
    for page in (ROOT / "README.md", ROOT / "docs" / "plugins.md"):
        assert "tutorial.md" in page.read_text(), page
