"""Importing consents from a legacy CSV export (a CRM's), with whatever proof exists.

Each row becomes its events, all or none: a bad row (a wrong number of fields, a value that
cannot be read) is reported with its line and the reason and never stops the others. Every
event carries an `import` proof: the file's SHA-256, name and encoding, the row's line, who ran
the import and when, and, sealed with the person's key, the file's own bytes for that row
(the header's and the row's, exactly as exported). The person's evidence never holds another
person's row, and erasing them destroys their row with the rest. Each event's idempotency key
is derived from the row's content alone, so running the same rows again (the same file, or a
new export holding them in any order) imports nothing twice.

The file itself becomes a source-file record in the ledger (service.collect.source_file): its
shape and the Merkle root of its rows' salted commitments; each `import` proof names the record
and its row's index, with the row's salt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from trustguardian.domain.errors import DomainError, InvalidInput
from trustguardian.domain.registry import NoticeVersion, ProofType
from trustguardian.domain.subjects import Identifier
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.collect.import_mapping import NOTICE_COLUMNS, Mapping
from trustguardian.service.collect.import_proofs import RowRejected, notice_claim, row_proofs
from trustguardian.service.collect.import_source import (
    SourceFile,
    count_records,
    read_source,
    records,
)
from trustguardian.service.collect.source_file import SourcePlan, SourceWriter, plan_source
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft

EVENT_LOC = re.compile(r"^events\.(\d+)\b")


@dataclass
class ImportReport:
    file_sha256: str
    encoding: str = ""
    rows: int = 0
    imported_rows: int = 0
    imported_events: int = 0
    already_imported: int = 0
    empty_rows: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # Rows imported with something to look into (a notice text that is not the version's).
    findings: list[tuple[int, str]] = field(default_factory=list)
    source_id: str | None = None  # the source-file record, when the file produced an event


@dataclass(frozen=True)
class _Row:
    number: int
    index: int
    drafts: list[EventDraft]
    finding: str | None = None


@dataclass(frozen=True)
class Job:
    """What every row of one import shares."""

    touchpoint: str
    mapping: Mapping
    evidence_dir: Path | None
    provenance: dict[str, object]
    header: bytes  # the header record's bytes, which each row's sealed excerpt starts with
    media_type: str
    notice_key: str | None
    notices: tuple[NoticeVersion, ...]
    plan: SourcePlan


@dataclass(frozen=True)
class Line:
    """A data record: the line it starts on, its index among the data records, its bytes as in
    the file, its cells by column."""

    number: int
    index: int
    raw: bytes
    cells: dict[str, str] | None  # None: not as many fields as the header
    problem: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(
    ctx: Context,
    source: SourceFile,
    *,
    touchpoint: str,
    mapping: Mapping,
    imported_by: str,
    evidence_dir: Path | None,
) -> tuple[Job, Iterator[Line]]:
    """Checks the touchpoint and the header; returns the import's job and its data lines."""
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(touchpoint)
        if tp is None:
            raise InvalidInput(f"no touchpoint {touchpoint!r}")
        notices = tuple(uow.notices.versions(tp.notice_key)) if tp.notice_key else ()
    lines = records(source, mapping.delimiter)
    header = next(lines, None)
    if header is None:
        raise InvalidInput(f"{source.name} is empty: not even a header line")
    missing = mapping.columns() - set(header.cells)
    if missing:
        raise InvalidInput(f"the file has no column(s) {sorted(missing)} named in the mapping")
    twice = sorted({c for c in header.cells if header.cells.count(c) > 1} & mapping.columns())
    if twice:
        raise InvalidInput(f"the header names column(s) {twice} more than once")
    provenance: dict[str, object] = {
        "file_sha256": source.sha256,
        "file_name": source.name,
        "file_size": len(source.content),
        "encoding": source.charset,
        "imported_by": imported_by,
        "imported_at": ctx.clock.now().isoformat(),
    }
    job = Job(
        touchpoint=touchpoint,
        mapping=mapping,
        evidence_dir=evidence_dir,
        provenance=provenance,
        header=header.raw,
        media_type=f"text/csv; charset={source.charset}",
        notice_key=tp.notice_key,
        notices=notices,
        plan=plan_source(ctx, source, mapping.delimiter),
    )
    names, width = header.cells, len(header.cells)

    def data() -> Iterator[Line]:
        for index, record in enumerate(lines):
            if len(record.cells) != width:
                why = f"line {record.line} has {len(record.cells)} fields, the header {width}"
                yield Line(record.line, index, record.raw, None, why)
                continue
            cells = {k: v.strip() for k, v in zip(names, record.cells, strict=True)}
            yield Line(record.line, index, record.raw, cells)

    return job, data()


