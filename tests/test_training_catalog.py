"""Weak pairs from the catalog (``reelsearch train --from-catalog``): generated videos of three
coloured shots (cuts at 2 and 4 s) with SubRip sidecars are ingested (shots and dialogue); each
shot pairs with the lines whose middle falls in it, shots with too few words are left out, the
title filter holds, and a short training run on those pairs completes on a real local Ray."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from runtimes import isolated_runtime
from test_training import FAST, reelsearch, training_env
from tiny_clip import save_layout_clip

from reelsearch.core.runtime import Runtime
from reelsearch.sdk.testing import PALETTE, write_video
from reelsearch.training.pairs import Skipped, TrainingError, pairs_from_catalog

SHOT_S = 2
"""Each video: three shots of ``SHOT_S`` seconds (48 frames at 24 fps)."""


def subtitles(first: str, straddling: str, last: str) -> str:
    """Lines: ``first`` inside shot 0; ``straddling`` across the first cut (its middle in shot
    1) then "Run now." inside shot 1; ``last`` inside shot 2."""
    return (
        f"1\n00:00:00,300 --> 00:00:01,500\n{first}\n\n"
        f"2\n00:00:01,700 --> 00:00:02,900\n{straddling}\n\n"
        "3\n00:00:03,000 --> 00:00:03,800\nRun now.\n\n"
        f"4\n00:00:04,400 --> 00:00:05,200\n{last}\n"
    )


TITLES = {
    "Alpha": (("red", "blue", "green"), ("The red door opens tonight.", "Hide in a barn.", "Hi.")),
    "Beta": (("blue", "green", "red"), ("Snow falls on the harbour.", "Light the lamp.", "No.")),
    "Gamma": (("green", "red", "blue"), ("Horses cross the river at dawn.", "Follow them.", "Hm.")),
    "Delta": (("green", "blue", "red"), ("Nobody trains on this title.", "Stay out.", "Ok.")),
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Runtime]]:
    """A data home with the four titles ingested (shots and dialogue); its runtime."""
    root = tmp_path_factory.mktemp("catalog")
    videos = root / "videos"
    videos.mkdir()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")  # nothing may download: the text model is bundled
        with isolated_runtime(root / "home") as rs:
            for title, (colours, lines) in TITLES.items():
                video = videos / f"{title.lower()}.mp4"
                write_video(video, [(PALETTE[c], 24 * SHOT_S) for c in colours])
                (videos / f"{title.lower()}.en.srt").write_text(subtitles(*lines))
                rs.ingest([video], title=title, algos=["shots", "dialogue"])
            yield root, rs


def test_each_shot_pairs_with_the_dialogue_spoken_over_it(
    catalog: tuple[Path, Runtime],
) -> None:
    _, rs = catalog
    skipped = Skipped()
    pairs = pairs_from_catalog(rs, skipped, titles=["Alpha"], min_words=1)
    assert [(p.start_frame, p.end_frame, p.caption) for p in pairs] == [
        (0, 48, "The red door opens tonight."),
        (48, 96, "Hide in a barn. Run now."),  # the straddling line falls in shot 1
        (96, 144, "Hi."),
    ]
    assert {p.video for p in pairs} == {str(rs.catalog.assets(["Alpha"])[0].uri)}
    assert [p.origin for p in pairs] == ["catalog:Alpha#0", "catalog:Alpha#1", "catalog:Alpha#2"]
    assert skipped.total == 0


def test_shots_with_too_few_words_are_left_out_and_counted(
    catalog: tuple[Path, Runtime],
) -> None:
    _, rs = catalog
    skipped = Skipped()
    pairs = pairs_from_catalog(rs, skipped, titles=["Alpha", "Beta"], min_words=4)
    assert sorted(p.caption for p in pairs) == [
        "Hide in a barn. Run now.",
        "Light the lamp. Run now.",
        "Snow falls on the harbour.",
        "The red door opens tonight.",
    ]
    assert skipped.as_dict() == {"shot with too little dialogue": 2}
    assert any("catalog:Beta#2: under 4 words" in message for message in skipped.messages)

    skipped = Skipped()
    assert pairs_from_catalog(rs, skipped, titles=["Alpha"], min_words=7) == []
    assert skipped.total == 3


def test_the_title_filter_keeps_other_titles_out(catalog: tuple[Path, Runtime]) -> None:
    _, rs = catalog
    everything = pairs_from_catalog(rs, Skipped(), min_words=1)
    assert len(everything) == 12
    chosen = pairs_from_catalog(rs, Skipped(), titles=["Gamma", "Delta"], min_words=1)
    assert {p.origin.split("#")[0] for p in chosen} == {"catalog:Gamma", "catalog:Delta"}
    with pytest.raises(TrainingError, match="no titles Nowhere"):
        pairs_from_catalog(rs, Skipped(), titles=["Nowhere"])


def test_a_short_run_trains_on_the_catalog_pairs(
    catalog: tuple[Path, Runtime], tmp_path: Path
) -> None:
    root, rs = catalog
    home = root / "home"
    excluded = rs.catalog.assets(["Delta"])[0].content_hash
    rs.close()  # the CLI process takes the home's lock
    model = save_layout_clip(tmp_path / "layout-clip")
    env = training_env(tmp_path, model) | {"REELSEARCH_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    options = [*FAST[FAST.index("--lr") :]]
    options[options.index("--held-out") + 1] = "0.34"
    args = ["train", "--from-catalog", "--title", "Alpha", "--title", "Beta", "--title", "Gamma"]
    args += ["--min-words", "3", "--epochs", "2", "--batch-size", "2", *options, "--run", "weak"]
    result = reelsearch(args, env)
    assert result.returncode == 0, result.stderr[-3000:]

    report = json.loads((home / "models" / "weak" / "report.json").read_text())
    # two shots of three per title have 3 words or more; one title of three is held out
    assert report["pairs"] == {"train": 4, "held_out": 2, "videos_train": 2, "videos_held_out": 1}
    assert [row["epoch"] for row in report["epochs"]] == [0, 1, 2]
    assert report["frames"]["decoded_videos"] == 3
    run = json.loads((home / "features" / "training" / "weak" / "run.json").read_text())
    assert run["source"] == "catalog ['Alpha', 'Beta', 'Gamma']"
    assert run["skipped"] == {"shot with too little dialogue": 3}
    assert excluded not in {pair["content_hash"] for pair in run["pairs"]}
    assert {pair["caption"] for pair in run["pairs"]} >= {"The red door opens tonight."}
