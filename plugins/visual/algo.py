"""The ``shot_embeddings`` algo: a visual embedding per shot, for text, image and shot search."""

from __future__ import annotations

import glob
import os
import sys

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.visual.record import ShotEmbedding, ShotWithMedia
from reelsearch.plugins.visual.sink import ShotEmbeddingsSink
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    Encoder,
    Resources,
    embed_shots,
    probe,
    sample_frames,
    short_side_size,
)


def gpus_here() -> float:
    """1 when this machine shows CUDA a GPU, else 0: what each run asks the executor for.

    Checked once, when the plugin loads, without importing torch (plugins load on every
    command): ``CUDA_VISIBLE_DEVICES`` hiding every device means none; otherwise an NVIDIA
    device node (``/dev/nvidia0``) means one. The check runs where the pipeline runs: a Ray
    driver on a CPU-only head node asks for no GPU, and its runs take CPU workers.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return 0.0
    torch = sys.modules.get("torch")
    if torch is not None:
        return 1.0 if torch.cuda.is_available() else 0.0
    return 1.0 if glob.glob("/dev/nvidia[0-9]*") else 0.0


class ShotEmbeddingsConfig(BaseModel):
    """Options of the ``shot_embeddings`` algo (``[components.algos.shot_embeddings]``)."""

    model_config = ConfigDict(extra="forbid")

    encoder: str = Field(default="clip", description="Encoder that embeds the frames.")
    frames_per_shot: int = Field(
        default=3, ge=1, description="Frames sampled evenly inside each shot and mean-pooled."
    )
    batch_size: int = Field(default=32, ge=1, description="Frames per encoder call.")
    frame_short_side: int = Field(
        default=224,
        ge=16,
        description="Frames are decoded at this shorter side, then resized and cropped by the "
        "encoder itself; 224 suits ViT-B-32, raise it for encoders with larger inputs.",
    )
    prefetch: int = Field(
        default=64, ge=1, description="Frames decoded ahead of the encoder, at most."
    )
    fast_decode: bool = Field(
        default=True,
        description="Skip the codec's deblocking filter while sampling: faster decoding, "
        "differences invisible at the encoder's input size.",
    )


class ShotEmbeddingsAlgo(Algo[ShotEmbedding, ShotEmbeddingsConfig]):
    """Samples frames evenly inside each shot, embeds them in batches while decoding runs
    ahead, and mean-pools them into one unit vector per shot."""

    name = "shot_embeddings"
    description = "Visual embedding per shot (mean-pooled frames), for text/image/shot search."
    version = "1"
    depends_on = ("shots",)
    resources = Resources(cpus=1, gpus=gpus_here())
    stateful = True  # on Ray, a pool of actors each keeps its encoder loaded

    def encoder(self) -> Encoder:
        """The configured encoder (its weights load on first use)."""
        encoder = self.component("encoder", self.config.encoder)
        assert isinstance(encoder, Encoder)
        return encoder

    def fingerprint(self, asset: Asset) -> str:
        """The encoder's identity (name, options, package versions, weight files), known
        without loading it: another model means other vectors."""
        return self.encoder().identity()

    def run(self, ctx: AlgoContext) -> list[ShotEmbedding]:
        settings = self.config
        shots = ctx.records("shots", ShotWithMedia)
        encoder = ctx.encoder(settings.encoder)
        media = ctx.asset.media or probe(ctx.asset.uri)
        vectors = embed_shots(
            encoder,
            ctx.asset.uri,
            shots,
            frames_per_shot=settings.frames_per_shot,
            batch_size=settings.batch_size,
            frame_size=short_side_size((media.width, media.height), settings.frame_short_side),
            prefetch=settings.prefetch,
            skip_loop_filter=settings.fast_decode,
            progress=ctx.progress,
        )
        return [
            ShotEmbedding(
                **shot.model_dump(),
                frames=sample_frames(shot.start_frame, shot.end_frame, settings.frames_per_shot),
                vector=vector.tolist(),
            )
            for shot, vector in zip(shots, vectors, strict=True)
            if vector is not None
        ]

    def sink(self) -> ShotEmbeddingsSink:
        return ShotEmbeddingsSink(self.name, self.version, self.encoder())
