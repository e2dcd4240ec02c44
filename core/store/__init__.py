"""The vector store: one interface (:mod:`.base`), two Qdrant backends, picked by URL."""
