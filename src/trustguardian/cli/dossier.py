"""`trustguardian dossier SUBJECT --out FILE.zip` and `trustguardian dossier verify FILE.zip`."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.cli.failure import EXIT_UNPINNED
from trustguardian.cli.ledger import ledger
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.ledger import parse_verifiers
from trustguardian.ledger.errors import InvalidKeyError
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import DossierCheck, verify_dossier
from trustguardian.reports.zip_limits import DOSSIER_LIMITS, ZipRefused
from trustguardian.service.access.access_log import cli_reader, log_read
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import find_subject
from trustguardian.service.ops.timestamps import stamp_checkpoint

errors = Console(stderr=True)


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
    key: list[str] = typer.Option(
        [],
        "--key",
        help="verify: an instance verifier key you trust (repeatable; also "
        "TRUSTGUARDIAN_TRUSTED_KEYS, separated by commas or spaces).",
    ),
    trust_embedded_key: bool = typer.Option(
        False,
        "--trust-embedded-key",
        help="verify: accept the key the dossier carries (says nothing of who signed it).",
    ),
    tsa_root: list[Path] = typer.Option(
        [], "--tsa-root", help="verify: a PEM root certificate of the time-stamping authority."
    ),
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help="verify: a c2sp.org/tlog-policy file (log key, witnesses, quorum) to check the "
        ".tlog-proof files under, instead of the dossier's own.",
    ),
    as_json: bool = JSON,
) -> None:
    """Build a subject's evidence dossier, or verify one offline (no database needed)."""
    if target == "verify":
        if file is None:
            raise typer.BadParameter("give the dossier zip to verify", param_hint="FILE")
        policy_text = _policy_text(policy)
        _verify(file, pinned_keys(key), trust_embedded_key, tsa_root, as_json, policy_text)
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


# Exit status of a dossier whose every check passed but whose key nobody pinned.
UNPINNED = EXIT_UNPINNED


def pinned_keys(given: list[str]) -> list[str]:
    """The keys given with --key, else those of TRUSTGUARDIAN_TRUSTED_KEYS; each must parse."""
    text = " ".join(given) or os.environ.get("TRUSTGUARDIAN_TRUSTED_KEYS", "")
    try:
        return [v.verifier_key for v in parse_verifiers(text)]
    except InvalidKeyError as exc:
        raise typer.BadParameter(f"{exc} (name+hash+base64key)", param_hint="--key") from None


def _policy_text(policy: Path | None) -> str | None:
    if policy is None:
        return None
    try:
        return policy.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {policy}: {exc}", param_hint="--policy") from None


def _verify(
    file: Path,
    keys: list[str],
    trust_embedded: bool,
    tsa_root: list[Path],
    as_json: bool,
    policy: str | None,
) -> None:
    if not file.is_file():
        raise typer.BadParameter(f"{file} is not a file", param_hint="FILE")
    if file.stat().st_size > DOSSIER_LIMITS.total_bytes:
        raise ZipRefused(f"{file} is larger than {DOSSIER_LIMITS.total_bytes:,} bytes, the limit")
    check = verify_dossier(
        file.read_bytes(),
        trusted_key=keys or None,
        tsa_roots=[p.read_bytes() for p in tsa_root],
        trusted_policy=policy,
    )
    pinned = bool(keys) or trust_embedded
    if as_json:
        key = check.trusted_key
        print_json(
            {
                "ok": check.ok,
                "pinned": check.pinned,
                "trusted": check.ok and pinned,
                "key": None if key is None else key.verifier_key,
                "key_fingerprint": None if key is None else key.fingerprint,
                "subject_id": check.subject_id,
                "events": check.events,
                "tree_size": check.tree_size,
                "evidence": check.evidence,
                "notices": check.notices,
                "tlog_proofs": check.tlog_proofs,
                "files": check.files,
                "timestamp": check.timestamp,
                "timestamp_trusted": check.timestamp_trusted,
                "stamped_events": check.stamped_events,
                "unstamped_events": check.unstamped_events,
                "problems": [{"file": f, "problem": p} for f, p in check.problems],
            }
        )
    else:
        _say_key(check, pinned_by="--key" if keys else None)
        _print(file, check)
    if not check.ok:
        raise typer.Exit(1)
    if not pinned:
        errors.print(
            f"unpinned: {file} verifies only against the key it carries; nothing shows that key "
            "is the instance's. Compare its fingerprint with the one the company publishes, then "
            "give --key (or TRUSTGUARDIAN_TRUSTED_KEYS), or --trust-embedded-key to accept it.",
            highlight=False,
        )
        raise typer.Exit(UNPINNED)


def _say_key(check: DossierCheck, *, pinned_by: str | None) -> None:
    """First line: which key the signatures were checked with, and where the trust came from."""
    key = check.trusted_key
    if key is None:
        console.print("key: none readable in the dossier", highlight=False)
        return
    source = f"pinned by {pinned_by}" if pinned_by else "embedded in the dossier, NOT pinned"
    console.print(f"key: {key.verifier_key} ({key.fingerprint}), {source}", highlight=False)
    embedded = check.embedded_key
    if pinned_by and embedded is not None and embedded.verifier_key != key.verifier_key:
        console.print(
            f"the dossier carries another key: {embedded.verifier_key} ({embedded.fingerprint})",
            highlight=False,
        )


def _print(file: Path, check: DossierCheck) -> None:
    if check.problems:
        table(f"{file}: does NOT verify", ["file", "problem"], check.problems)
        return
    stamped = "checkpoint not stamped yet"
    if check.timestamp is not None:
        trusted = "signature checked" if check.timestamp_trusted else "give --tsa-root to check"
        stamped = f"{check.timestamp.isoformat()} ({trusted})"
    console.print(
        f"[green]OK[/] {file}: subject {check.subject_id}, {check.events} events included in "
        f"the signed checkpoint of size {check.tree_size}, {check.evidence} proofs match their "
        f"commitments, {check.notices} notice texts match, {check.tlog_proofs} tlog-proofs meet "
        f"the trust policy, {check.files} files match the signed manifest; trusted time-stamp: "
        f"{stamped}; events stamped: {check.stamped_events}, not stamped yet: "
        f"{check.unstamped_events}"
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
