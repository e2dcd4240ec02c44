"""Running the algo DAG over assets: memoised in the feature store, computed on the executor,
written to the store through each algo's sink.

Memoisation keys chain: an algo's key covers its version, its config and the keys of
everything it depends on, so a new version or config recomputes that algo and its dependents
only. Title and metadata are not part of any key: renaming a title recomputes nothing.

On an executor of other processes (Ray), each algo's assets run as one task each, or, for a
stateful algo (one that loads a model), on a pool of actors that keep the model loaded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reelsearch.core.components import Algo, AlgoContext, ProgressCallback
from reelsearch.core.config import Settings
from reelsearch.core.dag import execution_order
from reelsearch.core.errors import ExecutorError, MediaError, ModelUnavailableError
from reelsearch.core.executor import Executor, LocalExecutor
from reelsearch.core.factory import ComponentFactory, load_registry
from reelsearch.core.features import FeatureKey, FeatureStore, config_hash
from reelsearch.core.host import LocalPlugin
from reelsearch.core.models import Asset
from reelsearch.core.sinks import refresh_asset_payload, write_records
from reelsearch.core.store.base import PointFilter, VectorStore
from reelsearch.core.telemetry import span

Records = list[BaseModel]


@dataclass(frozen=True)
class AlgoTask:
    """One algo on one asset: everything a worker process needs to run it."""

    settings: Settings
    plugins: tuple[LocalPlugin, ...]
    algo: str
    asset: Asset
    inputs: dict[str, list[dict[str, Any]]]
    media_dir: Path


_factories: dict[str, ComponentFactory] = {}
_factories_lock = threading.Lock()


def _factory_key(settings: Settings, plugins: Sequence[LocalPlugin]) -> str:
    return settings.model_dump_json() + "|" + ",".join(p.name for p in plugins)


def shared_factory(settings: Settings, plugins: Sequence[LocalPlugin] = ()) -> ComponentFactory:
    """This process's component factory for ``settings``: plugins load and models warm up once."""
    key = _factory_key(settings, plugins)
    with _factories_lock:
        factory = _factories.get(key)
        if factory is None:
            factory = ComponentFactory(load_registry(settings, plugins), settings)
            _factories[key] = factory
        return factory


