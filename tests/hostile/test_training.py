"""Hostile training manifests through ``reelsearch train``: paths outside the manifest's folder,
devices and URLs, huge or marked-up captions, malformed JSONL and CSV, too few pairs. Each is
a row left out with a count and a line naming it, or one error line, before any training
starts; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_clip import save_layout_clip
from training_clips import caption, write_clip
from typer.testing import CliRunner

from reelsearch.cli import app

runner = CliRunner()


@pytest.fixture
def train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``train(manifest, *args)``: the CLI's exit code and output, on a home of its own."""
    model = save_layout_clip(tmp_path / "layout")
    config = tmp_path / "reelsearch.toml"
    config.write_text(f'[components.encoders.clip]\ncheckpoint = "{model}"\n')
    monkeypatch.setenv("REELSEARCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "300")

    def run(manifest: Path, *args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["train", str(manifest), "--batch-size", "2", *args])
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        return result.exit_code, result.output

    return run


def jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_videos_outside_devices_and_urls_are_rows_left_out(train, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "link").symlink_to("/dev/urandom")
    rows = [
        {"video": "../../../../../../etc/passwd", "caption": "a password file"},
        {"video": "/dev/zero", "caption": "zeros"},
        {"video": "link", "caption": "a link to a device"},
        {"video": str(tmp_path), "caption": "a folder"},
        {"video": "http://127.0.0.1:9/video.mp4", "caption": "a url"},
        {"video": "concat:a.mp4|b.mp4", "caption": "a protocol"},
        {"video": "[red]gone[/red].mp4", "caption": "missing, with markup"},
    ]
    code, output = train(jsonl(tmp_path / "m.jsonl", rows))
    assert code == 1
    assert "left out 7 rows or shots: 7 unreadable video" in output
    assert "[red]gone[/red].mp4" in output  # printed as text, not read as markup
    assert output.count("error:") == 1
    assert "0 training pairs, fewer than one batch" in output


def test_captions_huge_blank_or_marked_up(train, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clips = [write_clip(tmp_path / f"{c}.mp4", [(c, "disc", "left")]) for c in ("red", "blue")]
    rows = [
        {"video": clips[0].name, "caption": "red " * 50_000},
        {"video": clips[1].name, "caption": "\u200b \t "},
        {"video": clips[0].name, "caption": "[bold]rouge[/bold] 🚗 \u202eevil"},
    ]
    code, output = train(jsonl(tmp_path / "m.jsonl", rows))
    assert code == 1
    assert "1 caption too long" in output
    assert "held-out split has" in output or "fewer than one batch" in output


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("bad.jsonl", '{"video": "a.mp4", "caption": "x"}\n{not json\n', "bad.jsonl:2: not JSON"),
        ("list.jsonl", '["a.mp4", "x"]\n', "list.jsonl:1: expected an object"),
        ("nocap.jsonl", '{"video": "a.mp4"}\n', "nocap.jsonl:1: needs a non-empty"),
        ("empty.jsonl", "\n\n", "holds no (video, caption) pairs"),
        ("header.csv", "path,text\na.mp4,x\n", "the header lacks caption, video"),
        ("huge.csv", "video,caption\na.mp4," + "x" * 200_000 + "\n", "huge.csv:2: not CSV"),
        ("range.jsonl", '{"video": "a.mp4", "caption": "x", "start": 1e999}\n', "finite"),
    ],
)
def test_malformed_manifests_are_one_error_line(
    train, tmp_path: Path, name: str, text: str, problem: str
) -> None:  # type: ignore[no-untyped-def]
    manifest = tmp_path / name
    manifest.write_text(text)
    code, output = train(manifest)
    assert code == 1
    assert problem in output
    assert output.count("error:") == 1


def test_too_few_pairs_for_a_batch_is_one_error(train, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {
            "video": write_clip(tmp_path / f"{c}.mp4", [(c, "disc", "left")]).name,
            "caption": caption(c, "disc"),
        }
        for c in ("red", "green", "blue")
    ]
    code, output = train(jsonl(tmp_path / "m.jsonl", rows), "--batch-size", "8", "--held-out", "0")
    assert code == 1
    assert "error: 3 training pairs, fewer than one batch (8 pairs x 1 workers)" in output
    assert not (tmp_path / "home" / "features" / "training").exists()  # nothing recorded


def test_bad_options_and_unknown_runs(train, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manifest = jsonl(tmp_path / "m.jsonl", [{"video": "a.mp4", "caption": "x"}])
    code, output = train(manifest, "--freeze", "everything")
    assert code == 1
    assert "invalid training options: freeze" in output
    code, output = train(manifest, "--run", "../../escape")
    assert code == 1
    assert "run name '../../escape'" in output
    result = runner.invoke(app, ["train", "--resume", "never-ran"])
    assert result.exit_code == 1
    assert "no training run 'never-ran'" in result.output
