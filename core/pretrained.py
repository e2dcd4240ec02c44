"""Loading pretrained models the one way reelsearch does (design decision 5): from a local
copy or the Hugging Face cache first, from the hub only where that is allowed, and one clear
:class:`ModelUnavailableError` with a remedy where neither works."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from reelsearch.core.errors import ModelUnavailableError

ModelT = TypeVar("ModelT")


def hub_offline() -> bool:
    """Whether the Hugging Face hub must not be contacted (``HF_HUB_OFFLINE`` is set)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def load_pretrained(load: Callable[[bool], ModelT], *, what: str, remedy: str) -> ModelT:
    """``load(local_files_only)``: first from local files only, then, unless
    :func:`hub_offline`, from the hub.

    Args:
        load: Loads the model; its argument says whether only local files may be read.
        what: The model, for the error (``"Whisper model 'small'"``).
        remedy: What the user can do when it cannot load.

    Raises:
        ModelUnavailableError: ``load`` failed every time (with an ``OSError``,
            ``RuntimeError`` or ``ValueError``, as model libraries raise for a missing file,
            an unknown name or no network).
    """
    problem = ""
    for local_only in (True,) if hub_offline() else (True, False):
        try:
            return load(local_only)
        except (OSError, RuntimeError, ValueError) as exc:
            problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    raise ModelUnavailableError(f"{what} could not be loaded ({problem}). Remedy: {remedy}")
