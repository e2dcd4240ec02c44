"""Training throughput: shot-text pairs per second of ``reelsearch train``'s step against the
same model's bare step, and the share of time spent getting frames.

- reference: forward (mean-pooled shots, symmetric InfoNCE), backward and the same AdamW step
  (``train_step``) on batches already in memory as tensors;
- ours: the training loop as a Ray Train worker runs it: frames read back from the feature
  store's cache into tensors (once per worker, amortised over the epochs), the data loader's
  shuffling and collation each step, then the same ``train_step``;
- decoding: the first run decodes every video once into the cache; later epochs and reruns
  never decode. The share of time spent getting frames is given for the first epoch (decode,
  read back, train) and for a cached epoch (the loader's collation alone).

Steps of ours and of the reference alternate (one each, same batch size), so load on a shared
machine hits both alike; rates are medians over steps.

    python benchmarks/training_throughput.py     # ViT-B-32 on a GPU, a small ViT on a CPU
    python benchmarks/training_throughput.py --model ViT-B-32 --pairs 64 --batch-size 32

No weights are downloaded: the model is the architecture with random weights, which costs
what trained weights cost. Target: with frames cached, overhead over the reference <= 15%.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from reelsearch.core.features import FeatureStore
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.training.frames import FrameCache, FrameSampling
from reelsearch.training.model import load_clip, save_model_folder
from reelsearch.training.pairs import Skipped, pairs_from_manifest
from reelsearch.training.worker import load_pairs, train_step

SMALL: dict[str, Any] = {
    "embed_dim": 256,
    "vision_cfg": {"image_size": 112, "patch_size": 16, "width": 384, "layers": 4},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 256, "heads": 4, "layers": 4},
}
"""ViT-B-32's shape made smaller for a CPU: patch transformer, 49,408-token vocabulary (CLIP's
own), 4 blocks per tower; 7x7 patches of 16 pixels (ViT-B-32 at 224: 7x7 of 32)."""


def model_folder(folder: Path, name: str) -> Path:
    """A model folder of architecture ``name`` (``small`` or an open_clip name), random weights."""
    import open_clip

    config = SMALL if name == "small" else open_clip.get_model_config(name)
    torch.manual_seed(0)
    model = open_clip.CLIP(**config)
    save_model_folder(folder, {"model_cfg": config, "preprocess_cfg": {}}, model)
    return folder


def clips(folder: Path, count: int) -> Path:
    """``count`` two-second 640x360 clips of two colours, and their manifest."""
    colours = list(PALETTE)
    rows = []
    for index in range(count):
        first, second = colours[index % len(colours)], colours[(index + 3) % len(colours)]
        name = f"clip{index:03d}.mp4"
        write_video(folder / name, [(PALETTE[first], 24), (PALETTE[second], 24)], size=(640, 360))
        rows.append({"video": name, "caption": f"{first} then {second} number {index}"})
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return manifest


def timed(fn: Any, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):10.1f}{min(values):10.1f}-{max(values):.1f}"


def main() -> None:
    cuda = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ViT-B-32" if cuda else "small")
    parser.add_argument("--pairs", type=int, default=128 if cuda else 48)
    parser.add_argument("--batch-size", type=int, default=32 if cuda else 8)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs of each side")
    args = parser.parse_args()
    device = torch.device("cuda" if cuda else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = clips(root / "clips", args.pairs)
        clip = load_clip({"checkpoint": str(model_folder(root / "model", args.model))})
        side = getattr(clip.crop, "side", 224)
        sampling = FrameSampling(frames_per_shot=3, frame_short_side=side, fast_decode=True)
        pairs = pairs_from_manifest(manifest, Skipped())
        cache = FrameCache(FeatureStore(root / "features"), sampling)
        decode_s = timed(lambda: cache.ensure(pairs, Skipped()), device)
        hit_s = timed(lambda: cache.ensure(pairs, Skipped()), device)
        began = time.perf_counter()
        data = load_pairs(cache, pairs, clip)
        read_s = time.perf_counter() - began

        model = clip.model.to(device)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], 1e-5)
        scaler = torch.amp.GradScaler("cuda", enabled=cuda)
        dataset = torch.utils.data.TensorDataset(data.pixels, data.mask, data.tokens)
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=args.batch_size, shuffle=True, drop_last=True
        )
        in_memory = [tuple(t.to(device) for t in batch) for batch in loader]

        def our_step(steps: Iterator[list[torch.Tensor]], collated: list[float]) -> None:
            batch = tuple(t.to(device) for t in next(steps))
            collated.append(time.perf_counter())
            train_step(model, batch, optimizer, scaler)  # type: ignore[arg-type]

        def reference_step(batch: tuple[torch.Tensor, ...]) -> None:
            train_step(model, batch, optimizer, scaler)  # type: ignore[arg-type]

        def epoch(times: tuple[list[float], list[float], list[float]] | None) -> None:
            """One epoch of ours, each of its steps next to one step of the reference on an
            in-memory batch, so both see the same load at nearly the same moment."""
            steps = iter(loader)
            for index in range(len(loader)):
                collated: list[float] = []
                ours = functools.partial(our_step, steps, collated)
                reference = functools.partial(reference_step, in_memory[index])
                if index % 2:  # which goes first alternates too
                    reference_s = timed(reference, device)
                    began = time.perf_counter()
                    our_s = timed(ours, device)
                else:
                    began = time.perf_counter()
                    our_s = timed(ours, device)
                    reference_s = timed(reference, device)
                if times is not None:
                    times[0].append(our_s)
                    times[1].append(reference_s)
                    times[2].append(collated[0] - began)

        epoch(None)  # warm-up: allocator, kernels, optimiser state
        times: tuple[list[float], list[float], list[float]] = ([], [], [])
        for _ in range(args.epochs):
            epoch(times)
        our_s, reference_s, collate_s = times
    seen = args.batch_size
    our_rate = [seen / s for s in our_s]
    reference_rate = [seen / s for s in reference_s]
    epoch_s = statistics.median(our_s) * len(loader)
    overhead = statistics.median(reference_rate) / statistics.median(our_rate) - 1
    name = torch.cuda.get_device_name() if cuda else f"CPU ({torch.get_num_threads()} threads)"
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f"{args.model} ({params:.1f}M parameters) on {name}, {len(pairs)} pairs of 3 frames "
          f"at {side}px, batch {args.batch_size}, {args.epochs} timed epochs")  # fmt: skip
    print(f"{'':52}{'median':>10}{'range':>16}")
    print(f"{'reference: in-memory step (pairs/s)':52}{spread(reference_rate)}")
    print(f"{'ours: cached frames, loader, step (pairs/s)':52}{spread(our_rate)}")
    print(f"{'overhead of ours over the reference, cached':52}{100 * overhead:9.1f}%")
    for epochs in (1, 10):
        amortised = seen * len(loader) / (epoch_s + read_s / epochs)
        extra = statistics.median(reference_rate) / amortised - 1
        print(f"{f'  with the cache read once per {epochs} epoch(s)':52}{100 * extra:9.1f}%")
    print(f"{'decoding, once (s; pairs/s)':52}{decode_s:10.2f}{len(pairs) / decode_s:10.1f}/s")
    print(f"{'cache check on a rerun (s)':52}{hit_s:10.2f}")
    print(f"{'frames read back from the cache, per worker (s)':52}{read_s:10.2f}")
    first = 100 * (decode_s + read_s) / (decode_s + read_s + epoch_s)
    cached = 100 * statistics.median(collate_s) / statistics.median(our_s)
    print(f"{'time getting frames: first epoch (decode + read)':52}{first:9.1f}%")
    print(f"{'time getting frames: a cached epoch (collation)':52}{cached:9.1f}%")


if __name__ == "__main__":
    main()
