"""The plugin host: finds plugins through entry points, loads them and collects registrations.

Every plugin, the built-in ones included, is found through the entry-point group
``reelsearch.plugins``. A plugin is a module (or any object) with ``@hookimpl`` functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

import pluggy

from reelsearch.core import hookspecs
from reelsearch.core.components import ComponentKind
from reelsearch.core.errors import PluginError
from reelsearch.core.registry import PluginInfo, Registry

ENTRY_POINT_GROUP = "reelsearch.plugins"

HOOKS: dict[str, ComponentKind] = {kind.hook: kind for kind in ComponentKind}
"""The registration hook of each kind of component: ``register_algos`` -> algo, ..."""


@dataclass(frozen=True)
class LocalPlugin:
    """A plugin given directly rather than through an entry point (tests, embedding apps)."""

    name: str
    plugin: object


def _describe_entry_point(ep: EntryPoint) -> PluginInfo:
    dist = ep.dist
    return PluginInfo(
        name=ep.name,
        distribution=dist.metadata["Name"] if dist is not None else None,
        version=dist.version if dist is not None else None,
    )


class PluginHost:
    """Loads plugins and builds the :class:`Registry` of their components.

    Args:
        allow: Entry-point names to load; ``None`` loads all (``REELSEARCH_PLUGINS``).
        block: Entry-point names never to load (``REELSEARCH_DISABLE_PLUGINS``).
        extra: Plugins to load besides the entry points, e.g. one registered for a single test.
        entry_point_source: Where entry points come from; the installed distributions by default.
    """

    def __init__(
        self,
        *,
        allow: Sequence[str] | None = None,
        block: Sequence[str] = (),
        extra: Sequence[LocalPlugin] = (),
        entry_point_source: Callable[[], Iterable[EntryPoint]] | None = None,
    ) -> None:
        self.allow = None if allow is None else list(allow)
        self.block = list(block)
        self.extra = list(extra)
        self._entry_points = entry_point_source or (lambda: entry_points(group=ENTRY_POINT_GROUP))
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}

    def load(self) -> Registry:
        """Import every selected plugin, check its hooks and collect what it registers."""
        available = {ep.name: ep for ep in self._entry_points()}
        if self.allow is not None:
            unknown = sorted(set(self.allow) - set(available))
            if unknown:
                raise PluginError(
                    f"REELSEARCH_PLUGINS names {', '.join(unknown)}, which no installed "
                    f"distribution provides; installed plugins: {', '.join(sorted(available))}"
                )
        for name, ep in sorted(available.items()):
            if name in self.block or (self.allow is not None and name not in self.allow):
                continue
            info = _describe_entry_point(ep)
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    f'Error importing plugin "{ep.name}" (entry point {ep.value} in distribution '
                    f"{info.distribution}): {type(exc).__name__}: {exc}"
                ) from exc
            self._register(plugin, info)
        for local in self.extra:
            self._register(local.plugin, PluginInfo(name=local.name))
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.manager.get_name(exc.plugin) or repr(exc.plugin)
            info = self.plugins.get(name, PluginInfo(name))
            raise PluginError(
                f"{info.describe()} implements a hook that does not exist: {exc}. "
                f"Known hooks: {', '.join(HOOKS)}"
            ) from exc
        return self._collect()

    def _register(self, plugin: object, info: PluginInfo) -> None:
        if self.manager.is_registered(plugin):
            # The same module given again (installed, and also registered for a test): once.
            return
        if info.name in self.plugins:
            raise PluginError(f"{info.describe()} is loaded twice")
        try:
            self.manager.register(plugin, name=info.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(f"{info.describe()} cannot be registered: {exc}") from exc
        self.plugins[info.name] = info

    def _collect(self) -> Registry:
        registry = Registry()
        for hook_name, kind in HOOKS.items():
            caller = getattr(self.manager.hook, hook_name)
            # Called per implementation (in load order) so each registration knows its plugin.
            for impl in reversed(caller.get_hookimpls()):
                info = self.plugins[impl.plugin_name]
                register = functools.partial(registry.add, kind, plugin=info)
                try:
                    impl.function(**{arg: register for arg in impl.argnames})
                except PluginError:
                    raise
                except Exception as exc:
                    raise PluginError(
                        f"{info.describe()} failed in {hook_name}: {type(exc).__name__}: {exc}"
                    ) from exc
        return registry
