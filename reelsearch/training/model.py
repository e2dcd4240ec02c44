"""The CLIP side of training: the model loaded as the ``clip`` encoder loads it, which of its
weights train, shots embedded as ``shot_embeddings`` embeds them (in torch, with gradients),
the symmetric InfoNCE loss, retrieval metrics on held-out pairs, and the model folder written
for the encoder to load.

Imports torch and open_clip; only training workers and the benchmark import this module.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from PIL import Image as PILImage
from torch.nn import functional

from reelsearch.evaluation import retrieval_metrics, target_ranks
from reelsearch.plugins.clip import ClipConfig, ClipEncoder, LoadedClip
from reelsearch.plugins.clip.weights import CONFIG_FILE, WEIGHTS_FILES
from reelsearch.training.frames import Frames
from reelsearch.training.pairs import TrainingError

Freeze = Literal["none", "image", "text"]

MAX_LOGIT_SCALE = math.log(100)
"""CLIP clamps its learnt temperature so that logits are scaled by at most 100."""
WEIGHTS_FILE = WEIGHTS_FILES[1]
_BLOCK = re.compile(r"(?:^|\.)resblocks\.(\d+)\.")
_STEM = {"conv1", "class_embedding", "positional_embedding", "ln_pre", "token_embedding"}
"""Parameters before a tower's blocks (patch and token embeddings): trained only in full."""


def load_clip(config: dict[str, Any]) -> LoadedClip:
    """The configured open_clip model in fp32 on the CPU, loaded by the ``clip`` encoder's own
    path (checkpoint file or folder, Hugging Face cache, hub), ready to train."""
    settings = ClipConfig(**{**config, "device": "cpu", "precision": "fp32"})
    clip = ClipEncoder(settings).load()
    clip.model.train()
    return clip


def tower_of(name: str) -> Literal["image", "text", "shared"]:
    """Which tower parameter ``name`` of an open_clip model belongs to."""
    if name.startswith("visual."):
        return "image"
    if name in {"logit_scale", "logit_bias"}:
        return "shared"
    return "text"


def set_trainable(model: torch.nn.Module, freeze: Freeze, train_last: int | None) -> list[str]:
    """Freeze a tower (``freeze``), or all but the last ``train_last`` transformer blocks of
    each tower and what follows them (final norm, projection); the temperature always trains.

    Returns:
        The names of the parameters that train.

    Raises:
        TrainingError: ``train_last`` is asked of a tower that has no transformer blocks.
    """
    names = dict(model.named_parameters())
    blocks: dict[str, int] = {}
    for name in names:
        match = _BLOCK.search(name)
        if match:
            tower = tower_of(name)
            blocks[tower] = max(blocks.get(tower, 0), int(match.group(1)) + 1)
    trained = []
    for name, parameter in names.items():
        tower = tower_of(name)
        keep = tower == "shared" or tower != freeze
        if keep and train_last is not None and tower != "shared":
            if tower not in blocks:
                raise TrainingError(
                    f"--train-last needs transformer blocks; the {tower} tower has none"
                )
            match = _BLOCK.search(name)
            if match:
                keep = int(match.group(1)) >= blocks[tower] - train_last
            else:
                keep = name.removeprefix("visual.").split(".")[0] not in _STEM
        parameter.requires_grad_(keep)
        if keep:
            trained.append(name)
    return trained


