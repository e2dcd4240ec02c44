"""A bounded, thread-safe LRU cache of text embeddings: repeated queries skip the text tower."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from numpy.typing import NDArray


class TextCache:
    """The vectors of the ``capacity`` most recently used texts.

    Args:
        capacity: Most texts kept; 0 disables the cache.

    Attributes:
        hits: Lookups answered from the cache.
        misses: Lookups that were not.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> NDArray[np.float32] | None:
        """The cached vector of ``text`` (a copy), marking it most recently used."""
        with self._lock:
            vector = self._vectors.get(text)
            if vector is None:
                self.misses += 1
                return None
            self._vectors.move_to_end(text)
            self.hits += 1
            return vector.copy()

    def put(self, text: str, vector: NDArray[np.float32]) -> None:
        """Keep ``vector`` for ``text``, dropping the least recently used beyond capacity."""
        if self.capacity == 0:
            return
        with self._lock:
            self._vectors[text] = vector.copy()
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)
