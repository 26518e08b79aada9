"""`trustguardian monitor SOURCE --key VKEY`: follow a published log as an outside auditor would.

It needs no database and no instance: only the log's tiles (over HTTP or in a directory), the
log's public key, and its own state file from the runs before (`ledger.monitor`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import typer

from trustguardian.cli.common import JSON, console, print_json
from trustguardian.cli.failure import EXIT_NO, EXIT_REFUSED, EXIT_SYSTEM, say
from trustguardian.ledger import Verifier
from trustguardian.ledger.cosignature import WitnessVerifier
from trustguardian.ledger.errors import InvalidKeyError
from trustguardian.ledger.hashing import HASH_SIZE
from trustguardian.ledger.monitor import Fetch, Inconsistency, Policy, follow
from trustguardian.ledger.monitor_state import MonitorState, TrustedKey

TIMEOUT = 30.0


class Unavailable(Exception):
    """The source could not be read (not a finding about the log)."""


def http_source(prefix: str, client: httpx.Client) -> Fetch:
    """Fetches paths under an http(s) URL prefix; a 404 is a missing resource."""
    base = prefix.rstrip("/") + "/"

    def fetch(path: str) -> bytes | None:
        try:
            answer = client.get(base + path)
        except httpx.HTTPError as exc:
            raise Unavailable(f"cannot fetch {base + path}: {exc or type(exc).__name__}") from exc
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise Unavailable(f"{base + path} answered HTTP {answer.status_code}")
        return answer.content

    return fetch


def directory_source(root: Path) -> Fetch:
    """Reads paths under a directory (a mirror, or what `ledger publish` wrote)."""

    def fetch(path: str) -> bytes | None:
        try:
            return (root / path).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Unavailable(f"cannot read {root / path}: {exc.strerror or exc}") from exc

    return fetch


def default_state(source: str) -> Path:
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return Path.home() / ".trustguardian-monitor" / f"{digest}.json"


def load_state(path: Path, pinned: tuple[TrustedKey, ...]) -> MonitorState:
    """The state saved by the last run (a fresh one trusting the pinned keys if none)."""
    if not path.exists():
        return MonitorState(keys=pinned)
    hashes = Path(f"{path}.leaves")
    leaves = hashes.read_bytes() if hashes.exists() else b""
    state = MonitorState.loads(path.read_text(encoding="utf-8"), leaves)
    return state.with_pins(pinned)


def save_state(path: Path, before: MonitorState, after: MonitorState) -> None:
    """Appends the new leaf hashes, then replaces the state file (a crash in between leaves
    extra hashes that the next load ignores)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    hashes = Path(f"{path}.leaves")
    with open(hashes, "ab") as out:
        out.truncate(before.size * HASH_SIZE)
        out.write(after.leaf_hashes[before.size * HASH_SIZE :])
        out.flush()
        os.fsync(out.fileno())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(after.dumps(), encoding="utf-8")
    os.replace(temporary, path)


def _keys(keys: list[str], witnesses: list[str]) -> tuple[tuple[TrustedKey, ...], Policy, int]:
    try:
        pinned = tuple(TrustedKey(Verifier.parse(k.strip()).verifier_key) for k in keys)
        seen = tuple(WitnessVerifier.parse(w) for w in witnesses)
    except (InvalidKeyError, ValueError) as exc:
        say(f"not a verifier key: {exc}")
        raise typer.Exit(EXIT_REFUSED) from exc
    return pinned, Policy(seen), len(seen)


def monitor(
    source: str = typer.Argument(..., help="The log's URL prefix (http/https) or directory."),
    key: list[str] = typer.Option(..., "--key", help="The log's verifier key (name+hash+key)."),
    witness: list[str] = typer.Option(
        [], "--witness", help="A witness's cosignature/v1 verifier key (repeatable)."
    ),
    quorum: int | None = typer.Option(
        None, "--quorum", help="Cosignatures required (default: every --witness)."
    ),
    state: Path | None = typer.Option(
        None, "--state", help="The monitor's memory between runs (default: one per SOURCE)."
    ),
    as_json: bool = JSON,
) -> None:
    """Follow a published log: check its checkpoint's signature and witnesses, that it extends
    what this monitor saw before, and every new leaf; exit 1 naming the first inconsistency."""
    pinned, policy, witnesses = _keys(key, witness)
    required = witnesses if quorum is None else quorum
    if not 0 <= required <= witnesses:
        say(f"--quorum must be between 0 and the {witnesses} witnesses given")
        raise typer.Exit(EXIT_REFUSED)
    path = state or default_state(source)
    try:
        before = load_state(path, pinned)
    except ValueError as exc:
        say(f"the state file {path} cannot be read: {exc}")
        raise typer.Exit(EXIT_REFUSED) from exc
    remote = source.startswith(("http://", "https://"))
    if not remote and not Path(source).is_dir():
        say(f"{source} is neither an http(s) URL nor a directory")
        raise typer.Exit(EXIT_REFUSED)
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
        fetch = http_source(source, client) if remote else directory_source(Path(source))
        try:
            after = follow(fetch, before, Policy(policy.witnesses, required))
        except Inconsistency as exc:
            say(str(exc))
            raise typer.Exit(EXIT_NO) from exc
        except Unavailable as exc:
            say(str(exc))
            raise typer.Exit(EXIT_SYSTEM) from exc
    save_state(path, before, after)
    summary = {
        "origin": after.origin,
        "tree_size": after.size,
        "previous_size": before.size,
        "new_leaves": after.size - before.size,
        "keys": [vars(k) for k in after.keys],
        "state": str(path),
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"[green]log verified[/]: {after.origin} at tree size {after.size} "
        f"({after.size - before.size} new leaves since size {before.size})",
        highlight=False,
        soft_wrap=True,  # one line, whatever the terminal's width: scripts read it
    )
