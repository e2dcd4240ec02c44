"""The ``clip`` encoder plugin: open_clip's image and text towers (ViT-B-32 by default).

Importing this plugin imports neither torch nor open_clip; the weights load on first use, from
a local checkpoint, the Hugging Face cache or the hub (see :mod:`.weights`).
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.clip.encoder import ClipConfig, ClipEncoder, LoadedClip
from reelsearch.plugins.clip.text_cache import TextCache
from reelsearch.sdk import Encoder, hookimpl


@hookimpl
def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
    """Register the ``clip`` encoder."""
    register(ClipEncoder)


__all__ = ["ClipConfig", "ClipEncoder", "LoadedClip", "TextCache", "register_encoders"]
