"""The plugin hooks. A plugin implements any of them with ``@reelsearch.sdk.hookimpl``.

Every hook is a registration hook: it receives a ``register`` callback and calls it once per
component class it contributes. The core validates each class, refuses duplicate names and
records which plugin registered what. Hooks are called once, when the plugin host loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from reelsearch.core.components import (
        Algo,
        Encoder,
        FaceDetector,
        PostProcessor,
        Searcher,
        ShotDetector,
        Translator,
    )

PROJECT = "reelsearch"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_algos(register: Callable[[type[Algo]], None]) -> None:
    """Register algo classes: ``register(MyAlgo)`` for each.

    Called once when the plugin host loads. Each class needs a unique ``name``, a ``version``,
    a ``Record`` schema and a ``Config`` model with ``extra="forbid"``.
    """


@hookspec
def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
    """Register encoder classes: ``register(MyEncoder)`` for each.

    Called once when the plugin host loads. Weights must not load here; they load in
    ``Encoder.warm_up``.
    """


@hookspec
def register_detectors(register: Callable[[type[ShotDetector]], None]) -> None:
    """Register shot-boundary detector classes: ``register(MyDetector)`` for each.

    Called once when the plugin host loads. The ``shots`` algo runs the detector its config
    names.
    """


@hookspec
def register_face_detectors(register: Callable[[type[FaceDetector]], None]) -> None:
    """Register face detector classes: ``register(MyFaceDetector)`` for each.

    Called once when the plugin host loads. Algos that look for faces (``faces``) run the
    one their config names; weights load in ``FaceDetector.warm_up``.
    """


@hookspec
def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
    """Register searcher classes: ``register(MySearcher)`` for each.

    Called once when the plugin host loads. Each declares the ``algo`` it reads and its
    ``capabilities``.
    """


@hookspec
def register_postprocessors(register: Callable[[type[PostProcessor]], None]) -> None:
    """Register post-processor classes: ``register(MyPostProcessor)`` for each.

    Called once when the plugin host loads. Requests name post-processors to run, in order.
    """


@hookspec
def register_translators(register: Callable[[type[Translator]], None]) -> None:
    """Register query translator classes: ``register(MyTranslator)`` for each.

    Called once when the plugin host loads. The ``translator`` setting names the one the
    gateway uses for requests whose ``language`` is not the search language.
    """
