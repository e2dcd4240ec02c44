"""Scoring every pair of shots at once with NumPy: mask IoU, cosine, top-k, groups.

Each function takes one row per shot; a title of 2,000 shots scores its ~2 million pairs as a
few matrix products.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float32]


def unit_rows(vectors: NDArray[np.floating]) -> Matrix:
    """``vectors`` with each row scaled to length 1 (zero rows stay zero)."""
    rows = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def cosine_matrix(left: NDArray[np.floating], right: NDArray[np.floating]) -> Matrix:
    """``[i, j]`` = cosine similarity of ``left[i]`` and ``right[j]``."""
    return unit_rows(left) @ unit_rows(right).T


def iou_matrix(left: NDArray[np.bool_], right: NDArray[np.bool_]) -> Matrix:
    """``[i, j]`` = intersection over union of masks ``left[i]`` and ``right[j]`` (flattened);
    0 where both are empty."""
    a = np.asarray(left, dtype=np.float32)
    b = np.asarray(right, dtype=np.float32)
    inter = a @ b.T
    union = a.sum(axis=1)[:, None] + b.sum(axis=1)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def top_pairs(scores: Matrix, k: int) -> list[tuple[int, int, float]]:
    """The ``k`` best unordered pairs of a square ``scores`` matrix of directed scores
    (``[i, j]``: cutting from ``i`` into ``j``), each once in its better direction.

    Returns:
        ``(outgoing, incoming, score)`` triples, best first; ties in index order.
    """
    n = scores.shape[0]
    if n < 2 or k < 1:
        return []
    forward = scores >= scores.T
    best = np.where(forward, scores, scores.T)
    rows, cols = np.triu_indices(n, k=1)
    values = best[rows, cols]
    k = min(k, values.size)
    chosen = np.argpartition(-values, k - 1)[:k] if k < values.size else np.arange(values.size)
    # Best first; equal scores in index order, so the list never depends on the partition.
    chosen = chosen[np.lexsort((cols[chosen], rows[chosen], -values[chosen]))]
    out = []
    for at in chosen:
        i, j = int(rows[at]), int(cols[at])
        a, b = (i, j) if forward[i, j] else (j, i)
        out.append((a, b, float(values[at])))
    return out


def naive_top_pairs(
    outgoing: list[list[float]], incoming: list[list[float]], k: int, score: str
) -> list[tuple[int, int, float]]:
    """:func:`top_pairs` of the directed scores computed by a plain Python double loop: the
    reference the benchmark times ours against (``score``: ``"cosine"`` or ``"iou"``)."""

    def cosine(x: list[float], y: list[float]) -> float:
        dot = sum(p * q for p, q in zip(x, y, strict=True))
        nx = sum(p * p for p in x) ** 0.5
        ny = sum(q * q for q in y) ** 0.5
        return dot / (nx * ny) if nx and ny else 0.0

    def iou(x: list[float], y: list[float]) -> float:
        inter = sum(1 for p, q in zip(x, y, strict=True) if p and q)
        union = sum(1 for p, q in zip(x, y, strict=True) if p or q)
        return inter / union if union else 0.0

    measure = cosine if score == "cosine" else iou
    found = []
    for i in range(len(outgoing)):
        for j in range(i + 1, len(outgoing)):
            there, back = measure(outgoing[i], incoming[j]), measure(outgoing[j], incoming[i])
            found.append((i, j, there) if there >= back else (j, i, back))
    found.sort(key=lambda t: (-t[2], min(t[0], t[1]), max(t[0], t[1])))
    return found[:k]


def near_duplicate_groups(
    vectors: NDArray[np.floating], threshold: float
) -> tuple[list[int], list[float]]:
    """Group rows in order: each row joins the most similar earlier representative whose
    cosine similarity reaches ``threshold``, or becomes a representative itself.

    Returns:
        For each row, the index of its group's representative (the group's earliest row) and
        its similarity to it.
    """
    n = len(vectors)
    if n == 0:
        return [], []
    similarity = cosine_matrix(vectors, vectors)
    groups = list(range(n))
    scores = [1.0] * n
    is_representative = np.zeros(n, dtype=bool)
    for i in range(n):
        candidates = np.where(is_representative[:i], similarity[i, :i], -np.inf)
        best = int(np.argmax(candidates)) if i else 0
        if i and candidates[best] >= threshold:
            groups[i], scores[i] = best, float(candidates[best])
        else:
            is_representative[i] = True
    return groups, scores
