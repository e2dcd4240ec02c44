"""Builds configured component instances from the registry and the settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pydantic import ValidationError

from reelsearch.core.components import Component, ComponentKind, Encoder
from reelsearch.core.config import Settings
from reelsearch.core.errors import ConfigError, validation_problems
from reelsearch.core.host import LocalPlugin, PluginHost
from reelsearch.core.registry import Registry


def load_registry(settings: Settings, extra: Sequence[LocalPlugin] = ()) -> Registry:
    """Load the plugins the settings allow, plus ``extra``."""
    return PluginHost(allow=settings.plugins, block=settings.disable_plugins, extra=extra).load()


class ComponentFactory:
    """Configured, cached component instances: one per (kind, name) per process.

    Options come from ``settings.components[name]``; encoders are warmed up on first use.
    """

    def __init__(self, registry: Registry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings
        self._instances: dict[tuple[ComponentKind, str], Component] = {}
        self._lock = threading.Lock()

    def __call__(self, kind: ComponentKind, name: str) -> Component:
        key = (kind, name)
        with self._lock:
            instance = self._instances.get(key)
            if instance is None:
                instance = self._build(kind, name)
                self._instances[key] = instance
        return instance

    def _build(self, kind: ComponentKind, name: str) -> Component:
        cls = self.registry.get(kind, name).component
        options = self.settings.components.get(name, {})
        try:
            config = cls.Config.model_validate(options)
        except ValidationError as exc:
            problems = validation_problems(exc)
            raise ConfigError(
                f"invalid options for {kind} {name!r} ([components.{name}]): {problems}"
            ) from None
        instance = cls(config)
        instance.bind(self)
        if isinstance(instance, Encoder):
            instance.warm_up()
        return instance
