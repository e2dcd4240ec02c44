"""The runtime applications embed: plugins, store, feature store and executor behind one object.

Example::

    from reelsearch.core.runtime import Runtime

    with Runtime.open(home="/data/reelsearch") as rs:
        rs.ingest(["episode1.mp4"], title="My Show")
        response = rs.search(SearchRequest(text="red race car"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, overload

from reelsearch.core.catalog import Catalog
from reelsearch.core.components import (
    Algo,
    C,
    Component,
    ComponentKind,
    ProgressCallback,
    SearchContext,
)
from reelsearch.core.config import Settings, load_settings
from reelsearch.core.errors import MediaError, ReelsearchError
from reelsearch.core.executor import Executor, open_executor
from reelsearch.core.factory import ComponentFactory, load_registry
from reelsearch.core.features import FeatureStore
from reelsearch.core.gateway import Gateway
from reelsearch.core.home import HomeLock
from reelsearch.core.host import LocalPlugin
from reelsearch.core.media.probe import content_hash, probe
from reelsearch.core.models import (
    Asset,
    MetadataValue,
    SearchRequest,
    SearchResponse,
    asset_id_for,
)
from reelsearch.core.pipeline import AssetReport, Pipeline
from reelsearch.core.registry import Registry
from reelsearch.core.store import is_embedded, open_store
from reelsearch.core.store.base import VectorStore


@dataclass
class IngestResult:
    """What :meth:`Runtime.ingest` did: a report per ingested asset, an error per file that
    failed (a :class:`MediaError` for a bad file, an :class:`AlgoError` for an algo that
    raised on it, ...)."""

    reports: list[AssetReport] = field(default_factory=list)
    failures: dict[str, ReelsearchError] = field(default_factory=dict)


class Runtime:
    """Plugins, store, feature store and executor, opened lazily from one :class:`Settings`.

    Args:
        settings: The configuration; :func:`load_settings` reads the file and environment.
        plugins: Plugins to load besides the installed ones (embedding apps, tests).
        store: Use this store instead of opening the configured one.
        executor: Use this executor instead of opening the configured one.
        lock_timeout: Seconds to wait for another process that holds the data home.

    One process at a time owns a data home whose store is embedded: the runtime locks the home
    (:class:`~reelsearch.core.home.HomeLock`) before it opens or creates anything in it (store,
    feature store, media), and holds the lock until :meth:`close`. A store given here, or a
    Qdrant server (``store_url``), takes no lock: several processes may write to a server, and
    the feature store and media folders are safe to share (atomic renames, content-addressed).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: Sequence[LocalPlugin] = (),
        store: VectorStore | None = None,
        executor: Executor | None = None,
        lock_timeout: float = 0.0,
    ) -> None:
        self.settings = settings or load_settings()
        self.plugins = tuple(plugins)
        self._store = store
        self._executor = executor
        self.lock_timeout = lock_timeout
        self._home_lock = HomeLock(self.settings.home)
        self._owns_home = store is None and is_embedded(self.settings.store_url)

    @classmethod
    def open(cls, *, plugins: Sequence[LocalPlugin] = (), **overrides: Any) -> Runtime:
        """A runtime from the config file and environment, with ``overrides`` on top."""
        return cls(load_settings(**overrides), plugins=plugins)

    @cached_property
    def registry(self) -> Registry:
        return load_registry(self.settings, self.plugins)

    @cached_property
    def components(self) -> ComponentFactory:
        return ComponentFactory(self.registry, self.settings)

    @overload
    def component(self, kind: type[C], name: str) -> C: ...

    @overload
    def component(self, kind: ComponentKind | str, name: str) -> Component[Any]: ...

    def component(self, kind: type[C] | ComponentKind | str, name: str) -> Component[Any]:
        """The configured (cold) instance of a registered component: ``component(Searcher,
        "visual")`` is typed as a :class:`Searcher`; ``component("searcher", "visual")`` works
        too."""
        return self.components(kind, name)

    def claim_home(self) -> None:
        """Lock the data home now if this runtime must own it (it does so itself before it
        creates anything there); does nothing if it holds it already or needs no lock.

        Raises:
            HomeLockedError: Another process holds the home (after ``lock_timeout``).
        """
        if self._owns_home:
            self._home_lock.acquire(self.lock_timeout)

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self.claim_home()
            self._store = open_store(
                self.settings.store_url,
                home=self.settings.home,
                api_key=self.settings.store_api_key,
                lock_timeout=self.lock_timeout,
            )
        return self._store

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = open_executor(self.settings)
        return self._executor

    @cached_property
    def features(self) -> FeatureStore:
        self.claim_home()
        return FeatureStore(self.settings.features_location)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.store)

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(
            self.settings, self.components, self.features, self.store, self.executor, self.plugins
        )

    @cached_property
    def gateway(self) -> Gateway:
        return Gateway(self.registry, self.components, self.store)

    def default_algos(self) -> list[str]:
        """The algos ingest runs unless told otherwise: the configured list, else all."""
        return list(self.settings.algos) if self.settings.algos else self.registry.names("algo")

    def asset(
        self,
        path: str | Path,
        title: str | None = None,
        metadata: dict[str, MetadataValue] | None = None,
    ) -> Asset:
        """Probe ``path`` and describe it as an :class:`Asset` (nothing is stored)."""
        source = Path(path).expanduser()
        media = probe(source)
        uri = str(source.resolve())
        return Asset(
            id=asset_id_for(uri),
            uri=uri,
            title=title or source.stem,
            metadata=metadata or {},
            media=media,
            content_hash=content_hash(source),
        )

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        title: str | None = None,
        metadata: dict[str, MetadataValue] | None = None,
        algos: Sequence[str] | None = None,
        strict: bool = True,
        on_step: Callable[[str, Asset], ProgressCallback | None] | None = None,
    ) -> IngestResult:
        """Probe, analyse and index videos.

        Every file is probed before any work starts. A file is one catalog entry: ingesting it
        again updates its entry (title, metadata, points), and a copy of its bytes under
        another path is another entry that reuses its features.

        A bad file (missing, empty, truncated, corrupt, not a video), a bad side input, or an
        algo raising on a file raises when ``strict``; otherwise the error is reported in
        :attr:`IngestResult.failures` and the other files are ingested. A file that fails
        leaves nothing in the store if it was not there before; one that was keeps, in each
        collection, its earlier points or all of its new ones.

        Args:
            paths: Video files.
            title: Title of every file; default: each file's name without extension.
            metadata: Metadata of every file, filterable at search time.
            algos: Algos to bring up to date (with their dependencies); default
                :meth:`default_algos`.
            strict: Raise on the first failing file instead of skipping it.
            on_step: Called as each algo starts on an asset; may return a progress callback.
        """
        result = IngestResult()
        assets: dict[str, Asset] = {}
        for path in paths:
            try:
                asset = self.asset(path, title, metadata)
            except MediaError as exc:
                if strict:
                    raise
                result.failures[str(path)] = exc
                continue
            assets.setdefault(asset.id, asset)
        if not assets:  # every file failed its probe: load no plugin, model or store
            return result
        targets = list(algos) if algos is not None else self.default_algos()

        def drop(asset: Asset, error: ReelsearchError) -> None:
            result.failures[asset.uri] = error

        result.reports = self.pipeline.run(
            list(assets.values()), targets, on_step, on_failure=None if strict else drop
        )
        return result

    def search_context(self) -> SearchContext:
        """What searchers get at query time (for testing a searcher on its own)."""
        return self.gateway.context()

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run ``request`` through the gateway."""
        return self.gateway.search(request)

    def algo(self, name: str) -> Algo[Any, Any]:
        return self.component(Algo, name)

    def close(self) -> None:
        """Flush the store, stop what the runtime started and let the data home go."""
        try:
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._executor is not None:
                self._executor.close()
                self._executor = None
        finally:
            self._home_lock.release()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
