"""Lazy stage exports for paper packages: `stage="<paper>.train"` imports only the module that
defines `train`, so a training job does not pay for the plotting imports of `render`."""
from __future__ import annotations

import importlib
from typing import Callable


def lazy_stages(package: str, stages: dict[str, str]) -> Callable[[str], object]:
    """A module-level __getattr__ for `package` resolving each stage name to its submodule."""
    def __getattr__(name: str):
        if name in stages:
            return getattr(importlib.import_module(f"{package}.{stages[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return __getattr__
