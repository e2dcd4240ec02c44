""" "Collapse similar shots" in the web UI, in real chromium: the ``dedupe`` step folds a title's
near-duplicate shots into one card with "n similar shots", which expands to rows (timecodes
counted from the file's start timecode, score) that each play their own range."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from web_ui import (
    Browser,
    Page,
    chromium,  # noqa: F401  (the browser fixture)
    expect,
    fake_encoder_site,
    open_page,
)

from reelsearch.sdk.testing import PALETTE, write_video
from reelsearch.server import LiveServer

PLUGINS = ["shots", "content-detector", "postprocessors", "visual", "match-cutting"]
DASH = " \N{EN DASH} "
"""Between a card's in and out timecodes."""
RED_SHOTS = {f"01:00:00:00{DASH}01:00:01:00", f"01:00:02:00{DASH}01:00:03:00"}
"""The two red shots of "Repeats" (red, blue, red; one second each from 01:00:00:00)."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("similar-ui")
    segments = [(PALETTE[c], 24) for c in ("red", "blue", "red")]
    # The drifting square gives the shots a layout: the near_duplicates groups come out the same
    # from shot embeddings and from colour layouts (what a later backfill of the algo uses).
    video = write_video(
        folder / "repeats.mp4",
        segments,
        size=(160, 96),
        moving_square=True,
        timecode="01:00:00:00",
    )
    algos = ["shots", "shot_embeddings", "near_duplicates"]
    with fake_encoder_site(folder / "home", PLUGINS, {"Repeats": [video]}, algos) as live:
        yield live


@pytest.fixture
def page(browser: Browser, site: LiveServer) -> Iterator[Page]:
    with open_page(browser, site.url, "#search-kind option[value=visual]") as tab:
        yield tab


def search_red(page: Page) -> None:
    page.select_option("#search-kind", "visual")
    page.fill("#query", "red")
    page.click("#search-button")
    expect(page.locator("#status")).to_contain_text("Hits")


def test_collapse_similar_shots_folds_the_repeated_shot_into_one_card(page: Page) -> None:
    expect(page.locator("#dedupe-option")).to_be_visible()
    search_red(page)
    cards = page.locator(".card")
    expect(cards).to_have_count(3)
    times = set(cards.locator(".timecode").all_inner_texts())
    assert times >= RED_SHOTS  # both red shots, from the file's start timecode
    expect(page.locator(".similar")).to_have_count(0)

    page.check("#dedupe")  # searches again with dedupe in the chain
    expect(cards).to_have_count(2)
    collapsed = page.locator(".card", has=page.locator(".similar"))
    expect(collapsed).to_have_count(1)
    expect(collapsed.locator(".similar summary")).to_have_text("1 similar shot")
    row = collapsed.locator(".similar-shot")
    expect(row).to_be_hidden()  # folded until expanded
    collapsed.locator(".similar summary").click()
    expect(row).to_be_visible()
    kept = collapsed.locator(".timecode").inner_text()
    member = row.locator(".similar-time").inner_text()
    assert {kept, member} == RED_SHOTS
    assert float(row.locator(".similar-score").inner_text()) <= 1.0

    row.click()  # plays the member's own range
    expect(page.locator("#player")).to_be_visible()
    start, end = member.split(DASH)
    expect(page.locator("#player-in")).to_have_text(start)
    expect(page.locator("#player-out")).to_have_text(end)
    now = page.locator("#player-now")  # counts from the file's start timecode too
    expect(now).to_have_text(re.compile(r"^01:00:0\d:\d\d$"))
    assert start <= now.inner_text() <= end
    source = page.locator("#player-video").get_attribute("src") or ""
    assert source.endswith("#t=" + ("2.000" if start.endswith("02:00") else "0.000"))

    page.keyboard.press("Escape")
    expect(page.locator("#player")).to_be_hidden()
    page.uncheck("#dedupe")
    expect(cards).to_have_count(3)
