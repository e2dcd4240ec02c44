"""Running the algo DAG over assets: memoised in the feature store, computed on the executor,
written to the store through each algo's sink.

Memoisation keys chain: an algo's key covers the asset's bytes (its content hash, not its
catalog id: copies of a file share features), its version, its config and the keys of
everything it depends on (and of the algos it ``uses`` that ran: a run includes them wherever
they are registered and among the configured ``algos``, see :meth:`Pipeline.order`), so a
new version or config recomputes that algo and its dependents only. Title and metadata are
not part of any key: renaming a title recomputes nothing.

A run computes every algo first, then writes each asset's points through the sinks and last
its catalog entry, which records a fingerprint of what each sink wrote. A sink whose records
match the fingerprint is up to date; anything else (new records, a write cut short by a crash)
is written again. An asset that fails (a bad side input, an algo raising on it, a store write
refused) fails alone unless the run is strict; either way a new asset that failed leaves nothing
in the store, and an asset already in the catalog keeps, per collection, its old points or all
of its new ones.

On an executor of other processes (Ray), each algo's assets run as one task each, or, for a
stateful algo (one that loads a model), on a pool of actors that keep the model loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reelsearch.core.catalog import Catalog
from reelsearch.core.components import Algo, AlgoContext, ProgressCallback
from reelsearch.core.config import Settings
from reelsearch.core.dag import execution_order
from reelsearch.core.errors import (
    AlgoError,
    ExecutorError,
    MediaError,
    ModelUnavailableError,
    ReelsearchError,
)
from reelsearch.core.executor import Executor, LocalExecutor
from reelsearch.core.factory import ComponentFactory, load_registry
from reelsearch.core.features import FeatureKey, FeatureStore, config_hash
from reelsearch.core.host import LocalPlugin
from reelsearch.core.models import Asset
from reelsearch.core.sinks import records_fingerprint, refresh_asset_payload, write_records
from reelsearch.core.store.base import VectorStore
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
    algo = factory(Algo, task.algo).warmed()  # once per process: here, on the executor
    inputs = {
        dep: [factory.registry.algo(dep).Record.model_validate(r) for r in records]
        for dep, records in task.inputs.items()
    }
    ctx = AlgoContext(task.asset, inputs, task.media_dir, factory, progress)
    return [algo.Record.model_validate(record).model_dump(mode="json") for record in algo.run(ctx)]


@dataclass(frozen=True)
class TaskOutcome:
    """What running one task gave: its records, or the error it failed with."""

    records: list[dict[str, Any]] | None = None
    error: ReelsearchError | None = None


def run_task_isolated(task: AlgoTask, progress: ProgressCallback | None = None) -> TaskOutcome:
    """:func:`run_task`, with a failure returned rather than raised, so that one asset's
    failure does not fail the others (an unavailable model still raises: it fails them all)."""
    try:
        return TaskOutcome(records=run_task(task, progress))
    except ModelUnavailableError:
        raise
    except Exception as exc:
        return TaskOutcome(error=algo_failure(exc, task.algo, task.asset))


def algo_failure(error: Exception, algo: str, asset: Asset) -> ReelsearchError:
    """The error to report for ``algo`` raising ``error`` on ``asset``: a :class:`MediaError`
    as it is (it names the file), anything else as an :class:`AlgoError` naming algo and file."""
    if isinstance(error, MediaError):
        return error
    detail = (
        str(error) if isinstance(error, ReelsearchError) else f"{type(error).__name__}: {error}"
    )
    failure = AlgoError(f"algo {algo!r} failed on {asset.uri}: {detail}")
    failure.__cause__ = error
    return failure


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

FailureCallback = Callable[[Asset, ReelsearchError], None]
"""``on_failure(asset, error)``: ``asset`` failed with ``error`` and was left out."""


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
        self.catalog = Catalog(store)
        with _factories_lock:  # in-process tasks reuse this runtime's warm components
            _factories.setdefault(_factory_key(settings, plugins), factory)

    def order(self, targets: Sequence[str]) -> list[str]:
        """The algos a run of ``targets`` runs, in order: with their dependencies and the
        algos they ``use`` that are registered and among the configured ``algos`` (any, when
        that is unset), so an algo's key is the same however it was asked for.

        Raises:
            UnknownComponentError: a target or a dependency is not a registered algo.
            DependencyCycleError: the dependencies form a cycle.
        """
        allowed = set(self.settings.algos) if self.settings.algos else None
        return execution_order(self.factory.registry, targets, optional=allowed)

    def keys(
        self, asset: Asset, order: Sequence[str], absent: Collection[str] = ()
    ) -> dict[str, FeatureKey]:
        """The memoisation key of each algo in ``order`` for ``asset``'s bytes.

        An algo's key covers those of the algos it ``uses`` that are in ``order`` and not
        ``absent`` (could not run): its output depends on whether they were there.
        """
        keys: dict[str, FeatureKey] = {}
        for name in order:
            algo = self._algo(name)
            digest = hashlib.sha256(config_hash(algo.config).encode())
            digest.update(algo.fingerprint(asset).encode())
            for dep in sorted(algo.depends_on):
                digest.update(repr(keys[dep]).encode())
            for dep in sorted(algo.uses & keys.keys() - set(absent)):
                digest.update(f"uses {keys[dep]!r}".encode())
            keys[name] = FeatureKey(asset.content_hash, name, algo.version, digest.hexdigest()[:32])
        return keys

    def run(
        self,
        assets: Sequence[Asset],
        targets: Sequence[str],
        on_step: StepCallback | None = None,
        on_failure: FailureCallback | None = None,
    ) -> list[AssetReport]:
        """Bring every algo in ``targets`` (and its dependencies) up to date for ``assets``,
        and record each asset in the catalog.

        Every asset's keys are computed before any work starts, and algos check their side
        inputs then (e.g. a sidecar subtitle file). An asset fails on a :class:`MediaError`
        there, on an error an algo raises on it, or on a refused store write. Without
        ``on_failure`` (strict) the first failure raises; with it, the failure is passed to it,
        that asset is left out and the others go on. Either way, an asset that was not in the
        catalog before and failed leaves nothing in the store.

        Returns:
            A report per asset that made it, in the order of ``assets``.
        """
        order = self.order(targets)
        failed: set[str] = set()

        def fail(asset: Asset, error: ReelsearchError) -> None:
            if on_failure is None:
                raise error
            failed.add(asset.id)
            on_failure(asset, error)

        keys: dict[str, dict[str, FeatureKey]] = {}
        for asset in assets:
            try:
                keys[asset.id] = self.keys(asset, order)
            except MediaError as exc:
                fail(asset, exc)
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
            if algo.uses & unavailable.keys():  # it runs without them: a key saying so
                for asset in assets:
                    if asset.id not in failed:
                        try:
                            keys[asset.id] = self.keys(asset, order, absent=unavailable.keys())
                        except MediaError as exc:
                            fail(asset, exc)
            todo: dict[FeatureKey, list[Asset]] = {}  # copies of one file's bytes run once
            for asset in assets:
                if asset.id in failed:
                    continue
                key = keys[asset.id][name]
                cached = self.features.get(key) if key not in todo else None
                if cached is None:
                    todo.setdefault(key, []).append(asset)
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
                    computed = self._compute(
                        algo, [group[0] for group in todo.values()], outputs, on_step
                    )
                except ModelUnavailableError as exc:
                    unavailable[name] = str(exc)
                    for report in reports.values():
                        report.skipped[name] = str(exc)
                    continue
                for (key, group), outcome in zip(todo.items(), computed, strict=True):
                    if isinstance(outcome, ReelsearchError):
                        for asset in group:
                            fail(asset, outcome)
                        continue
                    self.features.put(key, outcome)
                    for asset in group:
                        outputs[asset.id, name] = outcome
                        reports[asset.id].computed.append(name)
        for asset in assets:
            if asset.id not in failed:
                self._store_asset(asset, order, keys[asset.id], outputs, reports[asset.id], fail)
        return [reports[asset.id] for asset in assets if asset.id not in failed]

    def _algo(self, name: str) -> Algo[Any]:
        return self.factory(Algo, name)

    def _compute(
        self,
        algo: Algo[Any],
        assets: Sequence[Asset],
        outputs: dict[tuple[str, str], Records],
        on_step: StepCallback | None,
    ) -> list[Records | ReelsearchError]:
        """Run ``algo`` on each of ``assets``: its records, or the error it failed with.

        Raises:
            ModelUnavailableError: The algo cannot run here at all.
        """
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
                    for dep in (*algo.depends_on, *sorted(algo.uses))
                    if (asset.id, dep) in outputs
                },
                media_dir=self.settings.media_dir / asset.content_hash / algo.name,
            )
            for asset in assets
        ]
        if isinstance(self.executor, LocalExecutor):
            results = [
                run_task_isolated(task, on_step(algo.name, task.asset) if on_step else None)
                for task in tasks
            ]
        else:
            if on_step:  # each step starts here; a progress callback cannot cross to Ray
                for task in tasks:
                    on_step(algo.name, task.asset)
            actors = 0
            if algo.stateful:  # one pool per algo run: each actor loads its model once
                actors = self.settings.ray_actors or self.executor.capacity(algo.resources)
            try:
                results = self.executor.map(
                    run_task_isolated, tasks, resources=algo.resources, actors=actors
                )
            except ExecutorError as exc:
                if isinstance(exc.__cause__, ModelUnavailableError):
                    raise exc.__cause__ from None
                raise
        return [
            outcome.error
            if outcome.error is not None
            else [algo.Record.model_validate(r) for r in outcome.records or []]
            for outcome in results
        ]

    def _store_asset(
        self,
        asset: Asset,
        order: Sequence[str],
        keys: dict[str, FeatureKey],
        outputs: dict[tuple[str, str], Records],
        report: AssetReport,
        fail: FailureCallback,
    ) -> None:
        """Write ``asset``'s points through each sink whose records changed, then its
        catalog entry with the fingerprints of what is stored."""
        self.catalog.ensure()  # searches hide the points of an asset until its entry is written
        entry = self.catalog.entry(asset.id)
        written = dict(entry.written) if entry else {}
        name = ""
        try:
            for name in order:
                if (asset.id, name) not in outputs:
                    continue  # the algo could not run here
                sink = self._algo(name).sink()
                if sink is None:
                    continue
                collection = sink.collection().name
                records = outputs[asset.id, name]
                fingerprint = records_fingerprint(keys[name], records)
                if (
                    written.get(collection) == fingerprint
                    and collection in self.store.collections()
                ):
                    if refresh_asset_payload(self.store, collection, asset):
                        report.refreshed.append(name)
                    continue
                report.written[name] = write_records(self.store, sink, asset, records, name)
                written[collection] = fingerprint
            self.catalog.put(asset, written)
        except BaseException as exc:
            if entry is None:  # a new asset: nothing of it may stay
                with contextlib.suppress(ReelsearchError):
                    self.store.delete_asset(asset.id)
            if not isinstance(exc, Exception):
                raise
            fail(asset, exc if isinstance(exc, ReelsearchError) else algo_failure(exc, name, asset))
