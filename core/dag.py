"""Resolving which algos run, and in what order, from their ``depends_on``."""

from __future__ import annotations

from collections.abc import Iterable

from reelsearch.core.errors import DependencyCycleError, UnknownComponentError
from reelsearch.core.registry import Registry


def execution_order(registry: Registry, targets: Iterable[str]) -> list[str]:
    """``targets`` and everything they depend on, recursively, each after its dependencies.

    Raises:
        UnknownComponentError: a target or a dependency is not a registered algo.
        DependencyCycleError: the dependencies form a cycle (named in the message).
    """
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
        for dep in algo.depends_on:
            visit(dep, [*path, name])
        state[name] = "done"
        order.append(name)

    for target in targets:
        visit(target, [])
    return order


def dependents(registry: Registry, name: str) -> set[str]:
    """Every registered algo that depends on ``name``, directly or not."""
    out: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {
            other
            for other in registry.names("algo")
            if other not in out and set(registry.algo(other).depends_on) & frontier
        }
        out |= frontier
    return out
