"""Small open_clip models built on the spot and saved the way open_clip publishes them (a
folder with ``open_clip_config.json`` and ``open_clip_pytorch_model.bin``), so tests load
them through the clip encoder's real loading path. No CLIP weights exist on this machine.

The image tower of :func:`save_layout_clip` is set, not trained, to a classic image-retrieval
baseline: the image shrunk to 16x16 by the model's own preprocessing, mean-centred and
normalised ("tiny image" colour layout). Random weights would make every frame of real footage
look alike; this tower tells real clips apart well enough to check search plumbing on them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SIDE = 16
"""Input size of the layout model: one 16x16 patch is the whole image."""

LAYOUT_CONFIG: dict[str, Any] = {
    "embed_dim": SIDE * SIDE * 3,
    "vision_cfg": {
        "image_size": SIDE,
        "patch_size": SIDE,
        "width": SIDE * SIDE * 3,
        "layers": 1,
        "pool_type": "avg",
    },
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


def save_clip(folder: Path, config: dict[str, Any], seed: int = 0, **tune: Any) -> Path:
    """Build an open_clip CLIP from ``config`` (random weights from ``seed``), let ``tune``
    adjust it, and save it as a model folder."""
    import open_clip
    import torch

    torch.manual_seed(seed)
    model = open_clip.CLIP(**config)
    for tuner in tune.values():
        tuner(model)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": config}))
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder


def _layout_tower(model: Any) -> None:
    """Make the image tower pass the 16x16 image through unchanged up to its final LayerNorm
    (which mean-centres and scales it) and an identity projection."""
    import torch

    visual = model.visual
    width = visual.conv1.out_channels
    with torch.no_grad():
        visual.conv1.weight.copy_(torch.eye(width).reshape(visual.conv1.weight.shape))
        visual.class_embedding.zero_()
        visual.positional_embedding.zero_()
        for block in visual.transformer.resblocks:  # residual branches off: identity blocks
            block.attn.out_proj.weight.zero_()
            block.attn.out_proj.bias.zero_()
            block.mlp.c_proj.weight.zero_()
            block.mlp.c_proj.bias.zero_()
        visual.proj.copy_(torch.eye(width))


def save_layout_clip(folder: Path) -> Path:
    """A CLIP whose image vectors are tiny-image colour layouts; random text tower."""
    return save_clip(folder, LAYOUT_CONFIG, layout=_layout_tower)
