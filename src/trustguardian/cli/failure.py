"""What a failed command prints: one sentence on stderr and an exit status, never a traceback
(unless `--debug` or TRUSTGUARDIAN_DEBUG=1 asks for it).

Exit statuses:

- 0: done.
- 1: the answer is no (`check` denied, `verify` found problems, an import rejected rows).
- 2: refused: bad input, a usage error, an operation the rules forbid (nothing was written).
- 3: the database cannot be used: unreachable, an unsupported URL, or an invalid setting.
- 4: the system refused a file, the disk or the network (disk full, permission denied, ...).
- 5: sealed data cannot be opened with the instance keys. (A key file that is missing,
  unreadable, malformed or another instance's is refused by the binding, status 2.)
- 6: unpinned: evidence checked out only against a key it carries itself (`dossier verify`
  without --key); nothing says that key is the instance's.
- 70: an unexpected error (a defect): rerun with --debug and report the traceback.
- 130: interrupted (Ctrl-C).

Libraries (SQLAlchemy, pydantic, httpx) are looked up in `sys.modules` only: an error of a
library that was never imported cannot have happened, and the command line stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import typer

from trustguardian.domain.errors import DomainError

EXIT_NO = 1
EXIT_REFUSED = 2
EXIT_DATABASE = 3
EXIT_SYSTEM = 4
EXIT_KEYS = 5
EXIT_UNPINNED = 6
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
# Where a ValueError comes from reading keys (the key file, a master or signing key's text).
KEY_MODULES = ("trustguardian.service.ops.instance", "trustguardian.vault", "trustguardian.ledger")


@dataclass
class Run:
    """What the root options said, for the error report (set as soon as they are parsed)."""

    debug: bool = False
    database_url: str | None = None
    keys_file: str | None = None


run = Run()


def debugging() -> bool:
    """Whether to show tracebacks: `--debug` or TRUSTGUARDIAN_DEBUG set to a true value."""
    flag = os.environ.get("TRUSTGUARDIAN_DEBUG", "").strip().lower()
    return run.debug or flag in ("1", "true", "yes", "on")


def report(exc: BaseException) -> int:
    """Prints why the command failed (the traceback first when debugging); the exit status."""
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, DomainError):
        say(exc.detail)
        for item in exc.errors:
            typer.echo(f"  {item.loc}: {item.msg}", err=True)
        return EXIT_REFUSED
    if isinstance(exc, KeyboardInterrupt):
        say("interrupted")
        return EXIT_INTERRUPTED
    sentence, status = explain(exc)
    if status == EXIT_INTERNAL and not debugging():
        sentence += "; rerun with --debug for the traceback"
    say(sentence)
    return status


def say(sentence: str) -> None:
    """One line on stderr, however long or multi-line the text it is given."""
    label = typer.style("error:", fg="red", bold=True)
    typer.echo(f"{label} {' '.join(sentence.split())}", err=True)


def explain(exc: BaseException) -> tuple[str, int]:
    """The sentence and exit status for an exception that is not a refusal."""
    for explainer in (_database, _settings, _keys, _network):
        found = explainer(exc)
        if found is not None:
            return found
    if isinstance(exc, OSError):
        return _os_error(exc), EXIT_SYSTEM
    return f"unexpected {type(exc).__name__}: {_first_line(exc)}", EXIT_INTERNAL


def _database(exc: BaseException) -> tuple[str, int] | None:
    sa_exc: Any = sys.modules.get("sqlalchemy.exc")
    where = _where()
    if isinstance(exc, ValueError) and _raised_in(exc, ("trustguardian.store.engine",)):
        return f"{_first_line(exc)} (database URL {where})", EXIT_DATABASE
    if sa_exc is None:
        return None
    if isinstance(exc, sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
        return (
            f"the database URL {where} is not supported: use sqlite:///PATH or "
            "postgresql://USER@HOST/NAME",
            EXIT_DATABASE,
        )
    if isinstance(exc, sa_exc.DBAPIError):
        reason = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
        if exc.statement is None or exc.connection_invalidated:
            return f"cannot connect to the database at {where}: {reason}", EXIT_DATABASE
        return f"the database at {where} failed: {reason}", EXIT_DATABASE
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return f"the database at {where} failed: {_first_line(exc)}", EXIT_DATABASE
    return None


def _settings(exc: BaseException) -> tuple[str, int] | None:
    pydantic: Any = sys.modules.get("pydantic")
    if pydantic is None or not isinstance(exc, pydantic.ValidationError):
        return None
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()[:3]
    )
    return f"invalid setting ({problems})", EXIT_DATABASE


def _keys(exc: BaseException) -> tuple[str, int] | None:
    vault: Any = sys.modules.get("trustguardian.vault.errors")
    keys_file = run.keys_file or "the key file"
    if vault is not None and isinstance(exc, vault.VaultError):
        return (
            f"sealed data cannot be opened with these keys ({_first_line(exc)}): "
            f"is {keys_file} this instance's key file?",
            EXIT_KEYS,
        )
    if isinstance(exc, ValueError) and _raised_in(exc, KEY_MODULES):
        return f"the instance keys cannot be read from {keys_file}: {_first_line(exc)}", EXIT_KEYS
    return None


def _network(exc: BaseException) -> tuple[str, int] | None:
    httpx: Any = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPError):
        return f"network error: {_first_line(exc) or type(exc).__name__}", EXIT_SYSTEM
    return None


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or _first_line(exc) or type(exc).__name__
    if exc.filename is None:
        return f"the system refused: {reason}"
    target = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 else "")
    return f"{reason}: {target}"


def _where() -> str:
    if not run.database_url:
        return "the configured URL"
    try:
        from trustguardian.service.ops.binding import shown_url

        return repr(shown_url(run.database_url))
    except Exception:  # an unparsable URL is shown as given, it holds no parsed password
        return repr(run.database_url)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else ""


def _raised_in(exc: BaseException, modules: tuple[str, ...]) -> bool:
    """Whether the innermost frame of our own code that the exception passed is in `modules`."""
    innermost = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        name = str(tb.tb_frame.f_globals.get("__name__", ""))
        if name.startswith("trustguardian."):
            innermost = name
        tb = tb.tb_next
    return innermost is not None and innermost.startswith(modules)
