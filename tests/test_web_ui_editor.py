"""The editor's side of the web UI in real chromium: why each hit matched (line, speaker,
highlighted words, searcher, mode and scores), order within a title, keyboard navigation,
the player's in and out points and frame steps, and selected hits downloaded as an EDL."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_ui import (
    Browser,
    Page,
    chromium,  # noqa: F401  (the browser fixture)
    eventually,
    expect,
    fake_encoder_site,
    open_page,
    sync_api,
)

from reelsearch.sdk.testing import PALETTE, write_video
from reelsearch.server import LiveServer

Locator = sync_api.Locator

PLUGINS = ["shots", "content-detector", "postprocessors", "dialogue", "sentence-transformers"]
PLUGINS += ["visual"]
HOSTILE_TITLE = "Lab <img src=x onerror=alert(1)>"
SRT = """\
1
00:00:00,500 --> 00:00:01,800
ELEVEN: Friends don't lie.

2
00:00:02,200 --> 00:00:03,500
MIKE: We have to find the gate before dark.

3
00:00:04,100 --> 00:00:05,600
DUSTIN: Friends help friends find the gate.
"""
HOSTILE_SRT = """\
1
00:00:00,500 --> 00:00:01,800
KEEPER: Friends keep the light &amp; the <b>lamp</b> lit.
"""


@pytest.fixture(scope="module")
def editor_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Two titles with subtitles (speakers in ``NAME:`` form) and visual shot embeddings of
    the SDK's fake encoder (colour names), at 24 fps with thumbnails and clips."""
    folder = tmp_path_factory.mktemp("editor-ui")
    hawkins = write_video(
        folder / "hawkins.mp4",
        [(PALETTE[c], 48) for c in ("red", "blue", "green")],
        size=(320, 180),
        moving_square=True,
    )
    (folder / "hawkins.en.srt").write_text(SRT)
    lab = write_video(folder / "lab.mp4", [(PALETTE["red"], 48)], size=(320, 180))
    (folder / "lab.en.srt").write_text(HOSTILE_SRT)
    algos = ["shots", "dialogue", "shot_embeddings"]
    titles = {"Hawkins": [hawkins], HOSTILE_TITLE: [lab]}
    with fake_encoder_site(folder / "home", PLUGINS, titles, algos) as live:
        yield live


@pytest.fixture
def page(browser: Browser, editor_site: LiveServer) -> Iterator[Page]:
    """A fresh page on the UI with downloads accepted."""
    ready = "#search-kind option[value=dialogue]"
    with open_page(browser, editor_site.url, ready, accept_downloads=True) as tab:
        expect(tab.locator("#speaker-filter option[value=Mike]")).to_be_attached()
        yield tab


def search(page: Page, text: str, kind: str = "") -> None:
    page.select_option("#search-kind", kind)
    page.fill("#query", text)
    page.click("#search-button")
    expect(page.locator("#status")).to_contain_text("Hits")


def card_of(page: Page, line: str) -> Locator:
    return page.locator(".card", has=page.locator(".line", has_text=line))


def timecodes(page: Page) -> list[str]:
    return page.locator(".group").first.locator(".timecode").all_inner_texts()


def scores(page: Page) -> list[float]:
    texts = page.locator(".group").first.locator(".score").all_inner_texts()
    return [float(text.split()[1]) for text in texts]


def test_cards_show_the_line_its_speaker_and_the_matched_words(page: Page, tmp_path: Path) -> None:
    search(page, "friends", "dialogue")
    eleven = card_of(page, "Friends don't lie.")
    expect(eleven.locator(".line .speaker")).to_have_text("Eleven")
    assert eleven.locator(".line mark").all_inner_texts() == ["Friends"]
    both = card_of(page, "help friends")
    expect(both.locator(".line .speaker")).to_have_text("Dustin")
    assert both.locator(".line mark").all_inner_texts() == ["Friends"]
    expect(both.locator(".badge").first).to_have_text("dialogue")
    expect(both.locator(".badge.mode")).to_have_text("phrase")
    assert 1.0 <= scores(page)[0] <= 2.0, "an exact hit scores 1 to 2, shown raw"
    eventually(page, "() => [...document.querySelectorAll('.thumb img')].every(i => i.complete)")
    page.screenshot(path=str(tmp_path / "dialogue.png"), full_page=True)


def test_markup_in_titles_and_lines_renders_as_text(page: Page) -> None:
    search(page, "friends", "dialogue")
    expect(page.locator(".group h2", has_text="Lab")).to_have_text(HOSTILE_TITLE)
    assert page.locator(".group-head img, .line img, img[src='x']").count() == 0
    keeper = card_of(page, "lamp")
    expect(keeper.locator(".line .speaker")).to_have_text("Keeper")
    children = keeper.locator(".line").evaluate("q => [...q.children].map(c => c.tagName)")
    assert set(children) <= {"SPAN", "MARK"}, children
    expect(keeper.locator(".line")).to_contain_text("lit.")