def parameter_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups as CLIP trains: weight decay on weight matrices only, never on gains,
    biases, embeddings or the temperature."""
    decay, rest = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        exempt = parameter.ndim < 2 or "embedding" in name or "logit_" in name
        (rest if exempt else decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


@dataclass
class PairTensors:
    """Pairs as tensors: ``pixels`` ``(n, frames, 3, side, side)``, ``mask`` ``(n, frames)``
    (1 for a real frame, 0 for padding), ``tokens`` ``(n, context)``."""

    pixels: torch.Tensor
    mask: torch.Tensor
    tokens: torch.Tensor


def pair_tensors(
    clip: LoadedClip, frames: Sequence[Frames], captions: Sequence[str], frames_per_shot: int
) -> PairTensors:
    """The model's inputs for each pair: its frames through the model's own preprocessing
    (the batched centre crop where it applies, as the encoder does) and its caption tokens."""
    rows, masks = [], []
    for shot in frames:
        images = list(shot)
        if clip.crop is not None and clip.crop.fits(images):
            pixels = clip.crop(images)
        else:
            pixels = torch.stack([clip.preprocess(PILImage.fromarray(i)) for i in images])
        count = min(len(pixels), frames_per_shot)
        padded = torch.zeros((frames_per_shot, *pixels.shape[1:]), dtype=torch.float32)
        padded[:count] = pixels[:count]
        mask = torch.zeros(frames_per_shot)
        mask[:count] = 1
        rows.append(padded)
        masks.append(mask)
    tokens = clip.tokenizer(list(captions))
    return PairTensors(torch.stack(rows), torch.stack(masks), tokens)


def embed_pairs(
    model: torch.nn.Module, pixels: torch.Tensor, mask: torch.Tensor, tokens: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """Shot vectors (each frame's unit vector, mean-pooled over the shot's frames and
    normalised again: the ``shot_embeddings`` algo's pooling), caption vectors and the
    temperature, through the model's ``forward`` (so a DDP-wrapped model works)."""
    count, frames = mask.shape
    image, text, scale = model(image=pixels.flatten(0, 1), text=tokens)[:3]
    weights = mask.to(image.dtype).unsqueeze(-1)
    pooled = (image.view(count, frames, -1) * weights).sum(1) / weights.sum(1).clamp(min=1)
    return functional.normalize(pooled, dim=-1), text, scale


def contrastive_loss(shots: torch.Tensor, texts: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE: cross-entropy of shots over captions and captions over shots, each
    pair's own the target, logits scaled by the learnt temperature."""
    logits = scale * shots @ texts.T
    labels = torch.arange(len(shots), device=shots.device)
    return (
        functional.cross_entropy(logits, labels) + functional.cross_entropy(logits.T, labels)
    ) / 2


def clamp_temperature(model: torch.nn.Module) -> None:
    """Keep ``logit_scale`` in ``[0, ln 100]`` after a step, as CLIP does."""
    with torch.no_grad():
        unwrap(model).logit_scale.clamp_(0, MAX_LOGIT_SCALE)


def unwrap(model: torch.nn.Module) -> Any:
    """The open_clip model inside a DDP wrapper (or the model itself)."""
    return getattr(model, "module", model)


@torch.no_grad()
def held_out_metrics(
    model: torch.nn.Module,
    data: PairTensors,
    targets: Sequence[int],
    device: torch.device,
    batch_size: int = 64,
) -> dict[str, float | int]:
    """Text-to-shot retrieval on held-out pairs: each caption ranks the distinct shots;
    R@1/5/10, median and mean rank, mAP (:mod:`reelsearch.evaluation`)."""
    inner = unwrap(model)
    was_training = inner.training
    inner.eval()
    shots, texts = [], []
    for start in range(0, len(data.tokens), batch_size):
        part = slice(start, start + batch_size)
        shot, text, _ = embed_pairs(
            inner,
            data.pixels[part].to(device),
            data.mask[part].to(device),
            data.tokens[part].to(device),
        )
        shots.append(shot.float().cpu())
        texts.append(text.float().cpu())  # type: ignore[union-attr]
    inner.train(was_training)
    shot_matrix, text_matrix = torch.cat(shots).numpy(), torch.cat(texts).numpy()
    candidates = sorted(set(targets))
    column = {pair: index for index, pair in enumerate(candidates)}
    scores = text_matrix @ shot_matrix[candidates].T
    ranks = target_ranks(scores, [column[t] for t in targets])
    return retrieval_metrics(np.asarray(ranks)).as_dict()


def model_folder_config(model_cfg: dict[str, Any], model: torch.nn.Module) -> dict[str, Any]:
    """``open_clip_config.json`` of a model folder: the architecture and the preprocessing the
    loaded model used."""
    preprocess = dict(getattr(unwrap(model).visual, "preprocess_cfg", {}) or {})
    return {"model_cfg": model_cfg, "preprocess_cfg": preprocess}


def save_model_folder(folder: Path, config: dict[str, Any], model: torch.nn.Module) -> None:
    """Write ``folder`` as an open_clip model folder: the config and fp32 weights."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    state = {k: v.detach().float().cpu() for k, v in unwrap(model).state_dict().items()}
    torch.save(state, folder / WEIGHTS_FILE)


def load_weights(model: torch.nn.Module, folder: Path) -> None:
    """Load the weights :func:`save_model_folder` wrote into ``model``."""
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    unwrap(model).load_state_dict(state)
