"""Builds configured component instances from the registry and the settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, overload

from pydantic import ValidationError

from reelsearch.core.components import C, Component, ComponentKind, typed
from reelsearch.core.config import Settings
from reelsearch.core.errors import ConfigError, validation_problems
from reelsearch.core.host import LocalPlugin, PluginHost
from reelsearch.core.registry import Registry


def load_registry(settings: Settings, extra: Sequence[LocalPlugin] = ()) -> Registry:
    """Load the plugins the settings allow, plus ``extra``."""
    return PluginHost(allow=settings.plugins, block=settings.disable_plugins, extra=extra).load()


class ComponentFactory:
    """Configured, cached component instances: one per (kind, name) per process.

    Options come from the settings' table of the component's kind and name
    (``[algos.shots]``, ``[encoders.clip]``...; :meth:`Settings.options_of`). Components come
    cold: each is warmed up where it is used (:meth:`Component.warmed`), not here.
    """

    def __init__(self, registry: Registry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings
        self._instances: dict[tuple[ComponentKind, str], Component[Any]] = {}
        self._lock = threading.Lock()

    @overload
    def __call__(self, kind: type[C], name: str, /) -> C: ...

    @overload
    def __call__(self, kind: ComponentKind | str, name: str, /) -> Component[Any]: ...

    def __call__(self, kind: type[C] | ComponentKind | str, name: str, /) -> Component[Any]:
        """The configured instance of component ``name``: ``factory(Encoder, "clip")`` returns
        an :class:`Encoder`; ``factory("encoder", "clip")`` the same, typed as a component."""
        if isinstance(kind, type):
            return typed(self._instance(kind.kind, name), kind)
        return self._instance(ComponentKind(kind), name)

    def _instance(self, kind: ComponentKind, name: str) -> Component[Any]:
        key = (kind, name)
        with self._lock:
            instance = self._instances.get(key)
            if instance is None:
                instance = self._build(kind, name)
                self._instances[key] = instance
        return instance

    def _build(self, kind: ComponentKind, name: str) -> Component[Any]:
        cls = self.registry.get(kind, name).component
        options = self.settings.options_of(kind, name)
        try:
            config = cls.Config.model_validate(options)
        except ValidationError as exc:
            problems = validation_problems(exc)
            table = f"[components.{kind.section}.{name}]"
            raise ConfigError(
                f"invalid options for {kind.label} {name!r} ({table}): {problems}"
            ) from None
        instance = cls(config)
        instance.bind(self)
        return instance
