"""Pytest fixtures for plugin authors, available in any project that installs reelsearch.

- ``reelsearch_home``: a fresh data home (``REELSEARCH_HOME``) for the test.
- ``throwaway_store``: an empty embedded Qdrant Edge store, closed after the test.
- ``register_plugin``: ``register_plugin(module_or_object)`` gives a :class:`Runtime` in a
  fresh data home with that plugin loaded besides the installed ones, for this test only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# The runtime is imported inside the fixtures: this module loads whenever pytest starts in an
# environment with reelsearch installed, and should cost nothing there.
if TYPE_CHECKING:
    from reelsearch.core.runtime import Runtime
    from reelsearch.sdk import VectorStore

RegisterPlugin = Callable[..., "Runtime"]


@pytest.fixture
def reelsearch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data home, also set as ``REELSEARCH_HOME``."""
    home = tmp_path / "reelsearch-home"
    home.mkdir()
    monkeypatch.setenv("REELSEARCH_HOME", str(home))
    for variable in ("REELSEARCH_CONFIG", "REELSEARCH_STORE_URL", "REELSEARCH_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture
def throwaway_store(tmp_path: Path) -> Iterator[VectorStore]:
    """An empty embedded store (Qdrant Edge) in a temporary folder."""
    from reelsearch.core.store import open_store

    store = open_store(None, home=tmp_path / "throwaway")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def register_plugin(reelsearch_home: Path) -> Iterator[RegisterPlugin]:
    """Call with a plugin (a module or object with ``@hookimpl`` functions) to get a runtime
    that has it registered, in a fresh data home; every runtime is closed after the test.

    Keyword arguments besides ``name`` override settings, e.g. ``components={...}``.
    """
    from reelsearch.core.config import load_settings
    from reelsearch.core.executor import LocalExecutor
    from reelsearch.core.host import LocalPlugin
    from reelsearch.core.runtime import Runtime

    opened: list[Runtime] = []

    def register(plugin: object, name: str | None = None, **settings: object) -> Runtime:
        label = name or str(getattr(plugin, "__name__", type(plugin).__name__))
        runtime = Runtime(
            load_settings(home=reelsearch_home, **settings),
            plugins=[LocalPlugin(label, plugin)],
            executor=LocalExecutor(),
        )
        opened.append(runtime)
        return runtime

    yield register
    for runtime in opened:
        runtime.close()
