"""The editor web UI in a real headless browser: Debian's ``chromium`` driven by Playwright,
against a live server on 127.0.0.1 over a real catalog."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from web_ui import (
    Browser,
    Page,
    chromium,  # noqa: F401  (the browser fixture)
    eventually,
    expect,
    open_page,
)

from reelsearch.core.runtime import Runtime
from reelsearch.server import LiveServer, create_app

DASH = "\N{EN DASH}"
TIMECODES = re.compile(rf"^\d\d:\d\d:\d\d:\d\d {DASH} \d\d:\d\d:\d\d:\d\d$")
THUMBNAILS_LOADED = (
    "() => [...document.querySelectorAll('.thumb img')]"
    ".every(i => i.complete && i.naturalWidth > 0)"
)

pytest_plugins = ["served_catalog"]


@pytest.fixture(scope="module")
def server(served_runtime: Runtime) -> Iterator[LiveServer]:
    with LiveServer(create_app(served_runtime)) as live:
        yield live


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    with open_page(browser, server.url, "#search-kind option[value=colorstats]") as tab:
        yield tab


def search_for(page: Page, text: str) -> None:
    page.fill("#query", text)
    page.click("#search-button")
    expect(page.locator("#status")).to_contain_text("Hits")


def hit_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator(".card").evaluate_all("cards => cards.map(c => c.dataset.hitId)")
    return ids


def test_search_shows_hits_grouped_by_title_with_thumbnails(page: Page, tmp_path: Path) -> None:
    search_for(page, "red")
    groups = page.locator(".group h2").all_inner_texts()
    assert sorted(groups) == ["Green Valley", "Night Sky", "Red Planet"]
    assert groups[0] in ("Red Planet", "Green Valley")
    cards = page.locator(".card")
    assert cards.count() == 21
    for timecode in page.locator(".card .timecode").all_inner_texts():
        assert TIMECODES.match(timecode), timecode
    eventually(page, THUMBNAILS_LOADED)
    assert page.locator(".thumb img").count() == 21
    shot = tmp_path / "results.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_clicking_a_thumbnail_plays_the_shot(page: Page) -> None:
    search_for(page, "yellow")
    page.locator(".card .thumb").first.click()
    expect(page.locator("#player")).to_be_visible()
    video = page.locator("#player-video")
    assert "/api/assets/" in (video.get_attribute("src") or ""), "the source, from the in point"
    expect(page.locator("#player-caption")).to_contain_text("Green Valley")
    eventually(
        page,
        "() => { const v = document.getElementById('player-video'); "
        "return v.readyState >= 2 && v.videoWidth > 0; }",
    )
    page.keyboard.press("Escape")
    expect(page.locator("#player")).to_be_hidden()


def test_more_like_this(page: Page) -> None:
    search_for(page, "purple")
    first = page.locator(".card").first
    picked = first.get_attribute("data-hit-id")
    first.locator(".like").click()
    expect(page.locator("#query-chip")).to_contain_text("More like")
    expect(page.locator(".card").first).not_to_have_attribute("data-hit-id", picked or "")
    assert picked not in hit_ids(page)
    assert page.locator(".card").count() > 0


def test_pagination(page: Page) -> None:
    page.select_option("#page-size", "12")
    search_for(page, "blue")
    first_page = hit_ids(page)
    assert len(first_page) == 12
    expect(page.locator("#status")).to_contain_text(f"Hits 1{DASH}12 of 21")
    expect(page.locator("#prev")).to_be_disabled()
    page.click("#next")
    expect(page.locator("#page-label")).to_have_text("Page 2")
    expect(page.locator("#status")).to_contain_text(f"Hits 13{DASH}21 of 21")
    second_page = hit_ids(page)
    assert len(second_page) == 9
    assert set(first_page).isdisjoint(second_page)
    expect(page.locator("#next")).to_be_disabled()
    page.click("#prev")
    expect(page.locator("#page-label")).to_have_text("Page 1")
    expect(page.locator("#status")).to_contain_text(f"Hits 1{DASH}12")
    assert hit_ids(page) == first_page


def test_title_filter(page: Page) -> None:
    page.select_option("#title-filter", "Night Sky")
    search_for(page, "blue")
    assert page.locator(".group h2").all_inner_texts() == ["Night Sky"]


def test_search_by_uploaded_image(page: Page, tmp_path: Path) -> None:
    still = tmp_path / "green.png"
    Image.new("RGB", (48, 48), (30, 180, 60)).save(still)
    page.set_input_files("#image-input", str(still))
    expect(page.locator("#query-chip")).to_contain_text("Image: green.png")
    expect(page.locator("#status")).to_contain_text("Hits")
    assert page.locator(".group h2").first.inner_text() == "Green Valley"


def test_errors_show_in_a_readable_banner(page: Page, tmp_path: Path) -> None:
    search_for(page, "red")
    page.fill("#query", "spaceship")
    page.click("#search-button")
    banner = page.locator("#error-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("colorstats understands colour names, not 'spaceship'")
    page.screenshot(path=str(tmp_path / "error.png"))
    page.click("#error-close")
    expect(banner).to_be_hidden()
    not_image = tmp_path / "notes.png"
    not_image.write_bytes(io.BytesIO(b"not an image").getvalue())
    page.set_input_files("#image-input", str(not_image))
    expect(banner).to_contain_text("not an image")


def test_the_ui_asks_for_the_api_key(browser: Browser, served_runtime: Runtime) -> None:
    settings = served_runtime.settings.model_copy(update={"api_key": "s3cret"})
    keyed = create_app(served_runtime, settings=settings)
    with LiveServer(keyed) as server:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(server.url)
        expect(tab.locator("#key-panel")).to_be_visible()
        expect(tab.locator("#error-banner")).to_contain_text("API key")
        tab.fill("#api-key", "s3cret")
        tab.click("#key-panel button")
        expect(tab.locator("#key-panel")).to_be_hidden()
        expect(tab.locator("#search-kind option[value=colorstats]")).to_be_attached()
        search_for(tab, "red")
        eventually(tab, THUMBNAILS_LOADED)
        context.close()


def test_the_api_docs_render_offline(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context()
    tab = context.new_page()
    elsewhere: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith(server.url) else elsewhere.append(r.url))
    tab.goto(f"{server.url}/api/docs")
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("reelsearch")
    expect(tab.locator(".opblock-summary-path[data-path='/api/search']")).to_be_attached()
    context.close()
    assert elsewhere == []


# ---------------------------------------------------------------- jobs panel


@pytest.fixture(scope="module")
def jobs_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path, Any]]:
    """A server over an empty home whose allowed folder holds a video and a broken one."""
    from runtimes import isolated_settings

    from reelsearch.core.executor import LocalExecutor
    from reelsearch.core.media.sample import PALETTE, write_video

    base = tmp_path_factory.mktemp("jobs-ui")
    root = base / "allowed"
    root.mkdir()
    write_video(root / "sunrise.mp4", [(PALETTE["red"], 12), (PALETTE["blue"], 12)], size=(64, 48))
    (root / "broken.mp4").write_bytes(b"")
    settings = isolated_settings(
        base / "home",
        plugins=["shots", "content-detector", "postprocessors"],
        algos=["shots"],
        ingest_roots=[root],
    )
    with Runtime(settings, executor=LocalExecutor()) as runtime:
        app = create_app(runtime, warm=False)
        with LiveServer(app) as live:
            yield live, root, app


def test_the_jobs_panel_adds_media_and_shows_jobs(
    browser: Browser, jobs_site: tuple[LiveServer, Path, Any], tmp_path: Path
) -> None:
    live, root, app = jobs_site
    tab = browser.new_context().new_page()
    tab.goto(live.url)
    tab.click("#jobs-button")
    expect(tab.locator("#jobs-panel")).to_be_visible()
    tab.fill("#add-path-input", str(root / "sunrise.mp4"))
    tab.fill("#add-title", "Sunrise <b>bold</b>")
    tab.click("#add-path button[type=submit]")
    done = tab.locator(".job.done")
    expect(done).to_have_count(1, timeout=60_000)
    expect(done.locator(".job-files")).to_contain_text("Sunrise <b>bold</b>: ")
    assert tab.locator(".job-files b").count() == 0, "a title is shown as text"

    tab.fill("#add-title", "")
    tab.fill("#add-path-input", str(root / "broken.mp4"))
    tab.click("#add-path button[type=submit]")
    failed = tab.locator(".job.failed")
    expect(failed).to_have_count(1, timeout=60_000)
    expect(failed.locator(".job-error")).to_contain_text("broken.mp4")

    tab.fill("#add-path-input", "/etc/passwd")
    tab.click("#add-path button[type=submit]")
    expect(tab.locator("#error-text")).to_contain_text("not under a folder this server may read")

    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"not a video")
    tab.set_input_files("#upload-input", str(junk))
    expect(tab.locator("#error-text")).to_contain_text("not a video")

    app.state.served.jobs.worker.stop()  # jobs now stay queued: one can be cancelled
    try:
        tab.fill("#add-path-input", str(root / "sunrise.mp4"))
        tab.fill("#add-title", "Later")
        tab.click("#add-path button[type=submit]")
        queued = tab.locator(".job.queued")
        expect(queued).to_have_count(1, timeout=10_000)
        expect(tab.locator("#jobs-badge")).to_have_text("1")
        queued.locator(".job-cancel").click()
        expect(tab.locator(".job.cancelled")).to_have_count(1, timeout=10_000)
    finally:
        app.state.served.jobs.worker.start()
    tab.context.close()
