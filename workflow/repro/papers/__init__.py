"""One sub-package per paper; each exposes its stages (data, train, evaluate, render)."""
