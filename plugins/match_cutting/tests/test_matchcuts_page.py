"""The match-cuts page in a real headless browser (Debian's chromium, Playwright) against a live
server: pairs side by side with their scores, A's last and B's first frame loaded from the
source video, a pair played as a cut, and the link from the main page's title filter."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from match_cutting_media import pan_shot, write_video

import reelsearch.plugins.match_cutting as match_cutting
from reelsearch.sdk.testing import RegisterPlugin
from reelsearch.server import LiveServer, create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: apt-get install chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _eventually(page, script: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def test_the_page_shows_pairs_and_plays_a_cut(
    register_plugin: RegisterPlugin, tmp_path: Path
) -> None:
    pans = zip((3, 0, 1, 2), (3, -3, 6, -5), strict=True)
    frames = [f for seed, speed in pans for f in pan_shot(seed, speed, 30)]
    video = write_video(tmp_path / "pans.mp4", frames)
    runtime = register_plugin(match_cutting, plugins=["shots", "content-detector"])
    runtime.ingest([video], title="Pans <b>", algos=["match_cuts"])
    with LiveServer(create_app(runtime)) as live, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(f"{live.url}/static/matchcuts.html?title=Pans%20%3Cb%3E&kind=motion")
        pairs = page.locator(".mc-pair")
        sync_api.expect(pairs.first).to_be_visible()
        assert pairs.count() == 6  # four representatives: every ordered pair but reversals
        assert page.locator("#mc-title").inner_text() == "Match cuts · Pans <b>"
        first = pairs.first.locator(".mc-score").inner_text()
        assert first.startswith("#1 score ")
        assert float(first.split()[-1]) > 0.9  # the two left-to-right pans
        _eventually(
            page,
            "() => [...document.querySelectorAll('.mc-pair video')].every(v => v.readyState >= 2)",
        )
        a_time, b_time = pairs.first.locator("video").evaluate_all(
            "vs => vs.map(v => v.currentTime)"
        )
        assert a_time > b_time or a_time > 0.9  # A paused at its end, B at its start
        pairs.first.locator(".mc-play").click()
        _eventually(page, "() => document.getElementById('mc-player').dataset.phase === 'done'")
        # The main page links the title picked in the title filter to its match cuts.
        page.goto(live.url)
        sync_api.expect(page.locator("#title-filter option[value='Pans <b>']")).to_be_attached()
        page.select_option("#title-filter", "Pans <b>")
        href = page.locator("#matchcuts-link").get_attribute("href")
        assert href == "/static/matchcuts.html?title=Pans+%3Cb%3E"
        browser.close()
