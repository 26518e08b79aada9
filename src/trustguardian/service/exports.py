"""A capability package's use cases, importable from the package and loaded on first use.

Each `service/<capability>/__init__.py` names its use cases (the functions that take the
context and open their own unit of work). They load lazily (PEP 562) so that importing one
module of a package never imports the whole package, and packages that use each other's helpers
stay free of import cycles.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """The package's `__getattr__`: `where` maps each use case to the module that defines it."""

    def attribute(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return attribute
