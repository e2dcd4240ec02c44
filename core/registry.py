"""What the plugins registered: component classes by kind and name, with their origin."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from reelsearch.core.components import (
    COMPONENT_BASES,
    Algo,
    C,
    Component,
    ComponentKind,
    Encoder,
    PostProcessor,
    Searcher,
    ShotDetector,
    Translator,
)
from reelsearch.core.errors import PluginError, UnknownComponentError


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: its entry-point name and the distribution that ships it."""

    name: str
    distribution: str | None = None
    version: str | None = None

    def describe(self) -> str:
        """``plugin "name" (distribution dist 1.2)``, for error messages."""
        if not self.distribution:
            return f'plugin "{self.name}"'
        version = f" {self.version}" if self.version else ""
        return f'plugin "{self.name}" (distribution {self.distribution}{version})'


@dataclass(frozen=True)
class Registration:
    kind: ComponentKind
    name: str
    component: type[Component[Any]]
    plugin: PluginInfo


@dataclass
class Registry:
    """Component classes by kind and name."""

    entries: dict[ComponentKind, dict[str, Registration]] = field(
        default_factory=lambda: {kind: {} for kind in COMPONENT_BASES}
    )

    def add(self, kind: ComponentKind | str, component: object, plugin: PluginInfo) -> None:
        """Validate ``component`` and record it; raise :class:`PluginError` naming the plugin."""
        kind = ComponentKind(kind)
        base = COMPONENT_BASES[kind]
        where = plugin.describe()
        if not (inspect.isclass(component) and issubclass(component, base)):
            raise PluginError(
                f"{where} registered {component!r} as {kind}, but it is not a subclass of "
                f"{base.__name__}"
            )
        if inspect.isabstract(component):
            missing = ", ".join(sorted(getattr(component, "__abstractmethods__", ())))
            raise PluginError(
                f"{where} registered {kind} {component.__name__} without implementing: {missing}"
            )
        name = getattr(component, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"{where} registered {kind} {component.__name__} without a name")
        config = getattr(component, "Config", None)
        if not (inspect.isclass(config) and issubclass(config, BaseModel)):
            raise PluginError(f"{where}: {kind} {name!r} has a Config that is not a pydantic model")
        if config.model_config.get("extra") != "forbid":
            raise PluginError(
                f"{where}: {kind} {name!r} Config must set model_config = "
                'ConfigDict(extra="forbid") so misspelled options are errors'
            )
        if kind is ComponentKind.ALGO:
            _check_algo(component, where)
        existing = self.entries[kind].get(name)
        if existing is not None:
            raise PluginError(
                f"{where} registered {kind} {name!r}, already registered by "
                f"{existing.plugin.describe()}"
            )
        self.entries[kind][name] = Registration(kind, name, component, plugin)

    def names(self, kind: ComponentKind | str) -> list[str]:
        return sorted(self.entries[ComponentKind(kind)])

    def get(self, kind: ComponentKind | str, name: str) -> Registration:
        kind = ComponentKind(kind)
        try:
            return self.entries[kind][name]
        except KeyError:
            raise UnknownComponentError(kind, name, self.names(kind)) from None

    def component(self, base: type[C], name: str) -> type[C]:
        """The class registered as ``name`` among the components of ``base``'s kind."""
        component = self.get(base.kind, name).component
        if not issubclass(component, base):
            raise PluginError(f"{base.kind} {name!r} is not a {base.__name__}")
        return component

    def algo(self, name: str) -> type[Algo[Any, Any]]:
        return self.component(Algo, name)

    def encoder(self, name: str) -> type[Encoder[Any]]:
        return self.component(Encoder, name)

    def detector(self, name: str) -> type[ShotDetector[Any]]:
        return self.component(ShotDetector, name)

    def searcher(self, name: str) -> type[Searcher[Any]]:
        return self.component(Searcher, name)

    def postprocessor(self, name: str) -> type[PostProcessor[Any]]:
        return self.component(PostProcessor, name)

    def translator(self, name: str) -> type[Translator[Any]]:
        return self.component(Translator, name)

    def by_plugin(self) -> dict[PluginInfo, list[Registration]]:
        out: dict[PluginInfo, list[Registration]] = {}
        for kind in self.entries.values():
            for reg in kind.values():
                out.setdefault(reg.plugin, []).append(reg)
        return out


def _check_algo(algo: type[Component[Any]], where: str) -> None:
    name = algo.name
    version = getattr(algo, "version", None)
    if not isinstance(version, str) or not version:
        raise PluginError(f"{where}: algo {name!r} needs a non-empty string version")
    record = getattr(algo, "Record", None)
    if not (inspect.isclass(record) and issubclass(record, BaseModel)):
        raise PluginError(f"{where}: algo {name!r} Record must be a pydantic model")
    deps = getattr(algo, "depends_on", ())
    if not isinstance(deps, tuple) or not all(isinstance(d, str) for d in deps):
        raise PluginError(f"{where}: algo {name!r} depends_on must be a tuple of algo names")
    uses: object = getattr(algo, "uses", frozenset())
    if not isinstance(uses, frozenset) or not all(isinstance(u, str) for u in uses):
        raise PluginError(f"{where}: algo {name!r} uses must be a frozenset of algo names")
    if name in deps or name in uses:
        raise PluginError(f"{where}: algo {name!r} depends on itself")