def test_within_a_title_best_first_or_by_time_above_a_min_score(page: Page) -> None:
    search(page, "green", "visual")
    best = scores(page)
    assert best == sorted(best, reverse=True)
    assert best[0] > best[-1]
    assert timecodes(page)[0].startswith("00:00:04:00"), "the green shot, 4 s in, is best"
    page.fill("#min-score", "0.5")
    search(page, "green", "visual")
    assert scores(page) == [score for score in best if score >= 0.5]
    page.fill("#min-score", "")
    search(page, "green", "visual")
    page.select_option("#sort-order", "time")
    in_time = timecodes(page)
    assert in_time == sorted(in_time)
    assert in_time[0].startswith("00:00:00:00")


def test_more_like_this_only_where_a_like_query_is_answered(page: Page) -> None:
    search(page, "green", "visual")
    visual = page.locator(".card")
    assert visual.locator(".like", has_text="More like this").count() == visual.count()
    search(page, "friends", "dialogue")
    dialogue = page.locator(".card")
    assert dialogue.count() == 3
    assert dialogue.locator(".like", has_text="More like this").count() == 0
    card_of(page, "Friends don't lie.").locator(".lines-like").click()
    expect(page.locator("#query-chip")).to_contain_text("Lines like: Friends don't lie.")
    expect(page.locator(".card .badge.mode").first).to_have_text("semantic")


def test_speaker_alone_and_while_someone_says(page: Page) -> None:
    page.select_option("#speaker-filter", "Mike")
    page.click("#search-button")
    expect(page.locator("#query-chip")).to_contain_text("Lines of: Mike")
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card .line .speaker")).to_have_text("Mike")
    page.select_option("#speaker-filter", "")
    page.fill("#with-text", "gate")
    search(page, "blue", "visual")
    cards = page.locator(".card")
    assert cards.count() == 2, "the shots where a line says gate"
    for partner in cards.locator(".partner").all():
        expect(partner.locator("mark")).to_have_text("gate")


def test_keyboard_moves_through_the_grid_selects_and_plays(page: Page) -> None:
    search(page, "green", "visual")
    ids = page.locator(".card").evaluate_all("cs => cs.map(c => c.dataset.hitId)")
    focused = "() => document.activeElement.dataset.hitId"
    page.locator(".card").first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate(focused) == ids[1]
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(focused) == ids[0]
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "the focused card shows it"
    page.keyboard.press("Space")
    expect(page.locator(".card.selected")).to_have_count(1)
    expect(page.locator("#selection-count")).to_have_text("1 hit selected")
    page.keyboard.press("Space")
    expect(page.locator("#selection-bar")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#player")).to_be_visible()


def frame_timecode(frame: int) -> str:
    """A 24 fps timecode: the sources here have no start timecode."""
    return f"00:00:{frame // 24:02d}:{frame % 24:02d}"


def test_selected_hits_download_as_an_edl_of_those_hits(page: Page) -> None:
    search(page, "friends", "dialogue")
    for line in ("Friends don't lie.", "help friends"):
        card_of(page, line).locator(".pick input").check()
    expect(page.locator("#selection-count")).to_have_text("2 hits selected")
    page.select_option("#export-format", "edl")
    with page.expect_download() as info:
        page.click("#export-button")
    download = info.value
    assert download.suggested_filename.endswith(".edl")
    edl = Path(download.path()).read_text()
    events = re.findall(r"^\d{3}\s+\S+\s+V\s+C\s+(\S+) (\S+) \S+ \S+$", edl, flags=re.MULTILINE)
    # The lines' cues (0.5-1.8 s, 4.1-5.6 s): in at the frame holding the start, out (as CMX
    # counts it) at the frame after the one holding the end.
    cues = [(0.5, 1.8), (4.1, 5.6)]
    expected = [
        (frame_timecode(math.floor(a * 24)), frame_timecode(math.ceil(b * 24))) for a, b in cues
    ]
    assert sorted(events) == expected, edl
    assert edl.count("hawkins.mp4") >= 2


def test_the_player_stops_at_the_out_point_and_steps_by_frame(page: Page) -> None:
    search(page, "gate", "dialogue")
    card = card_of(page, "help friends")
    start, end = card.locator(".timecode").inner_text().split(" \N{EN DASH} ")
    card.locator(".thumb").click()
    expect(page.locator("#player-in")).to_have_text(start)
    expect(page.locator("#player-out")).to_have_text(end)
    video = "document.getElementById('player-video')"
    eventually(page, f"() => {video}.paused && {video}.currentTime >= 5.55", timeout=20)
    assert page.evaluate(f"() => {video}.currentTime") < 5.6 + 1 / 24
    expect(page.locator("#player-now")).to_have_text("00:00:05:14")
    page.keyboard.press(",")
    expect(page.locator("#player-now")).to_have_text("00:00:05:13")
    page.click("#frame-forward")
    page.click("#frame-forward")
    expect(page.locator("#player-now")).to_have_text("00:00:05:15")
