"""The training loop each Ray Train worker runs (``TorchTrainer``'s ``train_loop_per_worker``).

Every worker reads the pairs' frames from the feature store's cache (never decoding), builds
its tensors once, and trains the model Ray Train prepared (DDP across workers, on the worker's
device). The first worker measures held-out retrieval before training and after each epoch,
and reports a checkpoint per epoch: a model folder (``open_clip_config.json`` and weights,
loadable by the ``clip`` encoder) plus the optimiser's state. Started again on the same run,
it resumes after the last reported epoch.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

import ray.train
import ray.train.torch
import torch

from reelsearch.core.features import FeatureStore
from reelsearch.training.frames import FrameCache, FrameSampling
from reelsearch.training.model import (
    PairTensors,
    clamp_temperature,
    contrastive_loss,
    embed_pairs,
    held_out_metrics,
    load_clip,
    load_weights,
    model_folder_config,
    pair_tensors,
    parameter_groups,
    save_model_folder,
    set_trainable,
    unwrap,
)
from reelsearch.training.options import HISTORY_FILE, RunFolder, TrainOptions
from reelsearch.training.pairs import HELD_OUT, ShotText

STATE_FILE = "train_state.pt"
"""Optimiser, schedule, scaler and history in a checkpoint, next to the model folder's files."""


def load_pairs(cache: FrameCache, pairs: list[ShotText], clip: Any) -> PairTensors:
    """The tensors of ``pairs``, from their cached frames."""
    frames = [cache.load(pair) for pair in pairs]
    captions = [pair.caption for pair in pairs]
    return pair_tensors(clip, frames, captions, cache.sampling.frames_per_shot)


def shot_targets(pairs: list[ShotText]) -> list[int]:
    """For each pair, the index of the first pair showing the same frames (its shot)."""
    first: dict[tuple[str, int, int], int] = {}
    return [
        first.setdefault((p.content_hash, p.start_frame, p.end_frame), i)
        for i, p in enumerate(pairs)
    ]


def schedule(warmup: int, total: int) -> Any:
    """Linear warmup over ``warmup`` steps, then cosine decay to 0 at step ``total``."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def train_step(
    model: torch.nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    dtype: torch.dtype = torch.float16,
) -> float:
    """One step on a batch of pairs (pixels, frame mask, tokens) on the model's device:
    autocast and loss scaling on a GPU, then the temperature clamped. Returns the loss."""
    pixels, mask, tokens = batch
    cuda = pixels.device.type == "cuda"
    with torch.autocast(pixels.device.type, dtype=dtype, enabled=cuda):
        shots, texts, scale = embed_pairs(model, pixels, mask, tokens)
        loss = contrastive_loss(shots.float(), texts.float(), scale.float())  # type: ignore[union-attr]
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    clamp_temperature(model)
    return float(loss.detach())


def train_loop(config: dict[str, Any]) -> None:
    """Train on the run ``config`` describes (see :func:`reelsearch.training.run.train`)."""
    options = TrainOptions(**config["options"])
    context = ray.train.get_context()
    rank, world = context.get_world_rank(), context.get_world_size()
    torch.manual_seed(options.seed)
    device = ray.train.torch.get_device()
    store = FeatureStore(config["features"])
    folder = RunFolder(store, config["run"])
    cache = FrameCache(store, FrameSampling(**config["sampling"]))
    pairs = [ShotText(**pair) for pair in config["pairs"]]
    training = [pair for pair in pairs if pair.split != HELD_OUT]
    held = [pair for pair in pairs if pair.split == HELD_OUT]

    clip = load_clip(config["clip"])
    set_trainable(clip.model, options.freeze, options.train_last)
    data = load_pairs(cache, training, clip)
    held_data = load_pairs(cache, held, clip) if held and rank == 0 else None
    targets = shot_targets(held)
    folder_config = model_folder_config(config["model_cfg"], clip.model)

    model = ray.train.torch.prepare_model(clip.model)
    dataset = torch.utils.data.TensorDataset(data.pixels, data.mask, data.tokens)
    generator = torch.Generator()
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=options.batch_size, shuffle=True, drop_last=True, generator=generator
    )
    loader = ray.train.torch.prepare_data_loader(loader)
    steps_per_epoch = max(1, len(loader))
    optimizer = torch.optim.AdamW(parameter_groups(model, options.weight_decay), lr=options.lr)
    lr_factor = schedule(options.warmup, steps_per_epoch * options.epochs)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    amp = device.type == "cuda"
    dtype = torch.bfloat16 if options.precision == "bf16" else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=amp and dtype == torch.float16)

    history: list[dict[str, Any]] = []
    start = 1
    checkpoint = ray.train.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as saved:
            load_weights(model, Path(saved))
            state = torch.load(Path(saved) / STATE_FILE, map_location="cpu", weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        history, start = state["history"], state["epoch"] + 1
    elif rank == 0:
        before = _measure(model, held_data, targets, device)
        history.append({"epoch": 0, "loss": None, **before})
        folder.write(HISTORY_FILE, history)

    for epoch in range(start, options.epochs + 1):
        generator.manual_seed(options.seed * 100_003 + epoch)  # the same order when resumed
        sampler = getattr(loader, "sampler", None)
        if world > 1 and hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        began, losses, seen = time.perf_counter(), [], 0
        for pixels, mask, tokens in loader:
            losses.append(train_step(model, (pixels, mask, tokens), optimizer, scaler, dtype))
            scheduler.step()
            seen += len(tokens)
        seconds = time.perf_counter() - began
        metrics: dict[str, Any] = {
            "epoch": epoch,
            "loss": sum(losses) / max(1, len(losses)),
            "pairs_per_s": seen * world / seconds if seconds > 0 else 0.0,
            "temperature": float(unwrap(model).logit_scale.exp()),
            "lr": scheduler.get_last_lr()[0],
        }
        if rank == 0:
            metrics |= _measure(model, held_data, targets, device)
            history.append(metrics)
        with tempfile.TemporaryDirectory() as saved:
            if rank == 0:
                save_model_folder(Path(saved), folder_config, model)
                state = {
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "scaler": scaler.state_dict(),
                    "epoch": epoch,
                    "history": history,
                }
                torch.save(state, Path(saved) / STATE_FILE)
                report = ray.train.Checkpoint.from_directory(saved)
                ray.train.report(metrics, checkpoint=report)
                folder.write(HISTORY_FILE, history)
            else:
                ray.train.report(metrics, checkpoint=None)


def _measure(
    model: torch.nn.Module, data: PairTensors | None, targets: list[int], device: torch.device
) -> dict[str, Any]:
    if data is None:
        return {}
    return held_out_metrics(model, data, targets, device)