def import_consents(
    ctx: Context,
    *,
    path: Path,
    touchpoint: str,
    mapping: Mapping,
    imported_by: str,
    evidence_dir: Path | None = None,
    batch_rows: int = 500,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ImportReport:
    """Imports the file; `progress` is told (rows handled, rows in all) after each batch."""
    source = read_source(path, mapping.encoding)
    total = count_records(source, mapping.delimiter)  # a malformed file is refused here, whole
    job, lines = prepare(
        ctx,
        source,
        touchpoint=touchpoint,
        mapping=mapping,
        imported_by=imported_by,
        evidence_dir=evidence_dir,
    )
    report = ImportReport(file_sha256=source.sha256, encoding=source.charset)
    writer = SourceWriter(ctx, job.plan, touchpoint, imported_by)
    progress(0, total)
    seen: set[str] = set()
    batch: list[_Row] = []
    for line in lines:
        report.rows += 1
        try:
            if line.cells is None:
                raise RowRejected(line.problem)
            drafts, finding = row_drafts(ctx, job, line.number, line.index, line.raw, line.cells)
            row = _Row(line.number, line.index, drafts, finding)
        except (RowRejected, DomainError) as exc:
            report.rejected.append((line.number, _why(exc)))
            continue
        if not row.drafts:
            report.empty_rows += 1
            continue
        keys = [d.idempotency_key or "" for d in row.drafts]
        if any(k in seen for k in keys):
            report.already_imported += 1  # the same consent twice in this file
            continue
        seen.update(keys)
        batch.append(row)
        if len(batch) >= batch_rows:
            _record(ctx, batch, report, writer)
            batch = []
            progress(report.rows, total)
    if batch:
        _record(ctx, batch, report, writer)
    progress(report.rows, total)
    if writer.written:
        report.source_id = job.plan.id
    return report


def _why(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        details = "; ".join(f"{e.loc}: {e.msg}" for e in exc.errors)
        return f"{exc.detail} ({details})" if details else exc.detail
    return str(exc)


def _when(text: str, mapping: Mapping) -> datetime:
    try:
        if mapping.time_format:
            moment = datetime.strptime(text, mapping.time_format)  # no zone yet: added below
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RowRejected(f"date {text!r} is not in the expected format") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=mapping.timezone or UTC)
    return moment.astimezone(UTC)


def row_drafts(
    ctx: Context, job: Job, number: int, index: int, raw: bytes, cells: dict[str, str]
) -> tuple[list[EventDraft], str | None]:
    """The events of one row, and what to look into about it (or None)."""
    mapping, touchpoint = job.mapping, job.touchpoint
    region = ctx.settings.default_phone_region
    identifiers: list[Identifier] = [
        normalise(kind, cells[column], region=region, loc=column)
        for kind, column in mapping.identifiers.items()
        if cells.get(column)
    ]
    if not identifiers:
        raise RowRejected("no identifier: every identifier column is empty")
    if not cells.get(mapping.occurred_at):
        raise RowRejected(f"no date in column {mapping.occurred_at!r}")
    occurred = _when(cells[mapping.occurred_at], mapping)
    events = []
    for consent in mapping.consents:
        value = cells.get(consent.column, "")
        if not value:
            continue
        kind = consent.values.get(value.upper())
        if kind is None:
            raise RowRejected(f"column {consent.column!r}: value {value!r} is not mapped")
        events.append((consent, kind))
    if not events:
        return [], None
    opt = {role: cells.get(column, "") for role, column in mapping.optional.items()}
    proofs, evidence_digest = row_proofs(opt, job.evidence_dir)
    claim = notice_claim(job.notice_key, job.notices, occurred, opt)
    source = opt.get("source") or None
    content: list[object] = [
        touchpoint,
        sorted((i.namespace, i.value) for i in identifiers),
        occurred.isoformat(),
        opt.get("ip"),
        opt.get("user_agent"),
        opt.get("staff_member"),
        opt.get("store"),
        source,
        evidence_digest,
    ]
    if any(role in mapping.optional for role in NOTICE_COLUMNS):
        content.append([opt.get(role) for role in NOTICE_COLUMNS])  # earlier keys unchanged
    imported: dict[str, object] = {
        **job.provenance,
        "row": number,
        "source_file": job.plan.cite(index),
        **({"source": source} if source else {}),
        **({"finding": claim.finding} if claim.finding else {}),
    }
    excerpt = ProofDraft(ProofType.IMPORT, imported, job.header + raw, job.media_type)
    drafts = []
    for consent, kind in events:
        digest = hashlib.sha256(
            orjson.dumps([*content, consent.purpose, [c.value for c in consent.channels], kind])
        ).hexdigest()
        drafts.append(
            EventDraft(
                kind=kind,
                touchpoint=touchpoint,
                occurred_at=occurred,
                identifiers=tuple(identifiers),
                purpose=consent.purpose,
                channels=consent.channels,
                notice_version=claim.version,
                proofs=(excerpt, *proofs, *claim.proofs),
                idempotency_key=f"import:{digest}",
                fingerprint=digest,
            )
        )
    return drafts, claim.finding


def _record(ctx: Context, batch: list[_Row], report: ImportReport, writer: SourceWriter) -> None:
    """Records a batch in one transaction; rows named by a refusal are set aside and the rest
    retried, so each row stays all-or-nothing and the good ones still go in together."""
    # A re-run finds its rows by their keys in one indexed read, without loading the events.
    keys = [d.idempotency_key or "" for row in batch for d in row.drafts]
    with ctx.uow(write=False) as uow:
        known = set(uow.events.idempotent(batch[0].drafts[0].touchpoint, keys))
    pending = []
    for row in batch:
        if all(d.idempotency_key in known for d in row.drafts):
            report.already_imported += 1
        else:
            pending.append(row)
    while pending:
        drafts, owner = [], []
        for n, row in enumerate(pending):
            drafts.extend(row.drafts)
            owner.extend([n] * len(row.drafts))
        positions = {d.idempotency_key or "": row.index for row in pending for d in row.drafts}
        try:
            results = record_events(ctx, drafts=drafts, before_commit=writer.hook(positions))
        except DomainError as exc:
            bad = {owner[int(m.group(1))] for e in exc.errors if (m := EVENT_LOC.match(e.loc))}
            if not bad:
                if len(pending) == 1:
                    report.rejected.append((pending[0].number, _why(exc)))
                    return
                for row in pending:  # the refusal names no event: try each row on its own
                    _record(ctx, [row], report, writer)
                return
            for n in sorted(bad):
                reasons = [
                    e.msg
                    for e in exc.errors
                    if (m := EVENT_LOC.match(e.loc)) and owner[int(m.group(1))] == n
                ]
                report.rejected.append((pending[n].number, "; ".join(dict.fromkeys(reasons))))
            pending = [row for n, row in enumerate(pending) if n not in bad]
            continue
        writer.committed([r for r in results if not r.replayed])
        position = 0
        for row in pending:
            mine = results[position : position + len(row.drafts)]
            position += len(row.drafts)
            if all(r.replayed for r in mine):
                report.already_imported += 1
            else:
                report.imported_rows += 1
                if row.finding:
                    report.findings.append((row.number, row.finding))
                report.imported_events += sum(not r.replayed for r in mine)
        return
