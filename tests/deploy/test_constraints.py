"""constraints.txt pins every package `pip install .` brings in, within the ranges asked for.

The runtime closure is walked in the installed environment from pyproject.toml's dependencies
(with their extras and markers, as pip resolves them here): every package in it must be pinned
with `==`, and every pin must meet every range that asks for the package (pyproject's and the
dependencies' own). CI installs with `-c constraints.txt`, so the suite runs on the pins.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, Version]:
    found: dict[str, Version] = {}
    for number, raw in enumerate(CONSTRAINTS.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        exact = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!_-]+)", line)
        assert exact, f"constraints.txt line {number} is not an exact pin: {raw!r}"
        name, version = exact.groups()
        assert canonical(name) not in found, f"line {number}: {name} pinned twice"
        found[canonical(name)] = Version(version)
    return found


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def runtime_closure() -> dict[str, list[Requirement]]:
    """Every package needed at run time -> the requirements that ask for it."""
    asked: dict[str, list[Requirement]] = {}
    todo = [(r, set()) for r in project_requirements()]
    expanded: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement, extras = todo.pop()
        if not applies(requirement, extras):
            continue
        name = canonical(requirement.name)
        asked.setdefault(name, []).append(requirement)
        wanted = frozenset(requirement.extras)
        if (name, wanted) in expanded:
            continue
        expanded.add((name, wanted))
        for text in metadata.requires(requirement.name) or []:
            todo.append((Requirement(text), set(wanted)))
    return asked


def test_every_runtime_dependency_is_pinned_within_its_ranges() -> None:
    pinned = pins()
    closure = runtime_closure()
    assert {"fastapi", "starlette", "pydantic-core", "psycopg-binary", "cffi"} <= set(closure)
    missing = sorted(set(closure) - set(pinned))
    assert missing == [], f"not pinned in constraints.txt: {missing}"
    for name, requirements in closure.items():
        for requirement in requirements:
            assert requirement.specifier.contains(pinned[name], prereleases=True), (
                f"{name}=={pinned[name]} does not meet {requirement}"
            )


def test_the_readme_and_ci_install_with_the_constraints() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.strip() == "pip install -c constraints.txt . && trustguardian serve --demo"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'" in ci
