"""Shot detection: our detectors against PySceneDetect, on the same files, in one run.

Files (from ``../shared/media``; the edited ones are written by this script with exactly known
cuts, see :mod:`reelsearch.sdk.testing.montage` for where a dissolve's or a fade's cut lies):

- ``bbb``: the Big Buck Bunny clip as it is: hard cuts at 283, 376, 551; a fade in from black,
  a slow pan and text overlays that are not cuts.
- ``mdn-cuts``: the six MDN clips (real handheld footage) joined by hard cuts.
- ``dissolves`` / ``fades``: Big Buck Bunny shots and MDN clips, alternating, joined by
  dissolves of 8-30 frames / fades through black of 6-20 frames a side.
- ``mdn-dissolves``: the six MDN clips joined by dissolves: a hard case, every clip is a small
  object on the same wooden table, filmed handheld.

For each file and detector: precision, recall and F1 of the cuts (a cut matches a true one
within +-1 frame, each true cut at most once) and frames per second end to end (file in, cut
list out, decoding included; the best of ``--repeat`` interleaved runs, TransNetV2 runs
once).
PySceneDetect runs as a user would run it: ``open_video`` with its default backend, a
``SceneManager`` and the detector's defaults. Our detectors read frames decoded as the shots
algo decodes them by default (``skip_loop_filter``); one row shows the content detector on
fully decoded frames.

Run: ``python benchmarks/shot_detection.py`` (about 3-4 minutes on 2 cores; ``--no-transnet``
skips the slowest detector).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reelsearch.core.media.decode import decode_frames
from reelsearch.core.media.probe import probe
from reelsearch.plugins.content_detector import ContentDetector
from reelsearch.plugins.transnetv2 import TransNetV2Detector
from reelsearch.sdk.testing.montage import CUT, Transition, clip_frames, write_montage

MEDIA = Path(__file__).resolve().parents[1].parent / "shared" / "media"
BBB = MEDIA / "bbb" / "big_buck_bunny_0_30.webm"
MDN = [
    MEDIA / "mdn" / f"{name}.mp4" for name in ("crystal", "elf", "frog", "monster", "pig", "rabbit")
]
BBB_CUTS = [283, 376, 551]
BBB_SHOTS = [(48, 150), (283, 376), (376, 551), (551, 720)]
"""Big Buck Bunny shots used in the edited files (the first starts after its fade in)."""
SIZE = (640, 360)
FPS = 30.0
TOLERANCE = 1


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    cuts: list[int]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    fps: float


Detect = Callable[[Path], list[int]]


def score(found: Sequence[int], truth: Sequence[int], seconds: float, frames: int) -> Score:
    """Precision, recall and F1 with cuts matched one to one within the tolerance."""
    unmatched = sorted(found)
    hits = 0
    for cut in truth:
        near = [f for f in unmatched if abs(f - cut) <= TOLERANCE]
        if near:
            unmatched.remove(min(near, key=lambda f: abs(f - cut)))
            hits += 1
    precision = hits / len(found) if found else float(not truth)
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, frames / seconds)


def make_cases(folder: Path) -> list[Case]:
    """The benchmark's files: the real clip and the edited ones written into ``folder``."""

    def mixed() -> list[object]:
        bbb = [clip_frames(BBB, SIZE, start=a, count=b - a) for a, b in BBB_SHOTS]
        mdn = [clip_frames(path, SIZE, count=180) for path in MDN[:4]]
        return [clip for pair in zip(bbb, mdn, strict=True) for clip in pair]

    def mdn() -> list[object]:
        return [clip_frames(path, SIZE) for path in MDN]

    edits: dict[str, tuple[Callable[[], list[object]], list[Transition]]] = {
        "mdn-cuts": (mdn, [CUT] * 5),
        "dissolves": (mixed, [Transition("dissolve", n) for n in (8, 12, 16, 20, 24, 30, 12)]),
        "fades": (
            mixed,
            [
                Transition("fade", n, hold)
                for n, hold in ((6, 0), (8, 2), (10, 4), (12, 6), (15, 0), (20, 3), (10, 8))
            ],
        ),
        "mdn-dissolves": (mdn, [Transition("dissolve", n) for n in (8, 12, 16, 20, 24)]),
    }
    cases = [Case("bbb", BBB, BBB_CUTS)]
    for name, (clips, transitions) in edits.items():
        path = folder / f"{name}.mp4"
        cuts = write_montage(path, clips(), transitions, FPS, SIZE)  # type: ignore[arg-type]
        cases.append(Case(name, path, cuts))
        path.with_suffix(".cuts").write_text(" ".join(map(str, cuts)))
    return cases


