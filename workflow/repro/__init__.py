"""repro: the shared core and per-paper code of the nagarajan-repro workflow."""
