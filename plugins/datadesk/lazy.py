"""Heavy libraries imported the first time the build uses them, not when the plugin loads.

pandas, Altair, Frictionless and vl-convert take 1.5-2 s to import, and a warm build (every
chart prepared, every dataset's verdict and every article kept) uses none of them. A module
that needs one writes ``pd = lazy.module("pandas")`` where it wrote ``import pandas as pd``;
the name behaves as the module (``pd.DataFrame``, ``isinstance(x, pd.Series)``) and the
import happens at the first attribute read. ``then`` runs once, right after that import,
whichever module's proxy imports it first (the house Altair theme is registered so).
"""

from __future__ import annotations

import importlib
import sys

_then: dict[str, list] = {}
_done: set[str] = set()


def load(name: str):
    """The module ``name``, imported now if it was not, with its ``then`` hooks run once."""
    module = sys.modules.get(name)
    if module is None or name not in _done:
        module = importlib.import_module(name)
        if name not in _done:
            _done.add(name)
            for hook in _then.get(name, ()):
                hook(module)
    return module


class LazyModule:
    """Stands for a module until an attribute of it is read; then it is the module's attribute."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str):
        return getattr(load(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported when first used>"


def module(name: str, then=None) -> LazyModule:
    """A stand-in for ``import name``; ``then(module)`` runs once after the real import."""
    if then is not None:
        if name in _done:  # imported through another stand-in already
            then(sys.modules[name])
        else:
            _then.setdefault(name, []).append(then)
    return LazyModule(name)


# The libraries a build that prepares no chart, validates no dataset and computes no value
# does without (vl-convert, 15 ms to import, is read for its version in the charts' keys).
HEAVY = ("altair", "frictionless", "numpy", "pandas")


def imported_report() -> dict:
    """For the build's report: which of the heavy libraries the process has imported."""
    return {name: name in sys.modules for name in HEAVY}
