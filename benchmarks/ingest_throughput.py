"""Ingest throughput: a 10-minute video ingested with shots, thumbnails and dialogue from
subtitles, as a multiple of real time, against decoding alone, in one run.

The video is the Big Buck Bunny clip (``tests/data/media/bbb``, else ``../shared/media/bbb``)
looped to ``--minutes`` by copying its packets (no re-encode), with an SRT sidecar holding a
line every 4 seconds. Rows:

- **decode alone**: PyAV decoding every frame with threaded decoding, nothing else (the floor
  of any pass over the video);
- **ingest**: ``Runtime.ingest`` on a fresh data home with the ``shots`` algo (content detector,
  a thumbnail per shot) and ``dialogue`` from the sidecar (lines embedded by the default text
  encoder, minilm), on the local executor, end to end (probe, hash, algos, store writes).

Target (issue 12): ingest >= 10x real time on 2 cores.

Run: ``python benchmarks/ingest_throughput.py [--minutes 10]`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import av

from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
CLIP = "bbb/big_buck_bunny_0_30.webm"


def source_clip() -> Path:
    for base in (ROOT / "tests" / "data" / "media", ROOT.parent / "shared" / "media"):
        if (base / CLIP).is_file():
            return base / CLIP
    raise SystemExit(f"{CLIP} is in neither tests/data/media nor ../shared/media")


def looped(source: Path, target: Path, seconds: float) -> float:
    """``source``'s video stream repeated (packets copied) until ``seconds``; its duration."""
    with av.open(str(source)) as inp, av.open(str(target), "w", format="matroska") as out:
        stream = inp.streams.video[0]
        copy = out.add_stream_from_template(stream)
        packets = [p for p in inp.demux(stream) if p.dts is not None]
        tb = stream.time_base
        span = max(p.pts + (p.duration or 0) for p in packets if p.pts is not None)
        offset, loops = 0, 0
        while offset * tb < seconds:
            for packet in packets:
                clone = av.Packet(bytes(packet))
                clone.pts = None if packet.pts is None else packet.pts + offset
                clone.dts = packet.dts + offset
                clone.duration = packet.duration
                clone.is_keyframe = packet.is_keyframe
                clone.time_base = tb
                clone.stream = copy
                out.mux(clone)
            offset += span
            loops += 1
        return float(offset * tb)


def subtitles(path: Path, seconds: float, every: float = 4.0) -> int:
    cues, t = [], 0.5
    while t + 2 < seconds:
        n = len(cues) + 1
        cues.append(f"{n}\n{_stamp(t)} --> {_stamp(t + 2)}\nLine {n}: the bunny wakes up.\n")
        t += every
    path.write_text("\n".join(cues))
    return len(cues)


def _stamp(t: float) -> str:
    ms = round(t * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def decode_alone(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            frames += 1
    return time.perf_counter() - started, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reelsearch-ingest-"))
    video = work / "bbb-loop.mkv"
    duration = looped(source_clip(), video, options.minutes * 60)
    cues = subtitles(video.with_suffix(".srt"), duration)
    decode_s, frames = decode_alone(video)
    settings = load_settings(
        home=work / "home",
        algos=["shots", "dialogue"],
        components={"algos": {"dialogue": {"speech": "never"}}},
    )
    with Runtime(settings, executor=LocalExecutor()) as rs:
        started = time.perf_counter()
        result = rs.ingest([video])
        ingest_s = time.perf_counter() - started
        report = result.reports[0]
    print(
        f"{duration / 60:.1f} min video ({frames} frames, {cues} subtitle cues); "
        f"computed {', '.join(report.computed)}"
        + (f"; skipped {report.skipped}" if report.skipped else "")
    )
    print("| pass | seconds | x real time | target |")
    print("|---|---|---|---|")
    print(f"| decode alone (PyAV, threaded) | {decode_s:.1f} | {duration / decode_s:.1f} | |")
    print(
        f"| ingest: shots + thumbnails + dialogue from subtitles | {ingest_s:.1f} | "
        f"{duration / ingest_s:.1f} | >= 10 |"
    )


if __name__ == "__main__":
    main()
