"""Hostile input to the characters feature: photos without faces, huge or fake images, unknown
character ids, markup and Unicode names, through the CLI and the search API."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from reelsearch.cli import app

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
    code, output = run("search", "--character", MARKUP, "--json")
    assert code == 0, output
    assert json.loads(output)["hits"] == []
