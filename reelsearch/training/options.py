"""What a training run is asked to do, and where it keeps its state."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelsearch.core.errors import validation_problems
from reelsearch.core.features import FeatureStore
from reelsearch.training.pairs import TrainingError

RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
RUN_FILE = "run.json"
"""The run's options, model and pairs, written before training starts; ``--resume`` reads it."""
HISTORY_FILE = "history.json"
"""Metrics per epoch, rewritten by the first worker after each epoch."""


class TrainOptions(BaseModel):
    """Options of ``reelsearch train``."""

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(default=5, ge=1, le=10_000, description="Passes over the training pairs.")
    batch_size: int = Field(default=32, ge=2, le=65_536, description="Pairs per step and worker.")
    lr: float = Field(default=1e-5, gt=0, le=1.0, description="Peak learning rate (AdamW).")
    weight_decay: float = Field(default=0.2, ge=0, le=10, description="AdamW weight decay.")
    warmup: int = Field(default=0, ge=0, description="Steps of linear warmup, then cosine decay.")
    seed: int = Field(default=0, description="Seed of the split, the shuffling and the init.")
    held_out: float = Field(
        default=0.2, ge=0, lt=1, description="Share of the videos held out for the metrics."
    )
    freeze: Literal["none", "image", "text"] = Field(default="none", description="Tower kept.")
    train_last: int | None = Field(
        default=None, ge=1, description="Train only the last N blocks of each tower (and heads)."
    )
    workers: int = Field(default=1, ge=1, le=1024, description="Ray Train workers.")
    gpu: bool = Field(default=False, description="One GPU per worker, mixed precision.")
    precision: Literal["fp16", "bf16"] = Field(
        default="fp16", description="Autocast type on a GPU (the CPU trains in fp32)."
    )

    @classmethod
    def of(cls, **values: Any) -> TrainOptions:
        """Validated options; a bad value is one :class:`TrainingError` naming it."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise TrainingError(f"invalid training options: {validation_problems(exc)}") from None


class RunFolder:
    """``<features>/training/<run>``: Ray Train's checkpoints, the run and its history.

    Args:
        store: The feature store whose location holds training runs.
        name: The run's name (letters, digits, ``._-``).
    """

    def __init__(self, store: FeatureStore, name: str) -> None:
        if not RUN_NAME.match(name):
            raise TrainingError(
                f"run name {name!r}: use letters, digits, '.', '_' or '-' (100 at most)"
            )
        self.store = store
        self.name = name
        self.parent = f"{store.root}/training"
        self.path = f"{self.parent}/{name}"

    @property
    def url(self) -> str:
        """Where the run is, as the user would write it."""
        protocol = self.store.fs.protocol
        scheme = protocol[0] if isinstance(protocol, tuple | list) else protocol
        return self.path if scheme in ("file", "local") else f"{scheme}://{self.path}"

    def exists(self) -> bool:
        return bool(self.store.fs.exists(f"{self.path}/{RUN_FILE}"))

    def read(self, name: str) -> Any:
        """The JSON file ``name`` of the run, or ``None`` if absent or unreadable."""
        try:
            return json.loads(self.store.fs.cat_file(f"{self.path}/{name}"))
        except (OSError, ValueError):
            return None

    def write(self, name: str, value: Any) -> None:
        """Write the JSON file ``name`` of the run (whole, in one put)."""
        self.store.fs.makedirs(self.path, exist_ok=True)
        self.store.fs.pipe_file(f"{self.path}/{name}", json.dumps(value, indent=1).encode())

    def ray_storage(self) -> dict[str, Any]:
        """``RunConfig`` arguments that keep Ray Train's checkpoints in this folder: a local
        path as it is, any other fsspec location through pyarrow's fsspec handler."""
        if self.url == self.path:
            return {"storage_path": self.parent}
        from pyarrow.fs import FSSpecHandler, PyFileSystem

        return {
            "storage_path": self.parent,
            "storage_filesystem": PyFileSystem(FSSpecHandler(self.store.fs)),
        }