def ours(detector: ContentDetector | TransNetV2Detector, **decode: bool) -> Detect:
    def detect(path: Path) -> list[int]:
        fps = probe(path).fps
        return detector.detect(decode_frames(path, detector.frame_size, **decode), fps)

    return detect


def timed(
    detectors: dict[str, Detect], path: Path, repeat: int
) -> dict[str, tuple[list[int], float]]:
    """Each detector's cuts in ``path`` and its fastest time. The runs of the detectors are
    interleaved, so that a burst of load elsewhere on the machine hits them alike; TransNetV2
    runs once."""
    results: dict[str, tuple[list[int], float]] = {}
    for round_ in range(max(1, repeat)):
        for label, detect in detectors.items():
            if round_ and "transnetv2" in label:
                continue
            started = time.perf_counter()
            found = detect(path)
            seconds = time.perf_counter() - started
            if label not in results or seconds < results[label][1]:
                results[label] = (found, seconds)
    return results


def pyscenedetect(kind: str) -> Detect:
    import scenedetect

    def detect(path: Path) -> list[int]:
        video = scenedetect.open_video(str(path))
        manager = scenedetect.SceneManager()
        manager.add_detector(getattr(scenedetect, kind)())
        manager.detect_scenes(video)
        return [start.frame_num for start, _ in manager.get_scene_list()[1:]]

    return detect


def pyscenedetect_backend() -> str:
    import scenedetect

    video = scenedetect.open_video(str(BBB))
    return f"{video.BACKEND_NAME} backend, scenedetect {scenedetect.__version__}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-transnet", action="store_true", help="skip TransNetV2 (slow on CPU)")
    parser.add_argument("--keep", type=Path, help="write the edited files here and keep them")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each fast detector; the best fps is shown"
    )
    args = parser.parse_args(argv)
    if not MEDIA.is_dir():
        raise SystemExit(f"benchmark media not found at {MEDIA}")
    warnings.simplefilter("ignore")  # PySceneDetect's and OpenCV's notices
    # The shots algo decodes for detection with skip_loop_filter (its fast_decode default).
    detectors: dict[str, Detect] = {
        "ours: content": ours(ContentDetector(), skip_loop_filter=True),
        "ours: content, full decode": ours(ContentDetector()),
    }
    if not args.no_transnet:
        transnet = TransNetV2Detector()
        detectors[f"ours: transnetv2 ({transnet.device})"] = ours(transnet, skip_loop_filter=True)
    detectors["pyscenedetect: ContentDetector"] = pyscenedetect("ContentDetector")
    detectors["pyscenedetect: AdaptiveDetector"] = pyscenedetect("AdaptiveDetector")

    with tempfile.TemporaryDirectory(prefix="reelsearch-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        cases = make_cases(folder)
        print(f"wrote {len(cases) - 1} edited files in {time.perf_counter() - started:.0f} s")
        print(f"PySceneDetect: {pyscenedetect_backend()}; ours: PyAV decoder\n", flush=True)
        header = (
            f"{'file':<14} {'frames':>6} {'detector':<33} {'P':>5} {'R':>5} {'F1':>5} {'fps':>7}"
        )
        print(header)
        print("-" * len(header))
        summary = []
        for case in cases:
            frames = probe(case.path).frame_count
            scores: dict[str, Score] = {}
            for label, (found, seconds) in timed(detectors, case.path, args.repeat).items():
                result = scores[label] = score(found, case.cuts, seconds, frames)
                print(
                    f"{case.name:<14} {frames:>6} {label:<33} {result.precision:>5.2f} "
                    f"{result.recall:>5.2f} {result.f1:>5.2f} {result.fps:>7.0f}",
                    flush=True,
                )
            print()
            summary.append(f"{case.name:<14} {targets(scores)}")
        print("targets (content vs the best PySceneDetect F1 and the faster one's fps):")
        print("\n".join(summary))


def targets(scores: dict[str, Score]) -> str:
    """How one file's results stand against the targets."""
    content = scores["ours: content"]
    theirs = [result for label, result in scores.items() if label.startswith("pyscenedetect")]
    best_f1 = max(result.f1 for result in theirs)
    fastest = max(result.fps for result in theirs)
    line = (
        f"content F1 {content.f1:.2f} vs {best_f1:.2f} "
        f"({'ok' if content.f1 >= best_f1 else 'BELOW'}), "
        f"speed {content.fps / fastest:.2f}x ({'ok' if content.fps >= 1.5 * fastest else 'BELOW'})"
    )
    transnet = [result for label, result in scores.items() if "transnetv2" in label]
    if transnet:
        ok = transnet[0].f1 >= content.f1
        line += f"; transnetv2 F1 {transnet[0].f1:.2f} ({'ok' if ok else 'BELOW'} content)"
    return line


if __name__ == "__main__":
    main()
