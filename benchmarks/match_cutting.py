"""Match cutting: precision@k per kind on videos with known answers, and pair scoring speed
(ours, NumPy, against a plain Python double loop), in one run.

- **precision@k**: videos are generated whose match cuts are known — portraits (the public
  domain face stills) framed so that some pairs share silhouette position and size (frame),
  and textured pans moving left to right or right to left at different speeds (motion) — and
  ingested on the embedded defaults with the ``match_cuts`` algo; precision@k is the share of
  the top k pairs that are known matches.
- **pairs per second**: the directed scores of every pair of ``--shots`` synthetic shots
  (silhouette masks of 64x36, flow fields of 8x8x2) and the top ``--top`` pairs, by
  :func:`top_pairs` over NumPy matrices and by :func:`naive_top_pairs`, a Python double loop,
  on ``--naive-shots`` shots (it is quadratic and slow) and on the same shots for ours.

Run: ``python benchmarks/match_cutting.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.match_cutting.scoring import (
    cosine_matrix,
    iou_matrix,
    naive_top_pairs,
    top_pairs,
)
from reelsearch.plugins.match_cutting.tests.match_cutting_media import (
    media,
    pan_shot,
    portrait_shot,
    write_video,
)

PORTRAITS = [
    ("obama", (0.28, 0.55, 0.95)),
    ("biden", (0.72, 0.55, 0.95)),
    ("biden2", (0.28, 0.55, 0.95)),
    ("obama1", (0.5, 0.75, 0.45)),
    ("obama2", (0.72, 0.55, 0.95)),
    ("biden", (0.5, 0.75, 0.45)),
]
"""Photo and framing (centre x, centre y, height) of each shot: 0-2, 1-4 and 3-5 match."""
PORTRAIT_MATCHES = {frozenset((0, 2)), frozenset((1, 4)), frozenset((3, 5))}
PANS = [(3, 3), (0, -3), (1, 6), (2, -5)]
"""Texture seed and speed (pixels a frame; positive: left to right) of each shot."""
PAN_MATCHES = {frozenset((0, 2)), frozenset((1, 3))}
COLOURS = [
    (200, 40, 40),
    (40, 200, 40),
    (40, 40, 200),
    (220, 220, 40),
    (40, 220, 220),
    (220, 40, 220),
]


def precision(folder: Path) -> list[tuple[str, int, float]]:
    """``(kind, k, precision@k)`` on the generated videos."""
    photos = {name: media(f"faces/{name}.jpg") for name, _ in PORTRAITS}
    rows = []
    videos = []
    if all(photos.values()):
        frames = [
            f
            for (name, box), colour in zip(PORTRAITS, COLOURS, strict=True)
            for f in portrait_shot(photos[name], box, colour)  # type: ignore[arg-type]
        ]
        videos.append(("frame", write_video(folder / "faces.mp4", frames), PORTRAIT_MATCHES))
    frames = [f for seed, speed in PANS for f in pan_shot(seed, speed, 30)]
    videos.append(("motion", write_video(folder / "pans.mp4", frames), PAN_MATCHES))
    settings = load_settings(
        home=folder / "home", plugins=["shots", "content-detector", "match-cutting"]
    )
    with Runtime(settings, executor=LocalExecutor()) as rs:
        for kind, video, truth in videos:
            rs.ingest([video], algos=["match_cuts"])
            asset = rs.asset(video)
            key = rs.pipeline.keys(
                asset, ["shots", "near_duplicates", "silhouettes", "motion", "match_cuts"]
            )
            records = rs.features.get(key["match_cuts"]) or []
            (found,) = [r for r in records if r["kind"] == kind]
            pairs = [
                frozenset((p["outgoing"]["index"], p["incoming"]["index"])) for p in found["pairs"]
            ]
            k = len(truth)
            rows.append((kind, k, sum(p in truth for p in pairs[:k]) / k))
    return rows


def speed(shots: int, naive_shots: int, top: int) -> list[tuple[str, str, int, float, float]]:
    """``(kind, method, shots, seconds, pairs per second)``."""
    rng = np.random.default_rng(0)
    rows = []
    inputs = {
        "frame (IoU)": (rng.random((shots, 64 * 36)) > 0.7, rng.random((shots, 64 * 36)) > 0.7),
        "motion (cosine)": (
            rng.normal(size=(shots, 128)).astype(np.float32),
            rng.normal(size=(shots, 128)).astype(np.float32),
        ),
    }
    for kind, (outgoing, incoming) in inputs.items():
        measure = iou_matrix if kind.startswith("frame") else cosine_matrix
        for n in (shots, naive_shots):
            started = time.perf_counter()
            top_pairs(measure(outgoing[:n], incoming[:n]), top)
            took = time.perf_counter() - started
            rows.append((kind, "ours (NumPy)", n, took, n * (n - 1) / 2 / took))
        out_list, in_list = outgoing[:naive_shots].tolist(), incoming[:naive_shots].tolist()
        started = time.perf_counter()
        naive_top_pairs(out_list, in_list, top, "iou" if kind.startswith("frame") else "cosine")
        took = time.perf_counter() - started
        n = naive_shots
        rows.append((kind, "naive Python loop", n, took, n * (n - 1) / 2 / took))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=2000, help="Shots whose pairs ours scores.")
    parser.add_argument("--naive-shots", type=int, default=150, help="Shots for the Python loop.")
    parser.add_argument("--top", type=int, default=500, help="Pairs kept.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        found = precision(Path(scratch))
    print("| kind | known matches (k) | precision@k |")
    print("|---|---|---|")
    for kind, k, value in found:
        print(f"| {kind} | {k} | {value:.2f} |")
    print()
    print("| score | method | shots | pairs | seconds | pairs/s |")
    print("|---|---|---|---|---|---|")
    for kind, method, n, took, rate in speed(args.shots, args.naive_shots, args.top):
        print(f"| {kind} | {method} | {n} | {n * (n - 1) // 2} | {took:.3f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
