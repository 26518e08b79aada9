"""`trustguardian touchpoints|purposes|notices ...`."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import typer

from trustguardian.cli.common import JSON, console, context, record_out, rows_out
from trustguardian.domain.common import as_utc
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.service.collect.import_source import decode_text
from trustguardian.service.context import Context
from trustguardian.service.pagination import Page
from trustguardian.service.registry import notices as notice_service
from trustguardian.service.registry import purposes as purpose_service
from trustguardian.service.registry import touchpoints as touchpoint_service

touchpoints = typer.Typer(no_args_is_help=True)
purposes = typer.Typer(no_args_is_help=True)
notices = typer.Typer(no_args_is_help=True)
T = TypeVar("T")


def _all(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


@touchpoints.command("list")
def tp_list(
    typer_ctx: typer.Context,
    kind: TouchpointKind | None = typer.Option(None, help="Only this kind."),
    as_json: bool = JSON,
) -> None:
    """List the census of touchpoints."""
    ctx = context(typer_ctx)
    rows = _all(lambda c: touchpoint_service.list_touchpoints(ctx, cursor=c, limit=500, kind=kind))
    rows_out(
        as_json,
        "Touchpoints",
        ["key", "name", "kind", "channel", "nature", "status", "purposes", "notice"],
        [
            (t.key, t.name, t.kind, t.channel, t.nature, t.status, t.purposes, t.notice_key)
            for t in rows
        ],
    )


@touchpoints.command("show")
def tp_show(typer_ctx: typer.Context, key: str, as_json: bool = JSON) -> None:
    """Show one touchpoint."""
    tp = touchpoint_service.get_touchpoint(context(typer_ctx), key=key)
    record_out(as_json, f"Touchpoint {tp.key}", vars(tp))


@touchpoints.command("add")
def tp_add(
    typer_ctx: typer.Context,
    key: str = typer.Argument(..., help="Stable key, e.g. newsletter-web."),
    name: str = typer.Option(..., help="Human name."),
    kind: TouchpointKind = typer.Option(..., help="collect, engage or right."),
    channel: Channel = typer.Option(..., help="Where the contact happens."),
    nature: Nature = typer.Option(Nature.DIGITAL, help="physical or digital."),
    owner: str = typer.Option("", help="Team or person responsible."),
    system: list[str] = typer.Option([], "--system", help="A company system it feeds (repeat)."),
    purpose: list[str] = typer.Option(
        [], "--purpose", help="A purpose key it collects or uses (repeat)."
    ),
    notice: str | None = typer.Option(None, help="The key of the notice it shows."),
    requires: list[ProofType] = typer.Option(
        [], "--requires", help="A proof every event must carry (repeat)."
    ),
    description: str = typer.Option("", help="Free description."),
) -> None:
    """Register a touchpoint."""
    draft = touchpoint_service.TouchpointDraft(
        key=key,
        name=name,
        kind=kind,
        channel=channel,
        nature=nature,
        owner=owner,
        systems=system,
        purposes=purpose,
        notice_key=notice,
        required_proofs=requires,
        description=description,
    )
    tp = touchpoint_service.create_touchpoint(context(typer_ctx), draft=draft)
    console.print(f"Registered {tp.kind.value} touchpoint [bold]{tp.key}[/] ({tp.status.value}).")


@touchpoints.command("retire")
def tp_retire(typer_ctx: typer.Context, key: str) -> None:
    """Retire a touchpoint (it stays in the census)."""
    touchpoint_service.retire_touchpoint(context(typer_ctx), key=key)
    console.print(f"Retired touchpoint {key}.")


def _purpose_rows(ctx: Context) -> Iterator[tuple[object, ...]]:
    for p in _all(lambda c: purpose_service.list_purposes(ctx, cursor=c, limit=500)):
        content = p.current.content
        yield (
            p.key,
            p.current.version,
            content.name,
            content.legal_basis,
            content.channels,
            p.status,
        )


@purposes.command("list")
def purpose_list(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List purposes with their current version."""
    rows_out(
        as_json,
        "Purposes",
        ["key", "version", "name", "legal basis", "channels", "status"],
        _purpose_rows(context(typer_ctx)),
    )


