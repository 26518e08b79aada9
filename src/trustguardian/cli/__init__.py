"""The `trustguardian` command."""

from __future__ import annotations

import sys


def main() -> None:
    """Runs the command; a failure prints one sentence and exits non-zero (see cli/failure.py)."""
    from trustguardian.cli import failure

    try:
        from trustguardian.cli.app import app

        app()
    except Exception as exc:  # every error becomes one sentence and an exit status
        sys.exit(failure.report(exc))
