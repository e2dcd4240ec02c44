"""Shot embedding throughput: the whole ingest path against the bare model, in one run.

A long video of hundreds of solid-colour shots (with a moving square, 640x360, H.264) is
generated, then ingested on the embedded defaults (Qdrant Edge, in-process executor) with the
``shots`` and ``shot_embeddings`` algos and the ``clip`` encoder. Measured:

- **ingest path**: images per second of the ``shot_embeddings`` step: decoding every frame of
  the video (in the prefetch thread), the encoder's own resize, crop and normalisation, the
  forward passes, mean-pooling, and writing the vectors to the store;
- **bare forward**: images per second of ``model.encode_image`` alone on already-preprocessed
  224x224 tensors, at the same batch size, on the same model, just before and just after the
  ingest (the faster counts);
- the **overhead** of the first over the second (target: at most 15%), and the wall time of the
  whole ingest (shot detection, thumbnails, embeddings, store).

Each figure is the best of ``--rounds`` runs (each round a fresh runtime whose config differs
only in prefetch depth, so the feature store does not answer). The CPU time (all threads of
this process) shows the work itself, which other processes on a shared machine inflate far
less than the wall time.

The model defaults to open_clip ViT-B-32 with random weights, built here and saved as a model
folder that the encoder loads the real way: no weights can be downloaded here, and throughput
does not depend on the weights. ``--model``, ``--pretrained`` or ``--checkpoint`` measure real
weights instead. Runs on the CPU unless ``--device`` says otherwise.

Run: ``python benchmarks/embedding_throughput.py`` (about 4 minutes on 2 cores;
``--shots 60 --rounds 1`` for a quick look).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reelsearch.core.config import Settings, load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.models import Asset
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.clip import ClipEncoder
from reelsearch.plugins.visual import COLLECTION

SIZE = (640, 360)
FPS = 24


@dataclass(frozen=True)
class Clock:
    """Wall and CPU (all threads of this process) time at one moment."""

    wall: float
    cpu: float

    @classmethod
    def now(cls) -> Clock:
        return cls(time.perf_counter(), time.process_time())


@dataclass(frozen=True)
class Measured:
    """Images done between two moments. CPU seconds are the work itself, which other
    processes on a shared machine inflate far less than the wall time."""

    what: str
    images: int
    start: Clock
    end: Clock

    @property
    def seconds(self) -> float:
        return self.end.wall - self.start.wall

    @property
    def cpu_seconds(self) -> float:
        return self.end.cpu - self.start.cpu

    @property
    def cpu_ms_per_image(self) -> float:
        return 1000 * self.cpu_seconds / self.images

    @property
    def rate(self) -> float:
        return self.images / self.seconds


def long_video(path: Path, shots: int, seconds_per_shot: float) -> Path:
    """``shots`` solid-colour shots of ``seconds_per_shot`` each, every cut a colour change."""
    colours = list(PALETTE.values())
    frames = max(2, round(seconds_per_shot * FPS))
    segments = [(colours[i % len(colours)], frames) for i in range(shots)]
    return write_video(path, segments, size=SIZE, fps=FPS, moving_square=True)


def random_vit(folder: Path, model: str) -> Path:
    """An open_clip model folder with random weights of the built-in architecture ``model``."""
    import open_clip
    import torch

    config = open_clip.get_model_config(model)
    logging.disable(logging.WARNING)  # open_clip warns that the weights are random: intended
    try:
        clip = open_clip.create_model(model, pretrained=None)
    finally:
        logging.disable(logging.NOTSET)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": config}))
    torch.save(clip.state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder


def bare_forward(encoder: ClipEncoder, images: int, batch_size: int) -> Measured:
    """``encode_image`` alone on preprocessed tensors, ``batch_size`` at a time."""
    import torch

    clip = encoder.load()
    side = clip.model.visual.image_size
    side = side[0] if isinstance(side, tuple) else side
    batch = torch.randn(batch_size, 3, side, side).to(clip.device, dtype=clip.dtype)
    with torch.inference_mode():
        clip.model.encode_image(batch)  # warm-up
        done = 0
        started = Clock.now()
        while done < images:
            count = min(batch_size, images - done)
            clip.model.encode_image(batch[:count]).float().cpu()
            done += count
        if clip.device.type == "cuda":
            torch.cuda.synchronize()
    return Measured(f"bare encode_image, batch {batch_size}", images, started, Clock.now())


def ingest(rs: Runtime, video: Path) -> tuple[float, Measured]:
    """Ingest ``video``: the wall seconds of the whole ingest, and the shot_embeddings step."""
    starts: dict[str, Clock] = {}

    def on_step(algo: str, asset: Asset) -> None:
        starts[algo] = Clock.now()

    started = Clock.now()
    (report,) = rs.ingest([video], algos=["shot_embeddings"], on_step=on_step).reports
    ended = Clock.now()
    if report.skipped:
        raise SystemExit(f"could not embed: {report.skipped}")
    points, _ = rs.store.scroll(COLLECTION, limit=100_000)
    images = sum(len(point.payload["frames"]) for point in points)
    step = Measured("ingest path (shot_embeddings step)", images, starts["shot_embeddings"], ended)
    return ended.wall - started.wall, step


@dataclass(frozen=True)
class Round:
    """One measurement of both, on one loaded model."""

    whole: float
    path: Measured
    bare: Measured


BARE_IMAGES = 320
"""Images per bare-forward measurement: enough for a steady rate."""


def measure(settings: Settings, video: Path, batch_size: int) -> Round:
    """Time the bare forward, ingest ``video``, and time the bare forward again (the model
    loaded and warmed up first, untimed); the faster bare forward counts, so a burst of load
    from elsewhere on the machine does not flatter the ingest path."""
    with Runtime(settings, executor=LocalExecutor()) as rs:
        encoder = rs.component("encoder", "clip")
        assert isinstance(encoder, ClipEncoder)
        encoder.encode_images([np.zeros((224, 224, 3), np.uint8)])  # loads, warms up
        before = bare_forward(encoder, BARE_IMAGES, batch_size)
        whole, path = ingest(rs, video)
        after = bare_forward(encoder, BARE_IMAGES, batch_size)
    return Round(whole, path, min(before, after, key=lambda m: m.seconds))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--shots", type=int, default=200, help="Shots in the long video.")
    parser.add_argument("--seconds-per-shot", type=float, default=1.0)
    parser.add_argument("--frames-per-shot", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32, help="Images per forward pass.")
    parser.add_argument("--rounds", type=int, default=2, help="Best of this many rounds.")
    parser.add_argument("--model", default="ViT-B-32", help="open_clip architecture.")
    parser.add_argument("--pretrained", help="open_clip pretrained tag (real weights).")
    parser.add_argument("--checkpoint", type=Path, help="Local weights file or model folder.")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "mps", "auto"])
    parser.add_argument("--json", type=Path, help="Also write the measurements as JSON here.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="reelsearch-bench-") as scratch:
        work = Path(scratch)
        started = Clock.now()
        video = long_video(work / "long.mp4", args.shots, args.seconds_per_shot)
        print(
            f"generated {args.shots} shots in {Clock.now().wall - started.wall:.0f} s", flush=True
        )
        clip: dict[str, Any] = {"model": args.model, "device": args.device}
        if args.checkpoint or args.pretrained:
            clip.update(pretrained=args.pretrained, checkpoint=args.checkpoint)
        else:
            clip.update(pretrained=None, checkpoint=random_vit(work / "model", args.model))
        rounds = []
        for number in range(args.rounds):
            # Another prefetch depth (same work) per round, so the memo does not answer.
            embeddings = {
                "frames_per_shot": args.frames_per_shot,
                "batch_size": args.batch_size,
                "prefetch": 64 + number,
            }
            settings = load_settings(
                home=work / "home",
                store_url=None,
                components={"encoders": {"clip": clip}, "algos": {"shot_embeddings": embeddings}},
            )
            rounds.append(measure(settings, video, args.batch_size))
            print(f"round {number + 1}/{args.rounds} done", flush=True)
    path = min((r.path for r in rounds), key=lambda m: m.seconds)
    bare = min((r.bare for r in rounds), key=lambda m: m.seconds)
    overhead = bare.rate / path.rate - 1
    cpu_overhead = path.cpu_ms_per_image / bare.cpu_ms_per_image - 1
    header = ("measurement", "images", "seconds", "images/s", "overhead")
    header += ("CPU ms/image", "CPU overhead")
    rows = [
        (
            bare.what,
            str(bare.images),
            f"{bare.seconds:.1f}",
            f"{bare.rate:.1f}",
            "-",
            f"{bare.cpu_ms_per_image:.0f}",
            "-",
        ),
        (
            path.what,
            str(path.images),
            f"{path.seconds:.1f}",
            f"{path.rate:.1f}",
            f"{overhead:+.1%}",
            f"{path.cpu_ms_per_image:.0f}",
            f"{cpu_overhead:+.1%}",
        ),
    ]
    print(f"\n{args.model} on {args.device}, best of {args.rounds} rounds:\n")
    print(table(rows, header))
    each = ", ".join(f"{r.bare.rate / r.path.rate - 1:+.1%}" for r in rounds)
    print(f"overhead of each round: {each}")
    print(
        f"\nwhole ingest of {args.shots} shots ({args.shots * args.seconds_per_shot:.0f} s of "
        f"{SIZE[0]}x{SIZE[1]} video: shots, thumbnails, embeddings, store): "
        f"{rounds[0].whole:.1f} s"
    )
    if args.json:
        results = {
            "model": args.model,
            "device": args.device,
            "bare_images_per_s": bare.rate,
            "ingest_images_per_s": path.rate,
            "overhead": overhead,
            "cpu_overhead": cpu_overhead,
            "whole_ingest_s": rounds[0].whole,
            "shots": args.shots,
        }
        args.json.write_text(json.dumps(results, indent=1) + "\n")


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