@purposes.command("show")
def purpose_show(typer_ctx: typer.Context, key: str, as_json: bool = JSON) -> None:
    """Show every version of a purpose."""
    versions = purpose_service.purpose_versions(context(typer_ctx), key=key)
    rows_out(
        as_json,
        f"Purpose {key}",
        [
            "version",
            "name",
            "legal basis",
            "channels",
            "retention days",
            "consent lifetime",
            "created",
        ],
        [
            (
                v.version,
                v.content.name,
                v.content.legal_basis.value
                if as_json
                else f"{v.content.legal_basis.value} ({v.content.legal_basis.dpv})",
                v.content.channels,
                v.content.retention_days,
                v.content.consent_lifetime_days,
                v.created_at,
            )
            for v in versions
        ],
    )


def _content(
    name: str,
    description: str,
    basis: LegalBasis,
    channel: list[Channel],
    controller: str,
    retention_days: int,
    consent_lifetime_days: int | None,
    marketing: bool,
) -> PurposeContent:
    return PurposeContent(
        name=name,
        description=description,
        legal_basis=basis,
        channels=tuple(dict.fromkeys(channel)),
        controller=controller,
        retention_days=retention_days,
        consent_lifetime_days=consent_lifetime_days,
        marketing=marketing,
    )


NAME = typer.Option(..., help="Human name.")
DESCRIPTION = typer.Option("", help="What the processing is.")
BASIS = typer.Option(..., "--basis", help="Legal basis.")
CHANNELS = typer.Option(..., "--channel", help="A channel it covers (repeat).")
CONTROLLER = typer.Option(..., help="The controller.")
RETENTION = typer.Option(..., help="Retention period in days.")
LIFETIME = typer.Option(None, help="Days after which a consent expires.")
MARKETING = typer.Option(False, "--marketing", help="A direct-marketing purpose.")


@purposes.command("add")
def purpose_add(
    typer_ctx: typer.Context,
    key: str,
    name: str = NAME,
    description: str = DESCRIPTION,
    basis: LegalBasis = BASIS,
    channel: list[Channel] = CHANNELS,
    controller: str = CONTROLLER,
    retention_days: int = RETENTION,
    consent_lifetime_days: int | None = LIFETIME,
    marketing: bool = MARKETING,
) -> None:
    """Register a purpose (version 1)."""
    content = _content(
        name,
        description,
        basis,
        channel,
        controller,
        retention_days,
        consent_lifetime_days,
        marketing,
    )
    purpose_service.create_purpose(context(typer_ctx), key=key, content=content)
    console.print(f"Registered purpose [bold]{key}[/] version 1.")


@purposes.command("revise")
def purpose_revise(
    typer_ctx: typer.Context,
    key: str,
    name: str = NAME,
    description: str = DESCRIPTION,
    basis: LegalBasis = BASIS,
    channel: list[Channel] = CHANNELS,
    controller: str = CONTROLLER,
    retention_days: int = RETENTION,
    consent_lifetime_days: int | None = LIFETIME,
    marketing: bool = MARKETING,
) -> None:
    """Save a purpose's content: a new version when anything changed."""
    content = _content(
        name,
        description,
        basis,
        channel,
        controller,
        retention_days,
        consent_lifetime_days,
        marketing,
    )
    purpose = purpose_service.revise_purpose(context(typer_ctx), key=key, content=content)
    console.print(f"Purpose [bold]{key}[/] is at version {purpose.current.version}.")


