"""`trustguardian dossier SUBJECT --out FILE.zip` and `trustguardian dossier verify FILE.zip`."""

from __future__ import annotations

from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.cli.ledger import ledger
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import DossierCheck, verify_dossier
from trustguardian.service.access_log import cli_reader, log_read
from trustguardian.service.context import Context
from trustguardian.service.identifiers import normalise
from trustguardian.service.subjects import find_subject
from trustguardian.service.timestamps import stamp_checkpoint


def subject_of(ctx: Context, target: str) -> str:
    """A subject id as given, or the subject an e-mail address or phone number names."""
    if target.startswith("sub_"):
        return target
    kind = IdentifierKind.EMAIL if "@" in target else IdentifierKind.PHONE
    identifier = normalise(kind, target, region=ctx.settings.default_phone_region)
    return find_subject(ctx, identifier=identifier).subject.id


def dossier(
    typer_ctx: typer.Context,
    target: str = typer.Argument(
        ..., metavar="SUBJECT|verify", help="A subject id, e-mail or phone; or `verify`."
    ),
    file: Path | None = typer.Argument(None, help="With `verify`: the dossier zip to check."),
    out: Path | None = typer.Option(None, "--out", help="Where to write the dossier zip."),
    key: str | None = typer.Option(
        None, "--key", help="verify: the instance verifier key you trust (else the zip's own)."
    ),
    tsa_root: list[Path] = typer.Option(
        [], "--tsa-root", help="verify: a PEM root certificate of the time-stamping authority."
    ),
    as_json: bool = JSON,
) -> None:
    """Build a subject's evidence dossier, or verify one offline (no database needed)."""
    if target == "verify":
        if file is None:
            raise typer.BadParameter("give the dossier zip to verify", param_hint="FILE")
        _verify(file, key, tsa_root, as_json)
        return
    if out is None:
        raise typer.BadParameter("give --out FILE.zip", param_hint="--out")
    ctx = context(typer_ctx)
    subject_id = subject_of(ctx, target)
    body = subject_dossier(ctx, subject_id=subject_id)
    log_read(ctx, reader=cli_reader(), subject_id=subject_id, what="dossier")
    out.write_bytes(body)
    if as_json:
        print_json({"subject_id": subject_id, "out": str(out), "bytes": len(body)})
        return
    console.print(f"dossier of {subject_id} written to {out} ({len(body):,} bytes)")


def _verify(file: Path, key: str | None, tsa_root: list[Path], as_json: bool) -> None:
    if not file.is_file():
        raise typer.BadParameter(f"{file} is not a file", param_hint="FILE")
    check = verify_dossier(
        file.read_bytes(), trusted_key=key, tsa_roots=[p.read_bytes() for p in tsa_root]
    )
    if as_json:
        print_json(
            {
                "ok": check.ok,
                "subject_id": check.subject_id,
                "events": check.events,
                "tree_size": check.tree_size,
                "evidence": check.evidence,
                "notices": check.notices,
                "files": check.files,
                "timestamp": check.timestamp,
                "timestamp_trusted": check.timestamp_trusted,
                "problems": [{"file": f, "problem": p} for f, p in check.problems],
            }
        )
    else:
        _print(file, check)
    if not check.ok:
        raise typer.Exit(1)


def _print(file: Path, check: DossierCheck) -> None:
    if check.problems:
        table(f"{file}: does NOT verify", ["file", "problem"], check.problems)
        return
    stamped = "none"
    if check.timestamp is not None:
        trusted = "signature checked" if check.timestamp_trusted else "give --tsa-root to check"
        stamped = f"{check.timestamp.isoformat()} ({trusted})"
    console.print(
        f"[green]OK[/] {file}: subject {check.subject_id}, {check.events} events included in "
        f"the signed checkpoint of size {check.tree_size}, {check.evidence} proofs match their "
        f"commitments, {check.notices} notice texts match, {check.files} files match the "
        f"signed manifest; trusted time-stamp: {stamped}"
    )


@ledger.command("stamp")
def stamp(
    typer_ctx: typer.Context,
    tree_size: int | None = typer.Option(None, "--size", help="A checkpoint; the latest if none."),
    as_json: bool = JSON,
) -> None:
    """Time-stamp a checkpoint with the RFC 3161 authority at TRUSTGUARDIAN_TSA_URL."""
    stamped = stamp_checkpoint(context(typer_ctx), tree_size=tree_size)
    if as_json:
        print_json(
            {
                "tree_size": stamped.tree_size,
                "gen_time": stamped.gen_time,
                "tsa_url": stamped.tsa_url,
            }
        )
        return
    console.print(
        f"checkpoint {stamped.tree_size} stamped at {stamped.gen_time.isoformat()} by "
        f"{stamped.tsa_url}"
    )
