"""Hostile input to the characters feature: photos without faces, huge or fake images, unknown
and malformed character ids, markup, Unicode, control characters and overlong names, through
the CLI, the search API and the ``/api/characters`` routes."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.runtime import Runtime
from reelsearch.server.app import create_app

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("dlib") is None, reason="needs the characters extra (dlib)"
)
runner = CliRunner()
MARKUP = "[/bold] [red]Anna[/red] <script>x</script> Ünïcødé 名前"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_a_photo_without_a_face_is_one_clear_error(reelsearch_home: Path, tmp_path: Path) -> None:
    still = tmp_path / "sky.png"
    Image.fromarray(np.full((120, 160, 3), (90, 140, 220), np.uint8)).save(still)
    code, output = run("search", "--face", str(still))
    assert code == 1
    assert "no face found in sky.png" in output


def test_a_file_that_is_not_an_image(reelsearch_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"%PDF-1.4 not a picture")
    code, output = run("search", "--face", str(fake))
    assert code == 1
    assert "photo.jpg is not a readable image" in output


def test_a_huge_image_is_refused_before_decoding(reelsearch_home: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    Image.new("L", (9000, 9000)).save(huge)  # 81 megapixels, a few hundred bytes on disk
    code, output = run("search", "--face", str(huge))
    assert code == 1
    assert "huge.png" in output
    assert "pixels" in output


def test_unknown_character_ids_name_the_id(reelsearch_home: Path) -> None:
    for args in (
        ("characters", "name", "c00000000", "Anna"),
        ("characters", "split", "c00000000"),
        ("characters", "merge", "c00000000", "c11111111"),
        ("characters", "name", "[red]x[/red]", "Anna"),
    ):
        code, output = run(*args)
        assert code == 1, output
        assert f"no character {args[2]!r}" in output


def test_a_title_without_characters_says_so(reelsearch_home: Path) -> None:
    code, output = run("characters", MARKUP)
    assert code == 0
    assert f"no characters in {MARKUP!r}" in output
    code, output = run("characters", MARKUP, "--json")
    assert json.loads(output) == {"characters": []}


def test_a_markup_character_name_searches_as_text(reelsearch_home: Path) -> None:
    result = runner.invoke(app, ["search", "--character", MARKUP, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hits"] == []


# -- over HTTP ---------------------------------------------------------------------------------

ONLY = ["shots", "content-detector", "postprocessors", "characters"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over a catalog holding the two-person video, titled with markup."""
    from reelsearch.plugins.characters.tests.character_media import FACES, write_video

    if not FACES.is_dir():
        pytest.skip("needs tests/data/media/faces")
    folder = tmp_path_factory.mktemp("characters-api")
    write_video(folder / "two.mp4")
    with pytest.MonkeyPatch.context() as env:
        for name in ("CONFIG", "STORE_URL", "PLUGINS", "DISABLE_PLUGINS", "API_KEY", "HOME"):
            env.delenv(f"REELSEARCH_{name}", raising=False)
        settings = load_settings(home=folder / "home", plugins=ONLY)
    with Runtime(settings, executor=LocalExecutor()) as runtime:
        runtime.ingest([folder / "two.mp4"], title=MARKUP, algos=["characters"])
        with TestClient(create_app(runtime, warm=False)) as client:
            yield client


def listed(api: TestClient) -> list[dict[str, Any]]:
    answer = api.get("/api/characters", params={"title": MARKUP})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["characters"])


def problem(answer: Any, status: int) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return str(answer.json()["detail"])


def test_a_titles_characters_come_with_signed_crops(api: TestClient) -> None:
    people = listed(api)
    assert len(people) == 2
    assert people[0]["screen_time"] >= people[1]["screen_time"] > 0
    assert all(p["name"] is None and p["title"] == MARKUP for p in people)
    crop = api.get(people[0]["thumbnail_url"])
    assert crop.status_code == 200
    assert crop.headers["content-type"] == "image/jpeg"
    one = api.get("/api/characters", params={"title": MARKUP, "limit": 1}).json()
    assert (one["total"], len(one["characters"])) == (2, 1)
    people = api.get("/api/characters/across-titles").json()["people"]
    assert sorted(len(p["characters"]) for p in people) == [1, 1]


def test_bad_titles_and_limits(api: TestClient) -> None:
    assert "Ünïcødé" in problem(api.get("/api/characters", params={"title": MARKUP[:-1]}), 404)
    for params in ({"title": ""}, {"title": "x" * 501}, {"title": MARKUP, "limit": 0}, {}):
        problem(api.get("/api/characters", params=params), 422)
    problem(api.get("/api/characters", params={"title": MARKUP, "limit": 10**6}), 422)


