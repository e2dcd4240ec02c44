"""The character gallery of the web UI in a real headless browser (Debian's ``chromium`` driven
by Playwright) against a live server over the two-person video: crops, names and screen time
per title, naming in place, and a click on a face keeping the search to its shots."""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from character_media import FACES, PLAN, write_video
from served_catalog import reelsearch_colorstats
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.server import LiveServer, create_app
from reelsearch.server.address import ServerFile

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TITLE = "Two <b>people</b>"
PLUGINS = ["shots", "content-detector", "postprocessors", "characters"]

if not CHROMIUM.exists() or importlib.util.find_spec("dlib") is None or not FACES.is_dir():
    pytest.skip(
        f"needs a browser at {CHROMIUM}, the characters extra and tests/data/media/faces",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
Page, expect = sync_api.Page, sync_api.expect


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("characters-ui")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[LiveServer]:
    write_video(folder / "two.mp4")
    with pytest.MonkeyPatch.context() as env:
        for name in ("CONFIG", "STORE_URL", "PLUGINS", "DISABLE_PLUGINS", "API_KEY", "HOME"):
            env.delenv(f"REELSEARCH_{name}", raising=False)
        settings = load_settings(home=folder / "home", plugins=PLUGINS)
    colours = LocalPlugin("colorstats", reelsearch_colorstats)
    with Runtime(settings, plugins=[colours], executor=LocalExecutor()) as runtime:
        runtime.ingest([folder / "two.mp4"], title=TITLE, algos=["characters", "colorstats"])
        with LiveServer(create_app(runtime, warm=False)) as live:
            yield live


@pytest.fixture
def page(server: LiveServer) -> Iterator[Page]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(server.url)
        expect(tab.locator("#title-filter option", has_text=TITLE)).to_be_attached()
        yield tab
        browser.close()


def crops_loaded(page: Page, timeout: float = 10.0) -> None:
    script = (
        "() => [...document.querySelectorAll('.character-face img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, "the character crops did not load"
        page.wait_for_timeout(50)


def test_the_gallery_shows_names_and_keeps_the_search_to_a_face(page: Page) -> None:
    gallery = page.locator("#characters")
    expect(gallery).to_be_hidden()
    page.select_option("#title-filter", TITLE)
    expect(gallery.locator(".character")).to_have_count(2)
    expect(gallery.locator("h2")).to_have_text(f"Characters in {TITLE}")
    crops_loaded(page)
    assert gallery.locator(".character-name").all_inner_texts() == ["Unnamed", "Unnamed"]
    for seconds in gallery.locator(".character-time").all_inner_texts():
        assert seconds.endswith(" s on screen")
        assert float(seconds.split()[0]) > 0

    first = gallery.locator(".character").first
    first.locator("input").fill("[b]Anna[/b] <i>")
    first.locator("button", has_text="Save").click()
    expect(gallery.locator(".character-name").first).to_have_text("[b]Anna[/b] <i>")

    obama = {n for n, shot in enumerate(PLAN) if "obama" in shot.people}
    biden = {n for n, shot in enumerate(PLAN) if "biden" in shot.people}
    first.locator(".character-face").click()
    expect(page.locator("#query-chip")).to_contain_text("[b]Anna[/b] <i>")
    expect(page.locator("#status")).to_contain_text("Hits")
    assert page.locator(".card").count() in (len(obama), len(biden))

    # A text search, then a face: only the hits made while that face is on screen remain.
    page.fill("#query", "blue")
    page.click("#search-button")
    expect(page.locator("#query-chip")).to_contain_text("Text: blue")
    expect(page.locator("#status")).to_contain_text("Hits")
    every_shot = page.locator(".card").count()
    first.locator(".character-face").click()
    expect(page.locator("#query-chip")).to_contain_text("blue · [b]Anna[/b] <i>")
    expect(page.locator("#status")).to_contain_text("Hits")
    assert 0 < page.locator(".card").count() < every_shot

    page.select_option("#title-filter", "")
    expect(gallery).to_be_hidden()


def test_the_cli_goes_through_the_server_that_owns_the_home(
    server: LiveServer, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = folder / "home"
    ServerFile(home).write(server.url)
    monkeypatch.setenv("REELSEARCH_HOME", str(home))
    try:
        listed = CliRunner().invoke(app, ["characters", TITLE, "--json"])
        assert listed.exit_code == 0, listed.output
        people = json.loads(listed.stdout)["characters"]
        assert len(people) == 2
        assert all(p["thumbnail"].startswith(server.url + "/api/media/") for p in people)
        named = CliRunner().invoke(app, ["characters", "name", people[1]["id"], "[red]Ben"])
        assert named.exit_code == 0, named.output
        assert f"{people[1]['id']}  [red]Ben  " in named.stdout
        unknown = CliRunner().invoke(app, ["characters", "split", "c00000000"])
        assert unknown.exit_code == 1
        assert "no character 'c00000000'" in unknown.output
        nothing = CliRunner().invoke(app, ["characters", "No such title"])
        assert nothing.exit_code == 1
        assert "No such title" in nothing.output
    finally:
        (home / "server.json").unlink(missing_ok=True)
