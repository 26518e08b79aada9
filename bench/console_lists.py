"""Campaign lists in the console: what a run costs beyond the checks themselves.

    python bench/console_lists.py [--rows 100000] [--people 2000] [--backends sqlite,postgresql]

Per backend, on a registry of one purpose and two touchpoints and `--people` people (a paper
consent each, one in four then withdrawn), a `;`-separated list of `--rows` rows (known people,
strangers and unreadable e-mails):
- console: `service.engage.console_lists` from upload (header read, rows counted, stored) to
  the run's end in its background thread (progress saved every chunk, both files written);
- raw: `check_records` over the same file in the same process (one worker), its answers
  dropped: the checks alone, the floor a console run stands on.

Prints seconds, rows per second and the ratio console/raw, then one JSON line.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import context, database
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage import console_lists
from trustguardian.service.engage.audience import csv_records, list_lines
from trustguardian.service.engage.audience_workers import check_records
from trustguardian.service.engage.list_header import read_header
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft

OWNER = "usr_bench"
SCAN = bytes.fromhex("89504e470d0a1a0a") + b"scanned paper form"


def registry(ctx: Context, people: int) -> list[str]:
    """One purpose, a store desk and an unsubscribe link; people who consented on paper."""
    content = PurposeContent(
        name="Newsletter",
        description="Promotional e-mails.",
        legal_basis=LegalBasis.CONSENT,
        channels=(Channel.EMAIL,),
        controller="Bottega Rossi S.p.A.",
        retention_days=730,
        consent_lifetime_days=730,
        marketing=True,
    )
    purposes.create_purpose(ctx, key="newsletter", content=content)
    for key, kind, channel, proofs in (
        ("store-desk", TouchpointKind.COLLECT, Channel.STORE, [ProofType.PAPER_FORM]),
        ("unsubscribe-link", TouchpointKind.RIGHT, Channel.EMAIL, []),
    ):
        touchpoints.create_touchpoint(
            ctx,
            draft=TouchpointDraft(
                key=key,
                name=key,
                kind=kind,
                channel=channel,
                nature=Nature.DIGITAL,
                purposes=["newsletter"],
                required_proofs=proofs,
            ),
        )
    now = ctx.clock.now()
    emails = [f"persona.{n}@example.it" for n in range(people)]
    for start in range(0, people, 500):
        drafts: list[EventDraft] = []
        for n, email in enumerate(emails[start : start + 500], start=start):
            who = (Identifier(IdentifierKind.EMAIL, email),)
            proof = ProofDraft(ProofType.PAPER_FORM, {"form_reference": str(n)}, SCAN, "image/png")
            drafts.append(
                EventDraft(
                    kind=EventKind.CONSENT_GIVEN,
                    touchpoint="store-desk",
                    occurred_at=now - timedelta(days=20),
                    identifiers=who,
                    purpose="newsletter",
                    proofs=(proof,),
                )
            )
            if n % 4 == 0:
                drafts.append(
                    EventDraft(
                        kind=EventKind.CONSENT_WITHDRAWN,
                        touchpoint="unsubscribe-link",
                        occurred_at=now - timedelta(days=2),
                        identifiers=who,
                        purpose="newsletter",
                    )
                )
        record_events(ctx, drafts=drafts)
    return emails


def campaign(emails: list[str], rows: int) -> bytes:
    out = io.StringIO()
    out.write("\ufeffNome;E-mail;Nota\r\n")
    for n in range(rows):
        kind = n % 10
        email = emails[n % len(emails)] if kind < 7 else f"x.{n}@example.it"
        email = f"non-una-mail-{n}" if kind == 9 else email
        out.write(f"Persona {n};{email};riga {n}\r\n")
    return out.getvalue().encode()


def console_run(ctx: Context, data: bytes) -> float:
    start = time.perf_counter()
    run = console_lists.upload_list(ctx, owner=OWNER, filename="c.csv", data=io.BytesIO(data))
    console_lists.start_list_run(
        ctx,
        owner=OWNER,
        run_id=run.id,
        columns={1: "email"},
        purpose="newsletter",
        channel=Channel.EMAIL,
        at=None,
    )
    while console_lists.get_list_run(ctx, owner=OWNER, run_id=run.id).active:
        time.sleep(0.1)  # as a page polls: rarely, so the run keeps the interpreter
    seconds = time.perf_counter() - start
    done = console_lists.get_list_run(ctx, owner=OWNER, run_id=run.id)
    assert done.state.value == "done", done.error
    return seconds


def raw_run(ctx: Context, path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as handle:
        lines = list_lines(handle)
        layout = read_header(lines, source="c.csv", columns={}, how="")
        for _ in check_records(
            ctx,
            csv_records(lines, first=layout.line + 1),
            layout.keys,
            purpose="newsletter",
            channel=Channel.EMAIL,
            answer=lambda checked: len(checked.numbers),
            workers=1,
            delimiter=layout.delimiter,
        ):
            pass
    return time.perf_counter() - start


def run(backend: str, rows: int, people: int, workdir: Path) -> dict[str, float]:
    url, drop = database(backend, workdir)
    ctx = context(url, workdir)
    ctx = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"lists_dir": workdir / f"lists-{backend}"})
    )
    try:
        emails = registry(ctx, people)
        data = campaign(emails, rows)
        path = workdir / f"list-{backend}.csv"
        path.write_bytes(data)
        raw_run(ctx, path)  # warm the registry copy and the connections once
        raw = raw_run(ctx, path)
        console = console_run(ctx, data)
    finally:
        ctx.engine.dispose()
        drop()
    figures = {
        f"{backend}_console_s": round(console, 3),
        f"{backend}_raw_s": round(raw, 3),
        f"{backend}_console_rows_per_s": round(rows / console),
        f"{backend}_ratio": round(console / raw, 2),
    }
    print(
        f"{backend}: {rows} rows; console run {console:.2f} s ({rows / console:,.0f} rows/s), "
        f"checks alone {raw:.2f} s; ratio {console / raw:.2f}"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    figures: dict[str, float] = {"rows": args.rows, "people": args.people}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures |= run(backend, args.rows, args.people, Path(tmp))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
