"""examples/embed_app.py: an application embedding the runtime ingests and lists shots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "embed_app.py"


def test_embedding_app_ingests_and_prints_the_shots(make_video: object, tmp_path: Path) -> None:
    video = make_video("two.mp4", [("red", 24), ("blue", 24)])  # type: ignore[operator]
    bogus = tmp_path / "bogus.mp4"
    bogus.write_text("not a video")
    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            str(video),
            str(bogus),
            "--title",
            "Two",
            "--home",
            str(tmp_path / "home"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"REELSEARCH_ALGOS": "shots", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert any(line.startswith("skipped ") and "bogus.mp4" in line for line in lines)
    assert any(line.startswith("Two  (") for line in lines)
    assert "  shot   0     0.000s -    1.000s" in lines
    assert "  shot   1     1.000s -    2.000s" in lines
