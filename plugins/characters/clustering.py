"""Grouping face tracks (and voices) into people with scikit-learn."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from reelsearch.plugins.characters.models import EXTRA
from reelsearch.sdk import require

Method = Literal["agglomerative", "dbscan"]
Metric = Literal["euclidean", "cosine"]


def cluster(
    vectors: NDArray[np.floating],
    *,
    threshold: float,
    method: Method = "agglomerative",
    metric: Metric = "euclidean",
) -> list[int]:
    """A cluster number for each row of ``vectors``, numbered from 0 in order of first row.

    ``agglomerative``: average linkage, clusters merge while their mean distance is below
    ``threshold``. ``dbscan``: rows within ``threshold`` of each other chain into one cluster
    (``min_samples=1``: every row belongs to one).
    """
    if len(vectors) == 0:
        return []
    if len(vectors) == 1:
        return [0]
    require("sklearn", extra=EXTRA, needed_by="clustering faces and voices")
    from sklearn.cluster import DBSCAN, AgglomerativeClustering

    data = np.asarray(vectors, np.float64)
    if method == "dbscan":
        labels = DBSCAN(eps=threshold, min_samples=1, metric=metric).fit_predict(data)
    else:
        labels = AgglomerativeClustering(
            n_clusters=None, distance_threshold=threshold, metric=metric, linkage="average"
        ).fit_predict(data)
    renumber: dict[int, int] = {}
    return [renumber.setdefault(int(label), len(renumber)) for label in labels]


def split_in_two(vectors: NDArray[np.floating], metric: Metric = "euclidean") -> list[int]:
    """Two groups (0 and 1) of the rows of ``vectors``, as far apart as average linkage finds;
    the group of the first row is 0."""
    if len(vectors) < 2:
        raise ValueError("a cluster of one track cannot be split")
    require("sklearn", extra=EXTRA, needed_by="splitting a character")
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(n_clusters=2, metric=metric, linkage="average").fit_predict(
        np.asarray(vectors, np.float64)
    )
    return [0 if label == labels[0] else 1 for label in labels]
