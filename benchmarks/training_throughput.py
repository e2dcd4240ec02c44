"""Training throughput: shot-text pairs per second of ``reelsearch train``'s step (data loader,
mean-pooled shots, symmetric InfoNCE, AdamW, loss scaling and autocast on a GPU, temperature
clamp) against the bare forward and backward pass of the same model on the same batches, and
the share of time spent getting frames: decoded once into the feature store, then read back.

    python benchmarks/training_throughput.py     # ViT-B-32 on a GPU, a tiny CLIP on a CPU
    python benchmarks/training_throughput.py --model ViT-B-32 --pairs 64 --batch-size 32

No weights are downloaded: the model is the architecture with random weights, which costs
what trained weights cost. Target: with frames cached, the step's overhead over the bare pass
is at most 15%.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from reelsearch.core.features import FeatureStore
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.training.frames import FrameCache, FrameSampling
from reelsearch.training.model import contrastive_loss, load_clip, save_model_folder
from reelsearch.training.pairs import Skipped, pairs_from_manifest
from reelsearch.training.worker import load_pairs, train_step

TINY: dict[str, Any] = {
    "embed_dim": 64,
    "vision_cfg": {"image_size": 64, "patch_size": 16, "width": 128, "layers": 2},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}


def model_folder(folder: Path, name: str) -> Path:
    """A model folder of architecture ``name`` (``tiny`` or an open_clip name), random weights."""
    import open_clip

    config = TINY if name == "tiny" else open_clip.get_model_config(name)
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


def main() -> None:
    cuda = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ViT-B-32" if cuda else "tiny")
    parser.add_argument("--pairs", type=int, default=128 if cuda else 48)
    parser.add_argument("--batch-size", type=int, default=32 if cuda else 8)
    parser.add_argument("--epochs", type=int, default=3)
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

        def epoch() -> None:
            for batch in loader:
                train_step(model, tuple(t.to(device) for t in batch), optimizer, scaler)  # type: ignore[arg-type]

        batches = [tuple(t.to(device) for t in batch) for batch in loader]

        def bare(step: bool = False) -> None:
            for pixels, _, tokens in batches:
                with torch.autocast(device.type, enabled=cuda):
                    image, text, scale = model(image=pixels.flatten(0, 1), text=tokens)[:3]
                    frames = image.view(len(tokens), -1, image.shape[-1])[:, 0]
                    loss = contrastive_loss(frames.float(), text.float(), scale.float())
                loss.backward()
                if step:
                    optimizer.step()
                model.zero_grad(set_to_none=True)

        epoch()  # warm-up: allocator, kernels
        bare()
        steps = [timed(epoch, device) for _ in range(args.epochs)]
        bares = [timed(bare, device) for _ in range(args.epochs)]
        adams = [timed(lambda: bare(step=True), device) for _ in range(args.epochs)]
    seen = len(loader) * args.batch_size
    step_rate = [seen / s for s in steps]
    bare_rate = [seen / s for s in bares]
    epoch_s = statistics.median(steps)
    name = torch.cuda.get_device_name() if cuda else "CPU"
    print(f"{args.model} on {name}, {len(pairs)} pairs of 3 frames, batch {args.batch_size}")
    print(f"{'':44}{'median':>10}{'spread':>18}")
    print(f"{'train step (pairs/s)':44}{statistics.median(step_rate):10.1f}"
          f"{min(step_rate):9.1f}-{max(step_rate):.1f}")  # fmt: skip
    print(f"{'bare forward+backward (pairs/s)':44}{statistics.median(bare_rate):10.1f}"
          f"{min(bare_rate):9.1f}-{max(bare_rate):.1f}")  # fmt: skip
    adam_rate = [seen / s for s in adams]
    print(f"{'bare forward+backward+AdamW step (pairs/s)':44}{statistics.median(adam_rate):10.1f}"
          f"{min(adam_rate):9.1f}-{max(adam_rate):.1f}")  # fmt: skip
    for what, rate in (("bare pass", bare_rate), ("bare pass + AdamW", adam_rate)):
        overhead = statistics.median(rate) / statistics.median(step_rate) - 1
        print(f"{f'step overhead over the {what}':44}{100 * overhead:9.1f}%")
    print(f"{'decoding, once (s; pairs/s)':44}{decode_s:10.2f}{len(pairs) / decode_s:12.1f}/s")
    print(f"{'cache check on a rerun (s)':44}{hit_s:10.2f}")
    print(f"{'frames read from the cache, per worker (s)':44}{read_s:10.2f}")
    for epochs in (1, 10):
        total = decode_s + read_s + epochs * epoch_s
        share = 100 * (decode_s + read_s) / total
        cached = 100 * (hit_s + read_s) / (hit_s + read_s + epochs * epoch_s)
        print(f"{f'time getting frames, {epochs} epoch(s): first run / rerun':44}"
              f"{share:9.1f}%{cached:11.1f}%")  # fmt: skip


if __name__ == "__main__":
    main()