def run_task(task: AlgoTask, progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    """Run one algo on one asset; the records come back as JSON-ready dicts.

    This is what the executor runs, in this process or on a Ray worker.
    """
    factory = shared_factory(task.settings, task.plugins)
    algo = factory("algo", task.algo)
    assert isinstance(algo, Algo)
    inputs = {
        dep: [factory.registry.algo(dep).Record.model_validate(r) for r in records]
        for dep, records in task.inputs.items()
    }
    ctx = AlgoContext(task.asset, inputs, task.media_dir, factory, progress)
    return [algo.Record.model_validate(record).model_dump(mode="json") for record in algo.run(ctx)]


@dataclass
class AssetReport:
    """What ingesting one asset did."""

    asset: Asset
    computed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    refreshed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Algos that could not run here (a model is unavailable), with the reason."""


StepCallback = Callable[[str, Asset], ProgressCallback | None]
"""``on_step(algo, asset)`` -> a progress callback for that step, or None."""


class Pipeline:
    """Runs algos over assets with memoisation; one instance per runtime."""

    def __init__(
        self,
        settings: Settings,
        factory: ComponentFactory,
        features: FeatureStore,
        store: VectorStore,
        executor: Executor,
        plugins: Sequence[LocalPlugin] = (),
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.features = features
        self.store = store
        self.executor = executor
        self.plugins = tuple(plugins)
        with _factories_lock:  # in-process tasks reuse this runtime's warm components
            _factories.setdefault(_factory_key(settings, plugins), factory)

    def keys(self, asset: Asset, order: Sequence[str]) -> dict[str, FeatureKey]:
        """The memoisation key of each algo in ``order`` for ``asset``."""
        keys: dict[str, FeatureKey] = {}
        for name in order:
            algo = self._algo(name)
            digest = hashlib.sha256(config_hash(algo.config).encode())
            digest.update(algo.fingerprint(asset).encode())
            for dep in sorted(algo.depends_on):
                digest.update(repr(keys[dep]).encode())
            keys[name] = FeatureKey(asset.id, name, algo.version, digest.hexdigest()[:32])
        return keys

    def run(
        self,
        assets: Sequence[Asset],
        targets: Sequence[str],
        on_step: StepCallback | None = None,
        on_bad_input: Callable[[Asset, MediaError], None] | None = None,
    ) -> list[AssetReport]:
        """Bring every algo in ``targets`` (and its dependencies) up to date for ``assets``.

        Every asset's keys are computed before any work starts, and algos check their side
        inputs then (e.g. a sidecar subtitle file). A :class:`MediaError` there raises, or, when
        ``on_bad_input`` is given, is passed to it and that asset is left out.
        """
        order = execution_order(self.factory.registry, targets)
        keys: dict[str, dict[str, FeatureKey]] = {}
        for asset in assets:
            try:
                keys[asset.id] = self.keys(asset, order)
            except MediaError as exc:
                if on_bad_input is None:
                    raise
                on_bad_input(asset, exc)
        assets = [asset for asset in assets if asset.id in keys]
        reports = {asset.id: AssetReport(asset) for asset in assets}
        outputs: dict[tuple[str, str], Records] = {}
        unavailable: dict[str, str] = {}
        for name in order:
            algo = self._algo(name)
            blocked = [dep for dep in algo.depends_on if dep in unavailable]
            if blocked:
                unavailable[name] = f"needs {blocked[0]!r}, which could not run"
                for report in reports.values():
                    report.skipped[name] = unavailable[name]
                continue
            todo: list[Asset] = []
            for asset in assets:
                cached = self.features.get(keys[asset.id][name])
                if cached is None:
                    todo.append(asset)
                else:
                    outputs[asset.id, name] = [algo.Record.model_validate(r) for r in cached]
                    reports[asset.id].reused.append(name)
            with span(
                self.settings,
                f"pipeline.algo.{name}",
                algo=name,
                version=algo.version,
                asset_ids=[asset.id for asset in assets],
                computed=len(todo),
            ):
                try:
                    computed = self._compute(algo, todo, outputs, on_step)
                except ModelUnavailableError as exc:
                    unavailable[name] = str(exc)
                    for report in reports.values():
                        report.skipped[name] = str(exc)
                    continue
                for asset, records in zip(todo, computed, strict=True):
                    self.features.put(keys[asset.id][name], records)
                    outputs[asset.id, name] = records
                    reports[asset.id].computed.append(name)
                self._sink(algo, assets, outputs, reports, recomputed={a.id for a in todo})
        return [reports[asset.id] for asset in assets]

    def _algo(self, name: str) -> Algo[Any]:
        algo = self.factory("algo", name)
        assert isinstance(algo, Algo)
        return algo

    def _compute(
        self,
        algo: Algo[Any],
        assets: Sequence[Asset],
        outputs: dict[tuple[str, str], Records],
        on_step: StepCallback | None,
    ) -> list[Records]:
        if not assets:
            return []
        tasks = [
            AlgoTask(
                settings=self.settings,
                plugins=self.plugins,
                algo=algo.name,
                asset=asset,
                inputs={
                    dep: [r.model_dump(mode="json") for r in outputs[asset.id, dep]]
                    for dep in algo.depends_on
                },
                media_dir=self.settings.media_dir / asset.id / algo.name,
            )
            for asset in assets
        ]
        if isinstance(self.executor, LocalExecutor):
            results = [
                run_task(task, on_step(algo.name, task.asset) if on_step else None)
                for task in tasks
            ]
        else:
            actors = 0
            if algo.stateful:  # one pool per algo run: each actor loads its model once
                actors = self.settings.ray_actors or self.executor.capacity(algo.resources)
            try:
                results = self.executor.map(
                    run_task, tasks, resources=algo.resources, actors=actors
                )
            except ExecutorError as exc:
                if isinstance(exc.__cause__, ModelUnavailableError):
                    raise exc.__cause__ from None
                raise
        return [[algo.Record.model_validate(r) for r in result] for result in results]

    def _sink(
        self,
        algo: Algo[Any],
        assets: Sequence[Asset],
        outputs: dict[tuple[str, str], Records],
        reports: dict[str, AssetReport],
        recomputed: set[str],
    ) -> None:
        sink = algo.sink()
        if sink is None:
            return
        collection = sink.collection().name
        for asset in assets:
            records = outputs[asset.id, algo.name]
            up_to_date = (
                asset.id not in recomputed
                and collection in self.store.collections()
                and self.store.count(collection, filter=PointFilter(asset_ids=[asset.id]))
                == len(records)
            )
            if up_to_date:
                if refresh_asset_payload(self.store, collection, asset):
                    reports[asset.id].refreshed.append(algo.name)
            else:
                written = write_records(self.store, sink, asset, records, algo.name)
                reports[asset.id].written[algo.name] = written
