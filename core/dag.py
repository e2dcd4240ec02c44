"""Resolving which algos run, and in what order, from their ``depends_on``."""

from __future__ import annotations

from collections.abc import Iterable

from reelsearch.core.errors import DependencyCycleError, UnknownComponentError
from reelsearch.core.registry import Registry


def execution_order(registry: Registry, targets: Iterable[str]) -> list[str]:
    """``targets`` and everything they depend on, recursively, each after its dependencies
    and after the algos it ``uses`` that are part of the run (``uses`` adds none).

    Raises:
        UnknownComponentError: a target or a dependency is not a registered algo.
        DependencyCycleError: the dependencies form a cycle (named in the message).
    """
    targets = list(targets)
    run = set(_needed(registry, targets))
    order: list[str] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join([*path[path.index(name) :], name])
            raise DependencyCycleError(f"algo dependencies form a cycle: {cycle}")
        try:
            algo = registry.algo(name)
        except UnknownComponentError as exc:
            if path:
                raise UnknownComponentError("algo", name, exc.known, needed_by=path[-1]) from None
            raise
        state[name] = "visiting"
        for dep in (*algo.depends_on, *sorted(algo.uses & run)):
            visit(dep, [*path, name])
        state[name] = "done"
        order.append(name)

    for target in targets:
        visit(target, [])
    return order


def _needed(registry: Registry, targets: list[str]) -> list[str]:
    """``targets`` and their ``depends_on``, recursively (unknown names are left to the
    caller to report)."""
    seen: list[str] = []
    frontier = list(targets)
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.append(name)
        try:
            frontier.extend(registry.algo(name).depends_on)
        except UnknownComponentError:
            continue
    return seen


def dependents(registry: Registry, name: str) -> set[str]:
    """Every registered algo that depends on or uses ``name``, directly or not."""
    out: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {
            other
            for other in registry.names("algo")
            if other not in out
            and (set(registry.algo(other).depends_on) | registry.algo(other).uses) & frontier
        }
        out |= frontier
    return out
