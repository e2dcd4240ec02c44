"""Runtimes for tests: for module-scoped fixtures (the SDK's ``register_plugin`` gives one per
test) a data home of their own, with the ``REELSEARCH_*`` variables of the environment set
aside; a plugin registering the SDK's fake encoder; and the points of toy sinks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reelsearch.core.config import Settings, load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Asset, Encoder, Point, hookimpl, point_id
from reelsearch.sdk.testing import FakeEncoder


class FakeEncoderPlugin:
    """Registers the SDK's :class:`FakeEncoder` (``"fake"``): text and colours in one space."""

    @staticmethod
    @hookimpl
    def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
        register(FakeEncoder)


FAKE_ENCODER = [LocalPlugin("fake-encoder", FakeEncoderPlugin)]
SET_ASIDE = ("REELSEARCH_CONFIG", "REELSEARCH_STORE_URL", "REELSEARCH_PLUGINS")


@contextmanager
def home_environment(home: Path) -> Iterator[pytest.MonkeyPatch]:
    """``REELSEARCH_HOME`` set to ``home`` and the other settings variables unset, inside."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REELSEARCH_HOME", str(home))
        for variable in SET_ASIDE:
            env.delenv(variable, raising=False)
        yield env


def isolated_settings(home: Path, **overrides: Any) -> Settings:
    """Settings for ``home`` that no file or variable outside it changes."""
    with home_environment(home):
        return load_settings(**overrides)


@contextmanager
def isolated_runtime(
    home: Path, plugins: Sequence[LocalPlugin] = (), **overrides: Any
) -> Iterator[Runtime]:
    """An in-process runtime over ``home``, closed on exit."""
    with Runtime(
        isolated_settings(home, **overrides), plugins=plugins, executor=LocalExecutor()
    ) as rs:
        yield rs


def numbered_point(
    asset: Asset,
    collection: str,
    index: int,
    *,
    version: str = "1",
    vectors: dict[str, list[float]] | None = None,
    **fields: Any,
) -> Point:
    """Record ``index`` of ``asset`` as a point of ``collection`` (its algo, at ``version``):
    the asset's fields, the second from ``index`` to ``index + 1``, and ``fields``."""
    return Point(
        id=point_id(asset.id, collection, version, index),
        vectors=vectors or {},
        payload={
            "asset_id": asset.id,
            "title": asset.title,
            "metadata": asset.metadata,
            "start": float(index),
            "end": float(index + 1),
            **fields,
        },
    )