def test_unknown_and_malformed_character_ids(api: TestClient) -> None:
    assert "no character 'c00000000'" in problem(api.get("/api/characters/c00000000"), 404)
    for bad in ("C00000000", "c0000000g", "c000000000", "[red]x[red]", "名前"):
        assert "c[0-9a-f]{8}" in problem(api.get(f"/api/characters/{bad}"), 422)
        problem(api.post(f"/api/characters/{bad}/split"), 422)
    for escape in ("..", "%2e%2e%2fetc", "c00000000%2f..%2f..%2fname", "[red]x[/red]"):
        answer = api.post(f"/api/characters/{escape}/split")
        assert answer.status_code in (404, 405, 422)
        assert answer.headers["content-type"] == "application/problem+json"
    problem(api.put("/api/characters/c00000000/name", json={"name": "Anna"}), 404)
    problem(api.post("/api/characters/c00000000/merge", json={"other": "c11111111"}), 404)


def test_names_are_checked_and_kept_as_text(api: TestClient) -> None:
    first = listed(api)[0]["id"]
    at = f"/api/characters/{first}/name"
    assert "control characters" in problem(api.put(at, json={"name": "An\x07na"}), 400)
    assert "cannot be empty" in problem(api.put(at, json={"name": "   "}), 400)
    problem(api.put(at, json={"name": "x" * 101}), 422)
    problem(api.put(at, json={"name": "Anna", "extra": 1}), 422)
    problem(api.put(at, json={"name": 7}), 422)
    problem(api.put(at, content=b"{not json", headers={"content-type": "application/json"}), 422)
    named = api.put(at, json={"name": f"  {MARKUP}  "})
    assert named.status_code == 200
    assert named.json()["name"] == MARKUP
    assert api.get(f"/api/characters/{first}").json()["name"] == MARKUP
    assert api.put(at, json={"name": None}).json()["name"] is None


def test_merge_and_split_refuse_what_makes_no_sense(api: TestClient) -> None:
    first, second = (p["id"] for p in listed(api))
    assert "same character" in problem(
        api.post(f"/api/characters/{first}/merge", json={"other": first}), 400
    )
    problem(api.post(f"/api/characters/{first}/merge", json={"other": "../x"}), 422)
    problem(api.post(f"/api/characters/{first}/merge", json={}), 422)
    parts = api.post(f"/api/characters/{first}/split")
    assert parts.status_code == 200, parts.text
    kept, moved = parts.json()["characters"]
    assert kept["id"] == first
    merged = api.post(f"/api/characters/{first}/merge", json={"other": moved["id"]})
    assert merged.status_code == 200
    assert sorted(merged.json()["shots"]) == sorted(kept["shots"] + moved["shots"])
    assert {p["id"] for p in listed(api)} == {first, second}


def test_search_by_character_and_by_face_over_http(api: TestClient, tmp_path: Path) -> None:
    from reelsearch.plugins.characters.tests.character_media import FACES, HELD_OUT, PLAN

    obama = {n for n, shot in enumerate(PLAN) if "obama" in shot.people}
    with (FACES / HELD_OUT).open("rb") as photo:
        by_face = api.post(
            "/api/search/image",
            files={"file": ("face.jpg", photo, "image/jpeg")},
            data={"params": json.dumps({"algos": ["characters"], "limit": len(obama)})},
        )
    assert by_face.status_code == 200, by_face.text
    assert {h["shot_index"] for h in by_face.json()["hits"]} == obama
    person = next(p for p in listed(api) if set(p["shots"]) == obama)
    by_id = api.post("/api/search", json={"text": person["id"], "algos": ["characters"]})
    assert {h["shot_index"] for h in by_id.json()["hits"]} == obama
    api.put(f"/api/characters/{person['id']}/name", json={"name": "Barack"})
    by_name = api.post("/api/search", json={"text": "barack", "algos": ["characters"]})
    assert {h["shot_index"] for h in by_name.json()["hits"]} == obama
    assert all(h["extra"]["character"] == "Barack" for h in by_name.json()["hits"])
    sky = tmp_path / "sky.png"
    Image.fromarray(np.full((120, 160, 3), (90, 140, 220), np.uint8)).save(sky)
    with sky.open("rb") as photo:
        answer = api.post(
            "/api/search/image",
            files={"file": ("sky.png", photo, "image/png")},
            data={"params": json.dumps({"algos": ["characters"]})},
        )
    assert "no face found" in problem(answer, 400)
