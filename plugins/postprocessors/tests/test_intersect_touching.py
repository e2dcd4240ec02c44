"""``intersect`` with no slack keeps overlapping ranges only: a shot that ends as a line
starts is not "on screen while" it is said; with slack, a gap up to it counts."""

from __future__ import annotations

from reelsearch.plugins.postprocessors.intersection import Intersect
from reelsearch.sdk import Hit, SearchRequest


def _hit(id: str, start: float, end: float) -> Hit:
    return Hit(id=id, asset_id="a", title="A", algo="x", score=1.0, start=start, end=end)


def _kept(within: float) -> list[str]:
    main = [_hit("before", 0, 2), _hit("inside", 2.5, 3), _hit("after", 4, 6)]
    main += [_hit("near", 4.8, 5), _hit("far", 7, 8)]
    line = _hit("line", 2, 4)
    request = SearchRequest(text="x", intersect=[{"hits": [line.model_dump()], "within": within}])
    return sorted(hit.id for hit in Intersect().process(request, main))


def test_touching_ranges_do_not_overlap_without_slack() -> None:
    assert _kept(0.0) == ["inside"]


def test_slack_counts_ranges_that_touch_or_fall_short_of_it() -> None:
    assert _kept(1.0) == ["after", "before", "inside", "near"]
    assert _kept(0.5) == ["after", "before", "inside"]
