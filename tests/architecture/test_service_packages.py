"""service/ is packages by capability, each naming its use cases in its `__init__`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import trustguardian.service as service

SERVICE = Path(service.__file__).parent
# The kernel every capability shares; everything else lives in a capability package.
KERNEL = {"__init__", "context", "pagination", "gc_pause", "exports", "fingerprints"}


def packages() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(SERVICE)]) if m.ispkg)


def test_only_the_kernel_is_flat() -> None:
    flat = {p.stem for p in SERVICE.glob("*.py")}
    assert flat - KERNEL == set(), "put a new use case in its capability's package"
    assert len(packages()) >= 10


def test_each_package_names_its_use_cases_and_they_resolve() -> None:
    for name in packages():
        package = importlib.import_module(f"trustguardian.service.{name}")
        exported = list(package.__all__)
        assert exported, f"service.{name} names no use case"
        assert exported == sorted(package.USE_CASES)
        for use_case in exported:
            function = getattr(package, use_case)
            module = f"trustguardian.service.{name}.{package.USE_CASES[use_case]}"
            assert function.__module__ == module, (name, use_case)
            parameters = list(inspect.signature(function).parameters)
            assert parameters[0] == "ctx", f"{module}.{use_case} does not take the context"
            assert "uow" not in parameters, f"{module}.{use_case} takes a caller's unit of work"


def test_a_use_case_never_hides_a_module_of_the_same_name() -> None:
    for name in packages():
        package = importlib.import_module(f"trustguardian.service.{name}")
        modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
        assert not modules & set(package.__all__), name
        assert inspect.ismodule(
            importlib.import_module(f"trustguardian.service.{name}.{sorted(modules)[0]}")
        )


def test_an_unknown_name_is_an_attribute_error() -> None:
    package = importlib.import_module("trustguardian.service.rights")
    with pytest.raises(AttributeError, match="no_such_use_case"):
        package.no_such_use_case  # noqa: B018
