"""Retrieval metrics against hand-computed values, and manifests in JSONL and CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reelsearch.evaluation import (
    ManifestError,
    Pair,
    read_manifest,
    retrieval_metrics,
    target_ranks,
)


def test_ranks_count_ties_against_the_target() -> None:
    similarity = np.array(
        [
            [0.9, 0.1, 0.5],  # target 0 is best: rank 1
            [0.2, 0.3, 0.3],  # target 2 ties with 1: rank 2
            [0.1, 0.8, 0.7],  # target 2 is second: rank 2
            [0.4, 0.4, 0.4],  # everything alike: last
        ]
    )
    assert target_ranks(similarity, [0, 2, 2, 0]).tolist() == [1, 2, 2, 3]


def test_metrics_by_hand() -> None:
    metrics = retrieval_metrics([1, 3, 7, 12])
    assert metrics.queries == 4
    assert metrics.recall == {1: 0.25, 5: 0.5, 10: 0.75}
    assert metrics.median_rank == 5.0
    assert metrics.mean_rank == 5.75
    assert metrics.mean_average_precision == pytest.approx((1 + 1 / 3 + 1 / 7 + 1 / 12) / 4)
    assert metrics.as_dict() == {
        "queries": 4,
        "R@1": 0.25,
        "R@5": 0.5,
        "R@10": 0.75,
        "median_rank": 5.0,
        "mean_rank": 5.75,
        "mAP": pytest.approx(0.3898809),
    }


def test_perfect_and_empty_rankings() -> None:
    perfect = retrieval_metrics([1, 1, 1], ks=(1,))
    assert (perfect.recall, perfect.median_rank, perfect.mean_average_precision) == (
        {1: 1.0},
        1.0,
        1.0,
    )
    with pytest.raises(ValueError, match="no queries"):
        retrieval_metrics([])
    with pytest.raises(ValueError, match="start at 1"):
        retrieval_metrics([0, 2])


def test_jsonl_and_csv_manifests_resolve_videos_next_to_them(tmp_path: Path) -> None:
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text(
        '{"video": "a.mp4", "caption": "a red video"}\n\n'
        '{"video": "/abs/b.mp4", "caption": "a blue video", "extra": 1}\n'
    )
    csv = tmp_path / "set.csv"
    csv.write_text('video,caption\na.mp4,a red video\n/abs/b.mp4,"a blue, calm video"\n')
    assert read_manifest(jsonl) == [
        Pair(tmp_path / "a.mp4", "a red video"),
        Pair(Path("/abs/b.mp4"), "a blue video"),
    ]
    assert read_manifest(csv)[1] == Pair(Path("/abs/b.mp4"), "a blue, calm video")


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.jsonl", '{"video": "a.mp4"}\n', r"bad\.jsonl:1: needs a non-empty"),
        ("bad.jsonl", "not json\n", r"bad\.jsonl:1: not JSON"),
        ("bad.jsonl", "[1, 2]\n", "expected an object"),
        ("bad.csv", "file,text\na.mp4,red\n", "the header lacks caption, video"),
        ("empty.jsonl", "\n", "holds no"),
    ],
)
def test_bad_manifests_are_named_errors(
    tmp_path: Path, name: str, content: str, match: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ManifestError, match=match):
        read_manifest(path)
    with pytest.raises(ManifestError, match="cannot read manifest"):
        read_manifest(tmp_path / "missing.jsonl")
