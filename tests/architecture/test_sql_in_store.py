"""SQL lives in the store: no module outside `trustguardian.store` holds SQL text, imports
SQLAlchemy or a database driver, or branches on the database it runs on.

Each rule names the file and line that breaks it, so a new query written in a use case, a web
page or the CLI fails here and goes into a store repository instead.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import trustguardian

PACKAGE = Path(trustguardian.__file__).parent
STORE = PACKAGE / "store"
# A string that starts like a statement: an upper-case keyword followed by more text (an HTTP
# method name alone, "DELETE", is not SQL).
SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|PRAGMA|CREATE|DROP|ALTER)\s+\S")
DRIVERS = ("sqlalchemy", "sqlite3", "psycopg", "psycopg2", "alembic")
# Raw statements and questions about the database in use.
RAW_CALLS = {"exec_driver_sql", "get_backend_name"}
# The table definitions and the raw bulk writer: only repositories build statements on them.
STORE_INSIDES = re.compile(r"trustguardian\.store\.(tables\w*|bulk)$")


def outside_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORE not in p.parents)


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"


def _text_start(node: ast.AST) -> str | None:
    """The leading literal text of a string or f-string node."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def breaches(path: Path, source: str) -> list[str]:
    """Every SQL string, SQL text call, driver import and dialect question in a module."""
    tree = ast.parse(source, filename=str(path))
    found: list[str] = []
    from_drivers: set[str] = set()
    in_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            in_fstring.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DRIVERS:
                    found.append(f"{_where(path, node)}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in DRIVERS:
                found.append(f"{_where(path, node)}: imports from {node.module}")
                from_drivers.update(a.asname or a.name for a in node.names)
            named = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            if any(STORE_INSIDES.match(n) for n in named):
                found.append(f"{_where(path, node)}: imports the store's tables")
        elif isinstance(node, ast.Constant | ast.JoinedStr) and id(node) not in in_fstring:
            start = _text_start(node)
            if start is not None and SQL.match(start):
                found.append(f"{_where(path, node)}: SQL text {start.strip()[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr == "dialect":
            found.append(f"{_where(path, node)}: asks for the database dialect")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "text" and func.id in from_drivers:
            found.append(f"{_where(path, node)}: text(...) statement")
        elif isinstance(func, ast.Attribute) and func.attr in RAW_CALLS:
            found.append(f"{_where(path, node)}: calls {func.attr}")
    return found


def test_no_module_outside_the_store_holds_sql() -> None:
    modules = outside_store()
    assert len(modules) > 100, f"found only {len(modules)} modules under {PACKAGE}"
    found = [b for path in modules for b in breaches(path, path.read_text(encoding="utf-8"))]
    assert not found, "SQL outside trustguardian/store:\n" + "\n".join(found)


def test_the_scan_finds_each_kind_of_breach() -> None:
    """The rules would catch what they are for: each line below breaks one of them."""
    source = """
import sqlite3
from sqlalchemy import text, select
from trustguardian.store import tables as t
QUERY = "SELECT id FROM events WHERE seq = ?"
LATER = f"INSERT INTO events ({1}) VALUES (?)"
WORDS = ("  PRAGMA integrity_check")
def run(connection, engine):
    connection.execute(text("whatever"))
    connection.exec_driver_sql(QUERY)
    return engine.dialect.name, engine.url.get_backend_name()
"""
    found = breaches(PACKAGE / "service" / "example.py", source)
    kinds = [line.split(": ", 1)[1].split(" ")[0] for line in found]
    assert sorted(kinds) == sorted(
        [
            "imports",
            "imports",
            "imports",
            "SQL",
            "SQL",
            "SQL",
            "text(...)",
            "calls",
            "asks",
            "calls",
        ]
    ), found
    assert found[0].startswith("trustguardian/service/example.py:2: ")


def test_words_that_only_look_like_sql_pass() -> None:
    source = '''
"""Updates the state. With evidence, select the rows."""
METHODS = ["DELETE", "UPDATE"]
def text(language, name):
    return name
BODY = text("it", "Select the purposes you agree to")
'''
    assert breaches(PACKAGE / "web" / "example.py", source) == []
