"""The `trustguardian` command."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer
from rich.console import Console

from trustguardian.domain.errors import DomainError

errors = Console(stderr=True)

# Groups whose commands run long and start often (`audience filter` of a list of millions) load
# only their own module: the whole tree (the web app, reports, ...) takes seconds to import.
# Each is the module, the group's attribute in it, and its help in the whole tree (cli/app.py).
LONE_GROUPS = {
    "audience": (
        "trustguardian.cli.engage",
        "audience",
        "Campaign lists: filter into allowed and rejected.",
    ),
}
# The root options that take a value (see cli/root.py).
_VALUED = ("--database-url", "--keys-file")


def main() -> None:
    """Runs the command; a refused operation prints why and exits with status 2."""
    try:
        command_tree(sys.argv[1:])()
    except DomainError as exc:
        errors.print(f"[bold red]error:[/] {exc.detail}", highlight=False)
        for item in exc.errors:
            errors.print(f"  {item.loc}: {item.msg}", highlight=False)
        sys.exit(2)


def command_tree(args: Sequence[str]) -> typer.Typer:
    """The whole command tree, or the root with only the group the arguments name when it is
    one of `LONE_GROUPS` (the same commands, options and help for that group)."""
    group = LONE_GROUPS.get(_group_named(args) or "")
    if group is None:
        from trustguardian.cli.app import app

        return app
    from trustguardian.cli.root import new_app

    module, attribute, help_text = group
    tree = new_app()
    tree.add_typer(
        getattr(importlib.import_module(module), attribute), name=attribute, help=help_text
    )
    return tree


def _group_named(args: Sequence[str]) -> str | None:
    """The first argument after the root options (None when there is none)."""
    position = 0
    while position < len(args):
        arg = args[position]
        if arg in _VALUED:
            position += 2
        elif arg.startswith("-"):
            position += 1
        else:
            return arg
    return None
