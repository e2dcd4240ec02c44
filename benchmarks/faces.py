"""Faces and characters: how fast the ``faces`` algo turns video into face tracks, against
dlib's HOG detector alone on the same frames, and how well the ``characters`` algo groups the
tracks into people.

The video is the tests' two-person montage (``character_media.PLAN``: public-domain portraits
of two people, zooming and panning, shots of one, of both and of nobody) repeated
``--copies`` times, 480x270 at 10 fps. In a fresh data home each run, the models are loaded
on a one-shot video and the montage's shots are found (neither timed); then:

- ``faces``: the algo end to end (decode the sampled frames, HOG detection, 5-point
  alignment, ResNet descriptors, tracking, crops, store writes);
- ``dlib HOG alone``: the same number of frames per second of video (one every 0.5 s),
  decoded with PyAV and given to ``dlib.get_frontal_face_detector()`` at the same upsampling:
  the floor that detection alone sets;
- ``characters``: clustering the tracks.

Clustering quality is measured on the tracks of single-person shots (whose person is known):
purity (share of tracks in a cluster whose person is the cluster's majority) and pairwise
recall (share of pairs of one person's tracks put in one cluster); shots with both people
count as right when their two tracks land in two different clusters.

Run: ``python benchmarks/faces.py`` (about a minute per repeat on 2 cores).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import av
import numpy as np

from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.characters import book
from reelsearch.plugins.characters.tests.character_media import (
    FPS,
    PLAN,
    SHOT_FRAMES,
    write_video,
)
from reelsearch.sdk import PointFilter

PLUGINS = ["shots", "content-detector", "postprocessors", "characters"]
TITLE = "Two"


def runtime(home: Path) -> Runtime:
    return Runtime(load_settings(home=home, plugins=PLUGINS), executor=LocalExecutor())


def detector_alone(video: Path, every_seconds: float = 0.5, upsample: int = 1) -> float:
    """Seconds dlib's HOG detector takes, decoding included, on one frame per
    ``every_seconds`` of ``video``."""
    import dlib

    detect = dlib.get_frontal_face_detector()
    step = max(1, round(every_seconds * FPS))
    started = time.perf_counter()
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for number, frame in enumerate(container.decode(stream)):
            if number % step == 0:
                detect(np.ascontiguousarray(frame.to_ndarray(format="rgb24")), upsample)
    return time.perf_counter() - started


def quality(tracks: dict[str, dict], clusters: dict[str, str], plan: list) -> dict[str, float]:
    """Purity and pairwise recall on single-person shots' tracks; share of two-person shots
    whose tracks land in different clusters."""
    person = {
        track: next(iter(plan[t["shot_index"]].people))
        for track, t in tracks.items()
        if len(plan[t["shot_index"]].people) == 1
    }
    by_cluster: dict[str, Counter[str]] = {}
    for track, who in person.items():
        by_cluster.setdefault(clusters[track], Counter())[who] += 1
    purity = sum(c.most_common(1)[0][1] for c in by_cluster.values()) / max(1, len(person))
    pairs = [(a, b) for a, b in itertools.combinations(person, 2) if person[a] == person[b]]
    recall = sum(clusters[a] == clusters[b] for a, b in pairs) / max(1, len(pairs))
    both = [n for n, shot in enumerate(plan) if len(shot.people) == 2]
    split = 0
    for shot in both:
        in_shot = [clusters[t] for t, p in tracks.items() if p["shot_index"] == shot]
        split += len(in_shot) == 2 and in_shot[0] != in_shot[1]
    return {"purity": purity, "recall": recall, "both": split / max(1, len(both))}


def one_run(video: Path, warm: Path, plan: list, folder: Path) -> dict[str, float]:
    with runtime(folder / "home") as rs:
        rs.ingest([warm], title="warm-up", algos=["faces"])  # loads the models, not timed
        rs.ingest([video], title=TITLE, algos=["shots"])
        shots = sum(1 for _ in rs.store.points("shots", filter=PointFilter(titles=[TITLE])))
        started = time.perf_counter()
        rs.ingest([video], title=TITLE, algos=["faces"])
        faces = time.perf_counter() - started
        started = time.perf_counter()
        rs.ingest([video], title=TITLE, algos=["characters"])
        clustering = time.perf_counter() - started
        mine = PointFilter(titles=[TITLE])
        tracks = {
            p.payload["track"]: p.payload for p in rs.store.points("face_tracks", filter=mine)
        }
        characters = book(rs.store)
        clusters = {
            track: view.id
            for view in characters.characters(characters.asset_ids(TITLE))
            for track in view.tracks
        }
    if shots != len(plan):
        print(f"  (the content detector found {shots} shots; the plan has {len(plan)})")
    alone = detector_alone(video)
    return {
        "duration": len(plan) * SHOT_FRAMES / FPS,
        "shots": shots,
        "tracks": len(tracks),
        "faces_s": faces,
        "alone_s": alone,
        "characters_s": clustering,
        "clusters": len(set(clusters.values())),
        **quality(tracks, clusters, plan),
    }


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    middle = statistics.median(values)
    return f"{fmt.format(middle)} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="Runs, each in a fresh home.")
    parser.add_argument("--copies", type=int, default=3, help="Times the plan is repeated.")
    args = parser.parse_args()
    plan = list(PLAN) * args.copies
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "two.mp4"
        write_video(video, tuple(plan))
        warm = write_video(Path(tmp) / "warm.mp4", PLAN[:1]) and Path(tmp) / "warm.mp4"
        runs = []
        for number in range(args.repeat):
            runs.append(one_run(video, warm, plan, Path(tmp) / f"run{number}"))
            print(f"run {number + 1}: {runs[-1]}", flush=True)
    first = runs[0]
    print(
        f"\n{first['duration']:.1f} s of video, {first['shots']} shots, {first['tracks']} face "
        f"tracks, {first['clusters']} characters; median (min-max) of {len(runs)} runs\n"
    )
    print(f"| {'what':<26} | {'video s per s':>18} | {'shots per s':>18} |")
    print(f"|{'-' * 28}|{'-' * 20}|{'-' * 20}|")
    for label, key in (("faces algo (end to end)", "faces_s"), ("dlib HOG alone", "alone_s")):
        per_s = [r["duration"] / r[key] for r in runs]
        shots = [r["shots"] / r[key] for r in runs]
        print(f"| {label:<26} | {spread(per_s):>18} | {spread(shots):>18} |")
    ratio = [r["faces_s"] / r["alone_s"] for r in runs]
    print(f"\nfaces algo / detector alone, same run: {spread(ratio, '{:.2f}')}x the time")
    took = [r["characters_s"] for r in runs]
    print(f"characters (clustering): {spread(took, '{:.2f}')} s")
    for key, label in (
        ("purity", "purity"),
        ("recall", "pairwise recall"),
        ("both", "two-person shots split"),
    ):
        print(f"{label}: {spread([r[key] for r in runs], '{:.3f}')}")


if __name__ == "__main__":
    main()
