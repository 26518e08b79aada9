"""People and campaign lists for the console's list tests: a few who consented at the store
desk, a few who then withdrew, and lists naming them, strangers and unreadable rows."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.engage.server import env_for
from tests.factories.cli import tg
from tests.web.helpers import SCAN

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import ProofType
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage import console_lists
from trustguardian.service.engage.list_files import ListRun
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft

# The newsletter of tests.web.helpers.build_registry, whose store desk takes paper forms.
PURPOSE, CHANNEL = "newsletter", "email"


@dataclass(frozen=True)
class Listed:
    consenting: list[str]  # e-mails allowed for the newsletter
    withdrawn: list[str]  # e-mails that consented, then withdrew


def add_listed_people(ctx: Context, tag: str, *, consenting: int = 6, withdrawn: int = 3) -> Listed:
    """People recorded through the real service: a paper consent each, some then withdrawn."""
    now = ctx.clock.now()
    allowed = [f"lista.{tag}.{n}@example.it" for n in range(consenting)]
    gone = [f"ritirato.{tag}.{n}@example.it" for n in range(withdrawn)]
    drafts: list[EventDraft] = []
    for email in [*allowed, *gone]:
        who = (Identifier(IdentifierKind.EMAIL, email),)
        drafts.append(
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="store-desk",
                occurred_at=now - timedelta(days=20),
                identifiers=who,
                purpose=PURPOSE,
                proofs=(
                    ProofDraft(ProofType.PAPER_FORM, {"form_reference": email}, SCAN, "image/png"),
                ),
            )
        )
        if email in gone:
            drafts.append(
                EventDraft(
                    kind=EventKind.CONSENT_WITHDRAWN,
                    touchpoint="unsubscribe-link",
                    occurred_at=now - timedelta(days=2),
                    identifiers=who,
                    purpose=PURPOSE,
                )
            )
    record_events(ctx, drafts=drafts)
    return Listed(allowed, gone)


def campaign_list(listed: Listed, rows: int, *, sep: str = ";") -> bytes:
    """A list as Excel's Italian export saves it (BOM, `;`, CRLF, header `E-mail`): known people,
    strangers, unreadable e-mails and a row with a delimiter in a quoted field."""
    names = [*listed.consenting, *listed.withdrawn]
    out = io.StringIO()
    out.write("\ufeff" + sep.join(["Nome", "E-mail", "Codice cliente", "Nota"]) + "\r\n")
    for n in range(rows):
        kind = n % 10
        if kind < 6:
            email = names[n % len(names)]
        elif kind < 8:
            email = f"sconosciuto.{n}@example.it"
        elif kind == 8:
            email = f"non-una-mail-{n}"
        else:
            email = names[n % len(names)].upper()
        note = f'"nota {sep} con ""virgolette"""' if n % 97 == 0 else f"riga {n}"
        out.write(sep.join([f"Persona {n}", email, "", note]) + "\r\n")
    return out.getvalue().encode()


def wait_for(ctx: Context, owner: str, run_id: str, *, seconds: float = 300) -> ListRun:
    """The run once it has ended (a hung run fails the test, it does not hang the suite)."""
    deadline = time.monotonic() + seconds
    while True:
        run = console_lists.get_list_run(ctx, owner=owner, run_id=run_id)
        if not run.active:
            return run
        assert time.monotonic() < deadline, f"the run is still {run.state} after {seconds} s"
        time.sleep(0.05)


def audience_filter(
    ctx: Context, source: Path, workdir: Path, *columns: str
) -> tuple[bytes, bytes]:
    """`trustguardian audience filter` of a list: its allowed and rejected files."""
    good, bad = workdir / "cli-allowed.csv", workdir / "cli-rejected.csv"
    args = ["audience", "filter", str(source), "--purpose", PURPOSE, "--channel", CHANNEL]
    args += ["--out", str(good), "--rejected", str(bad), "--workers", "1"]
    for column in columns:
        args += ["--column", column]
    done = tg(*args, env={**os.environ, **env_for(ctx.settings)})
    assert done.returncode == 0, done.stderr
    return good.read_bytes(), bad.read_bytes()