@notices.command("list")
def notice_list(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List notices."""
    ctx = context(typer_ctx)
    rows = _all(lambda c: notice_service.list_notices(ctx, cursor=c, limit=500))
    rows_out(
        as_json,
        "Notices",
        ["key", "language", "title", "status"],
        [(n.key, n.language, n.title, n.status) for n in rows],
    )


@notices.command("show")
def notice_show(typer_ctx: typer.Context, key: str, as_json: bool = JSON) -> None:
    """Show a notice's versions with their hashes."""
    notice, versions = notice_service.get_notice(context(typer_ctx), key=key)
    rows_out(
        as_json,
        f"Notice {notice.key} ({notice.language}): {notice.title}",
        ["version", "sha256", "effective from", "published", "characters", "entered from"],
        [
            (
                v.version,
                v.sha256,
                v.effective_from,
                v.published_at or (None if as_json else "draft"),
                len(v.text),
                f"{v.source_document} (by {v.entered_by})" if v.historical else None,
            )
            for v in versions
        ],
    )


def _read_text(path: Path) -> str:
    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    return data.decode("utf-8")


@notices.command("add")
def notice_add(
    typer_ctx: typer.Context,
    key: str,
    language: str = typer.Option(..., help="BCP 47 tag: it, en, ..."),
    title: str = typer.Option(..., help="Title."),
    text: Path | None = typer.Option(
        None, "--text", help="File with version 1's text (- for stdin)."
    ),
) -> None:
    """Register a notice, publishing version 1 when a text is given."""
    body = _read_text(text) if text else None
    notice_service.create_notice(
        context(typer_ctx), key=key, language=language, title=title, text=body
    )
    console.print(
        f"Registered notice [bold]{key}[/]" + (" with version 1 published." if body else ".")
    )


@notices.command("publish")
def notice_publish(
    typer_ctx: typer.Context,
    key: str,
    text: Path = typer.Option(..., "--text", help="File with the new text (- for stdin)."),
    effective_from: datetime | None = typer.Option(
        None, help="When it takes effect (ISO 8601 with offset)."
    ),
) -> None:
    """Publish a new version of a notice; earlier versions stay as they are."""
    moment = as_utc(effective_from) if effective_from else None
    version = notice_service.add_notice_version(
        context(typer_ctx), key=key, text=_read_text(text), effective_from=moment
    )
    console.print(f"Published version {version.version} of {key}: sha256 {version.sha256}.")


@notices.command("import-historical")
def notice_import_historical(
    typer_ctx: typer.Context,
    key: str,
    version: int = typer.Option(..., help="The number the company gave that version."),
    effective_from: str = typer.Option(
        ..., help="When it took effect: a date (midnight UTC) or ISO 8601 with offset."
    ),
    file: Path = typer.Option(
        ..., "--file", exists=True, dir_okay=False, help="Its exact text (UTF-8, cp1252, Latin-1)."
    ),
    source: str = typer.Option(..., help="The document it comes from (archive, file, binder)."),
    by: str | None = typer.Option(None, help="Who enters it (default: the OS user)."),
) -> None:
    """Record a version shown in the past, so what happened then can cite it."""
    try:
        moment = datetime.fromisoformat(effective_from)
    except ValueError:
        raise typer.BadParameter(
            f"{effective_from!r} is not a date", param_hint="--effective-from"
        ) from None
    found = notice_service.import_historical_notice(
        context(typer_ctx),
        key=key,
        version=version,
        text=decode_text(file.read_bytes()),
        effective_from=moment if moment.tzinfo else moment.replace(tzinfo=UTC),
        entered_by=by or getpass.getuser(),
        source_document=source,
    )
    console.print(
        f"Recorded version {found.version} of {key}, in force from "
        f"{found.effective_from.isoformat()}: sha256 {found.sha256}."
    )


@notices.command("text")
def notice_text(typer_ctx: typer.Context, key: str, version: int) -> None:
    """Print a version's text exactly as published."""
    found = notice_service.notice_version(context(typer_ctx), key=key, version=version)
    sys.stdout.buffer.write(found.text.encode("utf-8"))
    sys.stdout.flush()
