"""`trustguardian witness keygen` and `trustguardian witness serve`: a C2SP witness that
another party runs, with its own key and its own SQLite state (trustguardian.witness)."""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn

from trustguardian.cli.common import console
from trustguardian.cli.failure import EXIT_REFUSED
from trustguardian.ledger import NoteError, Verifier, is_valid_key_name
from trustguardian.ledger.cosignature import CosignerKey
from trustguardian.witness.protocol import Witness, open_state, parse_log
from trustguardian.witness.server import witness_app

witness = typer.Typer(no_args_is_help=True)


def _refuse(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(EXIT_REFUSED)


@witness.command("keygen")
def keygen(
    name: str = typer.Argument(..., help="The witness's key name, e.g. witness.example.com."),
    out: Path = typer.Option(..., "--out", help="Write the private key here (mode 0600)."),
) -> None:
    """Create a witness key: the private key goes to --out, the verifier key is printed."""
    if not is_valid_key_name(name):
        raise _refuse(f"{name!r} is not a key name (no spaces, no '+').")
    if out.exists():
        raise _refuse(f"{out} exists already: a witness key is never overwritten.")
    key = CosignerKey.generate(name)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.signer_key + "\n")
    typer.echo(key.verifier.verifier_key)


@witness.command("serve")
def serve(
    db: Path = typer.Option(..., "--db", help="The witness's SQLite state (created if new)."),
    key: Path = typer.Option(..., "--key", help="The private key file from `witness keygen`."),
    logs: list[str] = typer.Option(
        ..., "--log", help="A log to witness: ORIGIN=VKEY, or its VKEY (repeat for more)."
    ),
    listen: str = typer.Option("127.0.0.1:7380", "--listen", help="HOST:PORT to listen on."),
) -> None:
    """Serve POST /add-checkpoint and GET /<origin hash>/checkpoint (c2sp.org/tlog-witness)."""
    try:
        cosigner = CosignerKey.parse(key.read_text())
    except OSError as exc:
        raise _refuse(f"cannot read the witness key {key}: {exc.strerror}.") from None
    except (NoteError, ValueError) as exc:
        raise _refuse(f"{key} does not hold a witness key: {exc}.") from None
    known: dict[str, list[Verifier]] = {}
    for spec in logs:
        try:
            origin, verifier = parse_log(spec)
        except (NoteError, ValueError) as exc:
            raise _refuse(f"--log {spec!r} is not ORIGIN=VKEY: {exc}.") from None
        known.setdefault(origin, []).append(verifier)
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise _refuse(f"--listen {listen!r} is not HOST:PORT.")
    try:
        state = open_state(db)
    except Exception as exc:  # sqlite3 errors: a path we cannot open or a file not a database
        raise _refuse(f"cannot open the witness state {db}: {exc}.") from None
    app = witness_app(Witness(cosigner, known, state))
    console.print(
        f"Witness {cosigner.verifier.verifier_key} listening on http://{host}:{port} "
        f"for {', '.join(sorted(known))}",
        highlight=False,
        soft_wrap=True,
    )
    try:
        uvicorn.run(app, host=host.strip("[]"), port=int(port), log_config=None, access_log=False)
    finally:
        state.close()
