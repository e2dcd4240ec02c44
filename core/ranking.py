"""The one order of hits that every stage agrees on."""

from __future__ import annotations

from collections.abc import Iterable

from reelsearch.core.models import Hit


def best_first(hits: Iterable[Hit]) -> list[Hit]:
    """``hits`` by descending score, ties in a fixed order (asset, start, id) so that the
    same hits always give the same pages."""
    return sorted(hits, key=lambda h: (-h.score, h.asset_id, h.start, h.id))
