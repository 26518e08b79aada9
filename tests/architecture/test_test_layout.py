"""No test module imports from another test module: what tests share lives in factories
(`tests/factories/`), in a package's helpers or in a conftest fixture, never in a `test_*.py`
that pytest also collects (importing one runs its module twice under two names and couples two
suites that should fail alone)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def is_test_module(name: str) -> bool:
    """Whether a dotted module name ends in a test module (`test_*`)."""
    return bool(name) and name.rsplit(".", 1)[-1].startswith("test_")


def imports_of_test_modules(source: str) -> list[str]:
    """The modules `source` imports that are test modules, as written (relative ones with dots)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if node.module and is_test_module(node.module):
                found.append(base)
            elif node.level or (node.module or "").split(".")[0] == "tests":
                joiner = "" if base.endswith(".") else "."
                found += [base + joiner + a.name for a in node.names if is_test_module(a.name)]
    return found


def test_no_test_module_imports_another_test_module() -> None:
    offenders = {
        str(path.relative_to(TESTS.parent)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := imports_of_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move what is shared into tests/factories/ or a helpers module"


def test_every_form_of_importing_a_test_module_is_caught() -> None:
    assert imports_of_test_modules("from tests.api.test_registry_api import assert_problem") == [
        "tests.api.test_registry_api"
    ]
    assert imports_of_test_modules("import tests.service.test_tamper as tamper") == [
        "tests.service.test_tamper"
    ]
    assert imports_of_test_modules("from tests.service import test_tamper") == [
        "tests.service.test_tamper"
    ]
    assert imports_of_test_modules("from .test_cli import run") == [".test_cli"]
    assert imports_of_test_modules("from . import test_cli") == [".test_cli"]
    assert imports_of_test_modules("def f():\n    from tests.x.test_y import z\n") == [
        "tests.x.test_y"
    ]
    # What tests may share: factories, helpers, conftest fixtures and the code under test.
    allowed = (
        "from tests.factories.events import make_draft\n"
        "from tests.collect.helpers import setup_collect\n"
        "from tests.conftest import TEST_MASTER_KEY\n"
        "from .helpers import setup_rights\n"
        "from trustguardian.service.verify.full import verify_ledger\n"
        "import pytest\n"
    )
    assert imports_of_test_modules(allowed) == []
