"""The `trustguardian` command."""

from __future__ import annotations

import sys

from rich.console import Console

from trustguardian.cli.app import app
from trustguardian.domain.errors import DomainError

errors = Console(stderr=True)


def main() -> None:
    """Runs the command; a refused operation prints why and exits with status 2."""
    try:
        app()
    except DomainError as exc:
        errors.print(f"[bold red]error:[/] {exc.detail}", highlight=False)
        for item in exc.errors:
            errors.print(f"  {item.loc}: {item.msg}", highlight=False)
        sys.exit(2)
