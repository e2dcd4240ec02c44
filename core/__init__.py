"""The reelsearch core: models, extension points, plugin host, store, feature store, executor.

Plugins never import from here; they import :mod:`reelsearch.sdk`.
"""
