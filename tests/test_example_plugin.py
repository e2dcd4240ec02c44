"""The third-party example plugin (examples/colorstats): installed as a distribution, found
through its entry point, run by the runtime (in-process and on a real local Ray)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reelsearch.core.config import load_settings
from reelsearch.core.executor import RayExecutor
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import SearchRequest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "colorstats"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example installed with pip into its own folder (no network, no build isolation)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
    )
    assert (target / "reelsearch_colorstats").is_dir()
    return target


@pytest.fixture
def on_path(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(installed))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(installed), *sys.path]))
    return installed


def _env(installed: Path, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(installed),
        "REELSEARCH_HOME": str(home),
    }


def test_cli_lists_builtins_and_the_installed_example(installed: Path, tmp_path: Path) -> None:
    reelsearch = Path(sys.executable).with_name("reelsearch")
    result = subprocess.run(
        [str(reelsearch), "plugins", "--json"],
        env=_env(installed, tmp_path),
        check=True,
        capture_output=True,
        text=True,
    )
    listing = {p["name"]: p for p in json.loads(result.stdout)}
    example = listing["colorstats"]
    assert example["distribution"] == "reelsearch-colorstats"
    assert example["version"] == "0.1.0"
    assert {(c["kind"], c["name"]) for c in example["components"]} == {
        ("algo", "colorstats"),
        ("searcher", "colorstats"),
    }
    builtins = [p for p in listing.values() if p["distribution"] == "reelsearch"]
    assert builtins, "the built-in plugins are listed"
    assert all({"kind", "name"} <= set(c) for p in listing.values() for c in p["components"])


def test_runtime_discovers_and_runs_it(on_path: Path, tmp_path: Path, make_video: object) -> None:
    video = make_video("yellow.mp4", [("yellow", 48)])  # type: ignore[operator]
    with Runtime(load_settings(home=tmp_path / "home", algos=["colorstats"])) as rs:
        assert rs.registry.get("algo", "colorstats").plugin.distribution == "reelsearch-colorstats"
        (report,) = rs.ingest([video], title="Yellow").reports
        assert report.computed == ["colorstats"]
        hits = rs.search(SearchRequest(text="yellow", algos=["colorstats"])).hits
        assert [(h.start, h.end) for h in hits] == [(0.0, 1.0), (1.0, 2.0)]


def test_configured_by_kind_and_name(
    on_path: Path, tmp_path: Path, make_video: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The algo's options do not reach the searcher of the same name."""
    video = make_video("yellow.mp4", [("yellow", 48)])  # type: ignore[operator]
    config = tmp_path / "reelsearch.toml"
    config.write_text("[components.algos.colorstats]\nwindow_seconds = 2\n")
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    with Runtime(load_settings(home=tmp_path / "home", algos=["colorstats"])) as rs:
        rs.ingest([video], title="Yellow")
        hits = rs.search(SearchRequest(text="yellow", algos=["colorstats"])).hits
        assert [(h.start, h.end) for h in hits] == [(0.0, 2.0)]


def test_its_own_test_suite_passes_against_the_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests")],
        env=_env(installed, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_runs_on_a_real_local_ray(on_path: Path, tmp_path: Path, make_video: object) -> None:
    """The same ingest with the Ray executor: the algo runs in a Ray worker process."""
    video = make_video("purple.mp4", [("purple", 24), ("green", 24)])  # type: ignore[operator]
    settings = load_settings(home=tmp_path / "home", algos=["colorstats"], executor="ray")
    executor = RayExecutor(num_cpus=2, object_store_memory=128 * 1024**2)
    with Runtime(settings, executor=executor) as rs:
        (report,) = rs.ingest([video], title="Ray").reports
        assert report.computed == ["colorstats"]
        hits = rs.search(SearchRequest(text="green", algos=["colorstats"], limit=1)).hits
        assert [(h.title, h.start) for h in hits] == [("Ray", 1.0)]
