"""Translation of a :class:`~reelsearch.core.store.base.PointFilter` into a Qdrant filter.

Qdrant Edge (``qdrant_edge``) and ``qdrant_client`` spell their filter models alike
(``Filter``, ``FieldCondition``, ``MatchValue``, ``MatchAny``, ``MatchText``, ``MatchPhrase``,
all with the same keyword arguments); they differ in the range class, in how
``HasIdCondition`` takes its ids and in the values ``MatchValue`` accepts.
:class:`FilterModels` captures one binding's spelling, and :func:`to_filter` holds the one
translation both backends use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reelsearch.core.errors import StoreError
from reelsearch.core.models import MetadataValue
from reelsearch.core.store.base import PointFilter


@dataclass(frozen=True)
class FilterModels:
    """The filter model classes of one Qdrant binding.

    Attributes:
        namespace: The module holding ``Filter``, ``FieldCondition`` and the ``Match*`` classes.
        float_range: The range class, called with ``gte`` and ``lte`` keywords.
        has_id: Builds a condition that holds for the points with the given ids.
        exact_value: Adapts a value for ``MatchValue`` where the binding needs it.
    """

    namespace: Any
    float_range: Callable[..., Any]
    has_id: Callable[[list[str]], Any]
    exact_value: Callable[[str | int | bool], object] = field(default=lambda value: value)


def to_filter(
    flt: PointFilter | None, models: FilterModels, *, ids: Sequence[str] | None = None
) -> Any | None:
    """The backend filter for ``flt``, restricted to ``ids`` when given.

    Every condition must hold (AND). ``time_range`` keeps points that overlap it
    (``start <= range.end`` and ``end >= range.start``, either side optional); ``fields`` match
    payload fields exactly like ``metadata`` matches ``metadata.<key>``; a list matches any of
    its values; ``words`` need every word in the field, in any order, and
    ``phrases`` need the words consecutively, in order (both case-insensitive on a ``TEXT``
    index).

    Args:
        flt: The filter; ``None`` or an empty filter selects every point.
        models: The binding's model classes.
        ids: When given, only these point ids can match.

    Returns:
        The binding's ``Filter``, or ``None`` when nothing restricts the points.
    """
    ns = models.namespace
    must: list[Any] = []
    must_not: list[Any] = []
    if ids is not None:
        must.append(models.has_id(list(ids)))
    if flt is not None:
        for key, values in (("asset_id", flt.asset_ids), ("title", flt.titles)):
            if values:
                must.append(ns.FieldCondition(key=key, match=ns.MatchAny(any=list(values))))
        exact = [(f"metadata.{key}", value) for key, value in flt.metadata.items()]
        for key, value in [*exact, *flt.fields.items()]:
            condition = _metadata_condition(key, value, models)
            if condition is not None:
                must.append(condition)
        if flt.time_range is not None:
            if flt.time_range.end is not None:
                must.append(_range("start", models, lte=flt.time_range.end))
            if flt.time_range.start is not None:
                must.append(_range("end", models, gte=flt.time_range.start))
        for key, text in flt.words.items():
            must.append(ns.FieldCondition(key=key, match=ns.MatchText(text=text)))
        for key, phrase in flt.phrases.items():
            must.append(ns.FieldCondition(key=key, match=ns.MatchPhrase(phrase=phrase)))
        if flt.exclude_ids:
            must_not.append(models.has_id(list(flt.exclude_ids)))
    if not must and not must_not:
        return None
    return ns.Filter(must=must or None, must_not=must_not or None)


def to_selection(
    flt: PointFilter | None, models: FilterModels, *, ids: Sequence[str] | None = None
) -> Any:
    """Like :func:`to_filter`, but an empty ``Filter`` (every point) where nothing restricts."""
    selected = to_filter(flt, models, ids=ids)
    return models.namespace.Filter() if selected is None else selected


def deletion(ids: Sequence[str] | None, flt: PointFilter | None, models: FilterModels) -> Any:
    """The filter of ``VectorStore.delete``: the points among ``ids`` that match ``flt``.

    Raises:
        StoreError: Neither ``ids`` nor ``flt`` is given (pass ``PointFilter()`` to delete
            every point).
    """
    if ids is None and flt is None:
        raise StoreError("delete needs ids or a filter; PointFilter() selects every point")
    return to_selection(flt, models, ids=ids)


def _range(key: str, models: FilterModels, **bounds: float) -> Any:
    return models.namespace.FieldCondition(key=key, range=models.float_range(**bounds))


def _metadata_condition(key: str, value: MetadataValue, models: FilterModels) -> Any | None:
    ns = models.namespace
    if isinstance(value, list):
        # An empty list restricts nothing, like the filter's other empty lists.
        return ns.FieldCondition(key=key, match=ns.MatchAny(any=list(value))) if value else None
    if isinstance(value, float):
        # Exact matches take only str, int and bool: a float matches as a one-point range.
        return _range(key, models, gte=value, lte=value)
    return ns.FieldCondition(key=key, match=ns.MatchValue(value=models.exact_value(value)))
