"""Built-in shot-boundary detectors, each a plugin of its own."""
