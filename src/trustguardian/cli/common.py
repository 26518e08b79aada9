"""Shared CLI plumbing: settings from flags, one context per run, Rich output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from trustguardian.service.context import Context
from trustguardian.service.ops.binding import open_instance
from trustguardian.settings import Settings

console = Console()
JSON = typer.Option(False, "--json", help="Print JSON (for scripts) instead of a table.")


def settings_of(typer_ctx: typer.Context) -> Settings:
    """The settings of this run (root options and environment), without opening anything."""
    root = typer_ctx.find_root()
    settings = root.obj.get("settings") if isinstance(root.obj, dict) else None
    return settings if isinstance(settings, Settings) else Settings()


def context(typer_ctx: typer.Context, *, migrated: bool = True) -> Context:
    """The service context for this run, built on first use.

    The instance must exist and its keys be the database's (service.binding): anything else is
    refused in one sentence before anything is written. A command that reads or writes the
    database refuses, saying what to run, one that has not been migrated; the commands that
    migrate it themselves pass `migrated=False` (and bind a database from before the binding).
    """
    root = typer_ctx.find_root()
    if not isinstance(root.obj, dict):
        root.obj = {}
    if "context" not in root.obj:
        root.obj["context"] = open_instance(settings_of(typer_ctx), migrate=not migrated)
        # Close the pool's connections when the command ends (not at garbage collection).
        root.call_on_close(root.obj["context"].engine.dispose)
    ctx: Context = root.obj["context"]
    return ctx


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Prints a Rich table."""
    out = Table(title=title, title_justify="left")
    for n, column in enumerate(columns):
        out.add_column(column, no_wrap=n == 0)
    for row in rows:
        out.add_row(*(_cell(v) for v in row))
    console.print(out)


def print_json(data: Any) -> None:
    """Prints JSON (for scripts)."""
    typer.echo(json.dumps(data, indent=2, default=_default, ensure_ascii=False))


def rows_out(
    as_json: bool, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """A table, or with --json a list of objects keyed by the column names in snake_case."""
    if not as_json:
        table(title, columns, rows)
        return
    keys = [json_key(c) for c in columns]
    print_json([dict(zip(keys, row, strict=True)) for row in rows])


def record_out(as_json: bool, title: str, fields: Mapping[str, Any]) -> None:
    """A field/value table, or with --json one object."""
    if as_json:
        print_json({json_key(k): v for k, v in fields.items()})
    else:
        table(title, ["field", "value"], list(fields.items()))


def json_key(column: str) -> str:
    """A column title as a JSON key: `legal basis` -> `legal_basis`."""
    return re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | frozenset | set):
        return sorted(value) if isinstance(value, frozenset | set) else list(value)
    raise TypeError(f"cannot encode {type(value).__name__}")
