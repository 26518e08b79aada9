"""A command group that imports a command's module only when that command runs or shows its help.

The whole tree imports the service layer, the web app, SQLAlchemy and the report renderers:
seconds of start-up that `trustguardian --help` and a command of one group never use. The root
lists every command from a static table (name, one line of help, where it lives) and swaps the
placeholder for the real command the moment the command line names it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# Typer's click classes (its own vendored copy in recent versions, click itself in older ones)
# are named through Typer's subclasses only; `Any` stands for them in signatures.
Command = Any


@dataclass(frozen=True)
class Lazy:
    """Where a command lives: `attribute` of `module` is a Typer group or a command function;
    importing `also` adds more commands to it (a module that decorates the group)."""

    module: str
    attribute: str
    help: str
    also: tuple[str, ...] = ()

    def load(self, name: str) -> Command:
        """The real command, built as `add_typer` or `command` would build it in the tree."""
        target = getattr(importlib.import_module(self.module), self.attribute)
        for extra in self.also:
            importlib.import_module(extra)
        holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        holder.callback()(_nothing)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name, help=self.help)
        else:
            holder.command(name=name, help=self.help)(target)
        group = typer.main.get_command(holder)
        assert isinstance(group, TyperGroup)
        return group.commands[name]


def _nothing() -> None:
    """The holder's callback: it makes the holder a group whatever it holds."""


class Placeholder(TyperCommand):
    """Stands for a command not imported yet: its name and one line of help, for listings."""

    def __init__(self, name: str, help_text: str) -> None:
        super().__init__(name=name, help=help_text, short_help=help_text)


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands come from `table`, each imported on first use."""

    table: Mapping[str, Lazy] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, lazy in self.table.items():
            self.commands.setdefault(name, Placeholder(name, lazy.help))

    def resolve_command(
        self, ctx: Any, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """Imports the named command before click looks it up."""
        if args:
            self.load(args[0])
        return super().resolve_command(ctx, args)

    def load(self, name: str) -> Command | None:
        """The real command of that name (None for a name not in the tree)."""
        found = self.commands.get(name)
        if isinstance(found, Placeholder):
            found = self.commands[name] = self.table[name].load(name)
        return found


def lazy_group(table: Mapping[str, Lazy]) -> type[LazyGroup]:
    """A LazyGroup class over this table (Typer takes a class, not an instance)."""
    return type("RootGroup", (LazyGroup,), {"table": dict(table)})
