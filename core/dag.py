"""Resolving which algos run, and in what order, from their ``depends_on`` and ``uses``."""

from __future__ import annotations

from collections.abc import Container, Iterable

from reelsearch.core.errors import DependencyCycleError, UnknownComponentError
from reelsearch.core.registry import Registry


def execution_order(
    registry: Registry, targets: Iterable[str], optional: Container[str] | None = None
) -> list[str]:
    """``targets``, everything they depend on and the algos they ``use``, recursively, each
    after the algos it depends on or uses.

    An algo that is used joins the run when it is registered, its own dependencies are, and it
    is in ``optional`` (any, when None): an optional input is there whenever it can be, not
    only when a caller names it, so an algo's output does not depend on how it was reached.

    Raises:
        UnknownComponentError: a target or a dependency is not a registered algo.
        DependencyCycleError: the dependencies form a cycle (named in the message).
    """
    targets = list(targets)
    run = set(_needed(registry, targets, optional))
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


def _needed(
    registry: Registry, targets: list[str], optional: Container[str] | None = None
) -> list[str]:
    """``targets``, their ``depends_on`` and the ``uses`` that can join the run, recursively
    (unknown names among ``targets`` and ``depends_on`` are left to the caller to report)."""
    seen: list[str] = []
    frontier = list(targets)
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.append(name)
        try:
            algo = registry.algo(name)
        except UnknownComponentError:
            continue
        frontier.extend(algo.depends_on)
        frontier.extend(
            used
            for used in sorted(algo.uses)
            if (optional is None or used in optional) and _resolvable(registry, used)
        )
    return seen


def _resolvable(registry: Registry, name: str) -> bool:
    """Whether ``name`` and everything it depends on, recursively, are registered algos."""
    try:
        return all(registry.algo(dep) for dep in _needed(registry, [name], optional=()))
    except UnknownComponentError:
        return False


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
