"""Faces, characters, names and search on a generated video of two people (real dlib models).

The video (``character_media.py``) has shots of each person zooming and panning, shots with
both and shots with none; ``obama2.jpg`` is kept out of it to search by.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from character_media import FACES, HELD_OUT, PLAN, write_video
from typer.testing import CliRunner

import reelsearch.plugins.characters as characters
from reelsearch.cli import app
from reelsearch.plugins.characters.clustering import cluster, split_in_two
from reelsearch.plugins.characters.tracking import Detection, track_faces
from reelsearch.sdk import FaceBox, SearchRequest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("dlib") is None or not FACES.is_dir(),
    reason="needs the characters extra (dlib) and tests/data/media/faces",
)
PLUGINS = ["shots", "content-detector", "postprocessors"]


def _search(runtime, **query) -> list:
    return runtime.search(SearchRequest(algos=["characters"], limit=50, **query)).hits


def _truth(person: str) -> set[int]:
    return {n for n, shot in enumerate(PLAN) if person in shot.people}


def test_two_people_tracked_clustered_named_and_found(register_plugin, tmp_path: Path) -> None:
    video = write_video(tmp_path / "two.mp4") and tmp_path / "two.mp4"
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([video], title="Two", algos=["characters"])
    book = characters.book(runtime.store)

    tracks = [p.payload for p in runtime.store.points("face_tracks")]
    by_shot: dict[int, int] = {}
    for track in tracks:
        by_shot[track["shot_index"]] = by_shot.get(track["shot_index"], 0) + 1
    assert by_shot == {n: len(s.people) for n, s in enumerate(PLAN) if s.people}
    assert all(Path(runtime.settings.home, t["thumbnail"]).is_file() for t in tracks)

    people = book.characters(book.asset_ids("Two"))
    assert sorted(set(c.shots) for c in people) == sorted([_truth("obama"), _truth("biden")])
    obama = next(c for c in people if set(c.shots) == _truth("obama"))
    biden = next(c for c in people if c.id != obama.id)
    assert obama.screen_time > 0
    assert obama.name is None

    book.name(obama.id, "Barack <b>[bold]</b>")
    found = _search(runtime, text="barack <B>[BOLD]</B>")
    assert {h.shot_index for h in found} == _truth("obama")
    assert all(h.extra["character"] == "Barack <b>[bold]</b>" for h in found)
    assert _search(runtime, text="Joe") == []

    by_face = _search(runtime, image=str(FACES / HELD_OUT))
    first = by_face[: len(_truth("obama"))]
    assert {h.shot_index for h in first} == _truth("obama")

    # Both on screen: one character's hits intersected with the other's.
    book.name(biden.id, "Joe")
    both = runtime.search(
        SearchRequest(
            text="Joe",
            algos=["characters"],
            intersect=[{"query": {"text": "Barack <b>[bold]</b>", "algos": ["characters"]}}],
        )
    ).hits
    assert {h.shot_index for h in both} == _truth("obama") & _truth("biden")

    # Names hold when the clusters and the tracks are computed again.
    runtime2 = register_plugin(
        characters,
        plugins=PLUGINS,
        components={"algos": {"characters": {"threshold": 0.55}, "faces": {"every_seconds": 0.45}}},
    )
    runtime.close()
    runtime2.ingest([video], title="Two", algos=["characters"])
    assert {h.shot_index for h in _search(runtime2, text="Joe")} == _truth("biden")
    book2 = characters.book(runtime2.store)
    names = {c.name: set(c.shots) for c in book2.characters(book2.asset_ids("Two"))}
    assert names == {"Barack <b>[bold]</b>": _truth("obama"), "Joe": _truth("biden")}

    # Split a character in two, then merge the parts back: one character, its name kept.
    kept, moved = book2.split(obama.id)
    assert kept.name == "Barack <b>[bold]</b>"
    assert moved.name is None
    assert set(kept.shots) | set(moved.shots) == _truth("obama")
    merged = book2.merge(kept.id, moved.id)
    assert set(merged.shots) == _truth("obama")
    assert merged.name == "Barack <b>[bold]</b>"
    assert len(book2.characters(book2.asset_ids("Two"))) == 2


def test_a_title_without_faces_has_no_characters(register_plugin, tmp_path: Path) -> None:
    faceless = tuple(s for s in PLAN if not s.people)
    video = tmp_path / "empty.mp4"
    write_video(video, faceless)
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([video], title="Empty", algos=["characters"])
    book = characters.book(runtime.store)
    assert book.characters(book.asset_ids("Empty")) == []
    assert _search(runtime, text="anyone") == []


def _detection(frame: int, box: tuple[int, int, int, int], vector: list[float]) -> Detection:
    return Detection(
        frame,
        FaceBox(left=box[0], top=box[1], right=box[2], bottom=box[3]),
        np.asarray(vector, np.float32),
        np.zeros((2, 2, 3), np.uint8),
    )


def test_tracks_follow_overlap_and_likeness() -> None:
    a, b = [0.0, 0.0], [1.0, 0.0]
    frames = [
        [_detection(0, (0, 0, 50, 50), a), _detection(0, (100, 0, 150, 50), b)],
        [_detection(5, (105, 0, 155, 50), b), _detection(5, (5, 0, 55, 50), a)],
        [_detection(9, (300, 0, 350, 50), [0.05, 0.0])],  # moved far: joined by likeness
    ]
    tracks = track_faces(frames, max_distance=0.6)
    assert [[d.frame for d in t.detections] for t in tracks] == [[0, 5, 9], [0, 5]]


def test_clustering_and_splitting() -> None:
    rows = np.asarray([[0, 0], [0.1, 0], [2, 2], [2.1, 2], [0, 0.1]])
    assert cluster(rows, threshold=0.6) == [0, 0, 1, 1, 0]
    assert cluster(rows, threshold=0.6, method="dbscan") == [0, 0, 1, 1, 0]
    assert split_in_two(rows) == [0, 0, 1, 1, 0]
    assert cluster(rows[:0], threshold=0.6) == []


def test_characters_grouped_across_titles(register_plugin, tmp_path: Path) -> None:
    first, second = tmp_path / "one.mp4", tmp_path / "two.mp4"
    write_video(first, PLAN[:6])
    write_video(second, PLAN[6:])
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([first], title="One", algos=["characters"])
    runtime.ingest([second], title="Two", algos=["characters"])
    book = characters.book(runtime.store)

    people = book.across_titles()
    assert len(people) == 2
    assert all(sorted(v.title for v in person) == ["One", "Two"] for person in people)
    plans = {"One": PLAN[:6], "Two": PLAN[6:]}
    for person in people:
        who = set()
        for view in person:
            for name in ("obama", "biden"):
                truth = {n for n, shot in enumerate(plans[view.title]) if name in shot.people}
                if set(view.shots) == truth:
                    who.add(name)
        assert len(who) == 1, person

    # Named alike, two characters are one person whatever the threshold says.
    anna, other = people[0][0], people[1][0]
    book.name(anna.id, "Anna")
    book.name(other.id, "anna")
    grouped = book.across_titles(threshold=0.01)
    assert sorted(len(group) for group in grouped) == [1, 1, 2]
    runtime.close()

    listed = CliRunner().invoke(app, ["characters", "--catalog", "--json"])
    assert listed.exit_code == 0, listed.output
    groups = json.loads(listed.stdout)["people"]
    # "Anna" (one person's) and "anna" (the other's) are one; the rest goes by face.
    assert sorted(len(g["characters"]) for g in groups) == [1, 3]
    text = CliRunner().invoke(app, ["characters", "--catalog"]).stdout
    assert text.count("person ") == 2
    assert text.count("Anna  in") == 1
    assert "Anna  in 'One'" in text or "Anna  in 'Two'" in text
    refused = CliRunner().invoke(app, ["characters", "--catalog", "One"])
    assert refused.exit_code == 1
    assert "--catalog takes no title" in refused.output
