"""Optional dependencies, installed as extras: ``pip install 'reelsearch[clip]'``.

``pip install reelsearch`` gives the runtime, the SDK, the CLI and the embedded store. The heavy
models, Ray, the HTTP server and the Qdrant server client come as extras (:data:`EXTRAS`).
Code that needs one calls :func:`require` right before importing it, inside the function that
uses it (``warm_up``, ``load``, ``create_app``), never at module level of a plugin: a plugin
then registers, and ``reelsearch --help`` runs, without its extra, and using it says which
command installs what is missing.
"""

from __future__ import annotations

import importlib
import sys
from typing import Final

from reelsearch.core.errors import MissingExtraError

EXTRAS: Final[dict[str, str]] = {
    "clip": "the CLIP image and text encoder (torch, open_clip)",
    "dialogue": "speech to text and dialogue search (faster-whisper, sentence-transformers)",
    "transnetv2": "the TransNetV2 shot detector (torch)",
    "ray": "the Ray executor",
    "server": "the HTTP server and web UI (FastAPI, uvicorn)",
    "qdrant": "a Qdrant server as the store (qdrant-client)",
    "otlp": "OpenTelemetry export over OTLP/HTTP",
    "characters": (
        "faces, characters and voices (dlib, its face models, LiteRT, Resemblyzer, scikit-learn)"
    ),
    "matchcut": "match cutting: silhouettes and optical flow (LiteRT, OpenCV)",
    "train": "fine-tuning CLIP on your footage: reelsearch train (Ray Train, matplotlib)",
}
"""Every extra of the ``reelsearch`` distribution and what it adds (``all`` installs them all)."""


def install_command(extra: str) -> str:
    """The shell command that installs ``extra``: ``pip install 'reelsearch[extra]'``."""
    return f"pip install 'reelsearch[{extra}]'"


def require(*modules: str, extra: str, needed_by: str) -> None:
    """Import ``modules`` or fail with one line that names the extra that provides them.

    Call it right before the imports it guards, so that the type checker still sees them::

        require("open_clip", "torch", extra="clip", needed_by="the clip encoder")
        import open_clip

    Args:
        modules: Top-level or dotted module names.
        extra: The extra of the ``reelsearch`` distribution that installs them (see
            :data:`EXTRAS`).
        needed_by: What needs them, as messages name it (``"the clip encoder"``).

    Raises:
        MissingExtraError: A module (or something it imports) is not installed.
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    for module in modules:
        if sys.modules.get(module) is not None:
            continue
        try:
            importlib.import_module(module)
        except ImportError as exc:
            missing = exc.name or module
            problem = (
                f"{missing}, which is not installed"
                if missing.split(".")[0] == module.split(".")[0]
                else f"{module}, which cannot import {missing}"
            )
            raise MissingExtraError(
                f"{needed_by} needs {problem}: {install_command(extra)}", extra
            ) from None
