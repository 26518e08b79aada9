"""`trustguardian archive export --from --to --out` and `trustguardian archive verify BUNDLE`:
the evidence archive of a time range, a self-verifying bundle for long-term storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import typer

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.cli.dossier import UNPINNED, errors, pinned_keys
from trustguardian.reports.archive import bundle, write_bundle
from trustguardian.reports.archive_verify import verify_archive
from trustguardian.service.archive.gather import gather_archive

archive = typer.Typer(no_args_is_help=True)


def _moment(text: str, option: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 time with its offset."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            "a date (2026-01-31) or an ISO 8601 time", param_hint=option
        ) from None
    if moment.tzinfo is None:
        raise typer.BadParameter("give the time with its offset (Z or +01:00)", param_hint=option)
    return moment.astimezone(UTC)


@archive.command("export")
def export(
    typer_ctx: typer.Context,
    start: str = typer.Option(..., "--from", help="First day (or time) archived, inclusive."),
    end: str = typer.Option(..., "--to", help="Day (or time) the range ends, exclusive."),
    out: Path = typer.Option(..., "--out", help="A new directory, or a FILE.zip."),
    as_json: bool = JSON,
) -> None:
    """Write the ledger of a time range as a bundle that verifies offline."""
    begins, ends = _moment(start, "--from"), _moment(end, "--to")
    if out.suffix.lower() == ".zip" and out.exists():
        raise typer.BadParameter(f"{out} exists already", param_hint="--out")
    if out.suffix.lower() != ".zip" and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise typer.BadParameter(f"{out} is not a new, empty directory", param_hint="--out")
    ctx = context(typer_ctx)
    data = gather_archive(ctx, start=begins, end=ends)
    files = bundle(data, ctx.keys.signer)
    write_bundle(files, out)
    summary = {
        "out": str(out),
        "leaves": len(data.leaves),
        "checkpoints": len(data.checkpoints),
        "stamps": len(data.stamps),
        "sealed": len(data.sealed),
        "tree_size": data.checkpoint.tree_size,
        "files": len(files),
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"archive written to {out}: {summary['leaves']} leaves, {summary['checkpoints']} "
        f"checkpoints, {summary['stamps']} stamps, {summary['sealed']} sealed blobs, proved "
        f"against the checkpoint of size {summary['tree_size']}"
    )


@archive.command("verify")
def verify(
    bundle_path: Path = typer.Argument(..., metavar="BUNDLE", help="The directory or zip."),
    key: list[str] = typer.Option(
        [],
        "--key",
        help="An instance verifier key you trust (repeatable; also TRUSTGUARDIAN_TRUSTED_KEYS).",
    ),
    as_json: bool = JSON,
) -> None:
    """Verify an archive bundle offline (no database needed); exit 1 naming what is wrong."""
    if not bundle_path.exists():
        raise typer.BadParameter(f"{bundle_path} does not exist", param_hint="BUNDLE")
    keys = pinned_keys(key)
    check = verify_archive(bundle_path, trusted_key=keys or None)
    if as_json:
        print_json(
            {
                "ok": check.ok,
                "pinned": check.pinned,
                "leaves": check.events,
                "checkpoints": check.checkpoints,
                "stamps": check.stamps,
                "sealed": check.evidence,
                "files": check.files,
                "tree_size": check.tree_size,
                "problems": [{"file": f, "problem": p} for f, p in check.problems],
            }
        )
    elif check.problems:
        table(f"{bundle_path}: does NOT verify", ["file", "problem"], check.problems)
    else:
        console.print(
            f"[green]OK[/] {bundle_path}: {check.events} leaves included in the signed "
            f"checkpoint of size {check.tree_size}, {check.checkpoints} checkpoints it extends, "
            f"{check.stamps} time-stamps, {check.files} files match the signed manifest"
        )
    if not check.ok:
        raise typer.Exit(1)
    if not keys:
        errors.print(
            f"unpinned: {bundle_path} verifies only against the key it carries; give --key "
            "(or TRUSTGUARDIAN_TRUSTED_KEYS) with the instance key you hold.",
            highlight=False,
        )
        raise typer.Exit(UNPINNED)
