"""The inspection report and the art. 30 register an Italian inspector reads: in Italian, with
the controller, DPO, recipients and transfers, and figures that match the database, expired
pending consents and imports included (both backends)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import and_, func, or_, select
from tests.census.helpers import NOTICE, PURPOSE, STORE, T0, at, signer
from tests.factories import add_purpose, add_touchpoint
from tests.factories.cli import instance_env, tg
from tests.reports.helpers import History, mario_history
from tests.reports.pdf import pdf_text

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, ProofType, Transfer, text_sha256
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.reports.exports import dpv_records, kantara_receipts
from trustguardian.reports.inspection import inspection_report
from trustguardian.reports.register import register_pdf
from trustguardian.reports.touchpoint_dossier import touchpoint_report
from trustguardian.service.accountability.records import (
    processing_register,
    register_header,
    subject_records,
)
from trustguardian.service.collect.admin import configure
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry.census import examine_touchpoints
from trustguardian.service.registry.purposes import set_register_fields
from trustguardian.service.registry.securing import secure_touchpoint
from trustguardian.store import tables as t

SIGNUP = "web-signup"
LEGACY = "crm-legacy"
PROFILING = "profiling"
SETTINGS = {
    "controller_name": "Bottega Rossi S.p.A.",
    "controller_address": "Via Roma 1, 20121 Milano",
    "controller_phone": "+39 02 1234567",
    "controller_email": "privacy@bottegarossi.it",
    "dpo_name": "Studio Bianchi",
    "dpo_email": "dpo@studiobianchi.it",
}


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def company(ctx: Context, tmp_path: Path) -> History:
    """Mario's history, a form with our double opt-in whose sign-up was never confirmed, a
    2019 consent imported from the old CRM, and a purpose with recipients and a transfer."""
    settings = ctx.settings.model_copy(update={**SETTINGS, "outbox_dir": tmp_path / "outbox"})
    history = mario_history(dataclasses.replace(ctx, settings=settings))
    now = history.ctx
    set_register_fields(
        now,
        key=PURPOSE,
        recipients=["Poste Italiane S.p.A. (stampa e recapito)"],
        transfers=[Transfer("Mailer Inc.", "US", "scc")],
        data_categories=["nome e cognome"],
        subject_categories=["clienti", "iscritti alla newsletter"],
        retention="24 mesi dall'ultimo consenso, poi cancellati",
    )
    add_purpose(at(now, T0), PROFILING, name="Profilazione", channels=(Channel.EMAIL,))
    add_touchpoint(
        now,
        SIGNUP,
        purposes=[PURPOSE, PROFILING],
        notice_key=NOTICE,
        required_proofs=[ProofType.NOTICE_SHOWN],
    )
    configure(now, touchpoint=SIGNUP, confirmation=Confirmation.DOUBLE_OPT_IN)
    # The old CRM, imported with no notice on record (historical notices are another story).
    add_touchpoint(now, LEGACY, purposes=[PURPOSE], required_proofs=[ProofType.IMPORT])
    signed_up = T0 + timedelta(hours=3)
    record_events(
        at(now, signed_up),
        drafts=[
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint=SIGNUP,
                occurred_at=signed_up,
                identifiers=(normalise(IdentifierKind.EMAIL, "anna@example.com"),),
                purpose=PURPOSE,
                channels=(Channel.EMAIL,),
                proofs=(
                    ProofDraft(
                        ProofType.NOTICE_SHOWN,
                        {"key": NOTICE, "version": 2, "sha256": _v2_sha()},
                    ),
                ),
                fingerprint="anna",
            )
        ],
    )
    record_events(
        at(now, T0 + timedelta(hours=4)),
        drafts=[
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint=LEGACY,
                occurred_at=datetime(2019, 3, 5, 10, 0, tzinfo=UTC),
                identifiers=(normalise(IdentifierKind.EMAIL, "paolo@example.com"),),
                purpose=PURPOSE,
                channels=(Channel.EMAIL,),
                proofs=(ProofDraft(ProofType.IMPORT, {"file_sha256": "0" * 64, "row": 2}),),
                fingerprint="paolo-2019",
            )
        ],
    )
    return dataclasses.replace(history, ctx=at(now, T0 + timedelta(days=5)))


def _v2_sha() -> str:
    from tests.reports.helpers import NOTICE_V2

    return text_sha256(NOTICE_V2)


def sql_figures(ctx: Context, now: datetime, start: datetime, end: datetime) -> dict[str, int]:
    """The figures straight from the tables, as an inspector's own query would count them."""
    s, e = t.consent_states.c, t.events.c
    lapsed = and_(s.status.in_(["given", "pending_confirmation"]), s.expires_at <= now)
    with ctx.engine.connect() as conn:
        count = lambda *where: conn.execute(select(func.count()).where(*where)).scalar_one()  # noqa: E731
        return {
            "given": count(s.status == "given", or_(s.expires_at.is_(None), s.expires_at > now)),
            "expired": count(or_(s.status == "expired", lapsed)),
            "pending": count(s.status == "pending_confirmation", s.expires_at > now),
            "occurred": count(e.occurred_at >= start, e.occurred_at < end),
            "late": count(e.recorded_at >= start, e.recorded_at < end, e.occurred_at < start),
        }


def test_the_figures_match_the_database_with_expired_pending_consents_and_imports(
    company: History,
) -> None:
    now = company.ctx
    start, end = T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=1)
    body, figures = inspection_report(now, start=start, end=end, lang="it")
    expected = sql_figures(now, now.clock.now(), start, end)
    # Anna never confirmed within 72 hours; Paolo's 2019 consent outlived its 730 days.
    assert expected["expired"] == 2
    assert expected["late"] == 1  # Paolo's 2019 consent, imported in the period
    assert expected["pending"] == 0
    consents = figures.consents
    assert sum(c["expired"] for c in consents.values()) == expected["expired"]
    assert sum(c["pending_confirmation"] for c in consents.values()) == expected["pending"]
    assert sum(c["given"] for c in consents.values()) == expected["given"]
    assert sum(figures.events.values()) == expected["occurred"]
    assert sum(figures.recorded_late.values()) == expected["late"]
    coverage = {c.touchpoint: (c.events, c.imported) for c in figures.coverage}
    assert coverage[SIGNUP] == (1, 0)
    assert coverage[LEGACY] == (1, 1)

    text = one_line(pdf_text(body))
    assert "Rapporto per l'ispezione" in text
    assert f"Consensi prestati oggi: {expected['given']}; scaduti: {expected['expired']}" in text
    assert (
        f"Eventi privacy del periodo: {expected['occurred']}, più {expected['late']} registrati "
        "nel periodo ma avvenuti prima"
    ) in text
    assert "Titolare: Bottega Rossi S.p.A." in text
    assert "RPD/DPO: Studio Bianchi (dpo@studiobianchi.it)" in text
    assert "2. Consensi per finalità e canale" in text
    assert "consenso prestato" in text  # event kinds in Italian
    assert "Inspection report" not in text


def test_the_register_names_recipients_and_transfers_for_every_purpose_that_has_them(
    company: History,
) -> None:
    now = company.ctx
    rows = processing_register(now)
    body = register_pdf(rows, now.clock.now(), register_header(now), "it")
    text = one_line(pdf_text(body))
    assert "Registro delle attività di trattamento (art. 30 GDPR)" in text
    assert "Responsabile della protezione dei dati (art. 37) Studio Bianchi" in text
    assert "Bottega Rossi S.p.A. (Via Roma 1, 20121 Milano" in text
    for row in rows:
        for party in row.third_parties:
            assert party in text
        for x in row.transfers:
            assert f"{x.recipient} ({x.country}): clausole contrattuali tipo, art. 46(2)(c)" in text
    [newsletter] = [r for r in rows if r.purpose.key == PURPOSE]
    assert newsletter.third_parties == ("Poste Italiane S.p.A. (stampa e recapito)",)
    assert [x.country for x in newsletter.transfers] == ["US"]
    assert "consenso (art. 6(1)(a))" in text
    assert "clienti; iscritti alla newsletter" in text
    assert "24 mesi dall'ultimo consenso, poi cancellati" in text
    assert "Trasferimenti verso paesi terzi" in text
    assert "nessuno registrato" in text  # the profiling purpose transfers nothing
    assert "Register of processing" not in text


def test_the_cli_writes_both_reports_in_italian(company: History, tmp_path: Path) -> None:
    env = {
        **os.environ,
        **instance_env(company.ctx, tmp_path),
        **{f"TRUSTGUARDIAN_{k.upper()}": v for k, v in SETTINGS.items()},
    }
    day = T0.date().isoformat()
    report = tmp_path / "ispezione.pdf"
    done = tg(
        "report", "inspection", "--from", day, "--to", day, "--lang", "it", "--out", report,
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Touchpoint censiti:" in done.stdout
    text = one_line(pdf_text(report.read_bytes()))
    assert "Rapporto per l'ispezione" in text
    assert "Periodo: dal 2026-11-02 al 2026-11-03 (escluso)" in text

    register = tmp_path / "registro.pdf"
    done = tg("report", "register", "--lang", "it", "--out", register, env=env)
    assert done.returncode == 0, done.stderr
    text = one_line(pdf_text(register.read_bytes()))
    assert "Registro delle attività di trattamento" in text
    assert "Mailer Inc. (US): clausole contrattuali tipo" in text

    refused = tg("report", "register", "--lang", "de", "--out", register, env=env)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr


def test_a_transfer_inside_the_eea_or_without_a_known_safeguard_is_refused(
    company: History,
) -> None:
    for bad in (Transfer("Partner GmbH", "DE", "scc"), Transfer("Mailer Inc.", "US", "trust us")):
        with pytest.raises(InvalidInput):
            set_register_fields(
                company.ctx,
                key=PURPOSE,
                recipients=[],
                transfers=[bad],
                data_categories=[],
                subject_categories=[],
                retention="",
            )


def test_the_cli_states_a_purposes_register_fields(company: History, tmp_path: Path) -> None:
    env = {**os.environ, **instance_env(company.ctx, tmp_path)}
    done = tg(
        "purposes", "register", PROFILING, "--recipient", "Agenzia Verdi S.r.l.",
        "--transfer", "Cloud Co.:ch:adequacy", "--subject-category", "clienti",
        "--retention", "12 mesi", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [row] = [r for r in processing_register(company.ctx) if r.purpose.key == PROFILING]
    assert row.purpose.version == 2
    assert row.third_parties == ("Agenzia Verdi S.r.l.",)
    assert row.transfers == (Transfer("Cloud Co.", "CH", "adequacy"),)
    assert row.purpose.content.retention == "12 mesi"
    refused = tg("purposes", "register", PROFILING, "--transfer", "nowhere", env=env)
    assert refused.returncode != 0
    assert "RECIPIENT:COUNTRY:SAFEGUARD" in refused.stderr


def test_a_touchpoints_dossier_tells_its_history_in_italian(
    company: History, tmp_path: Path
) -> None:
    now = company.ctx
    examine_touchpoints(at(now, T0 + timedelta(days=1)))
    secure_touchpoint(now, key=STORE, by=signer(now), note="moduli scansionati ogni sera")
    body = touchpoint_report(now, key=STORE, lang="it")
    text = one_line(pdf_text(body))
    assert "Fascicolo del touchpoint: Shop counter" in text
    assert "moduli scansionati ogni sera" in text
    assert "user:giulia.dpo (dpo)" in text
    # Notices over time: the counter showed version 2 to Mario and Luigi (times in Rome).
    assert "privacy-it 2 2 2 nov 2026, 10:40 2 nov 2026, 10:45" in text
    assert "modulo cartaceo firmato" in text
    assert "paper_form" not in text
    assert "consenso prestato 2" in text
    with now.engine.connect() as conn:
        commitments = (
            conn.execute(
                select(t.event_proofs.c.commitment)
                .join(t.events, t.events.c.seq == t.event_proofs.c.event_seq)
                .where(t.events.c.touchpoint_key == STORE)
            )
            .scalars()
            .all()
        )
    assert len(commitments) == 2
    packed = text.replace(" ", "")  # a 64-digit commitment wraps in its cell
    assert all(c in packed for c in commitments)
    assert "Gio" not in text  # the operator's name stays sealed

    env = {**os.environ, **instance_env(now, tmp_path)}
    out = tmp_path / "store.pdf"
    done = tg("report", "touchpoint", STORE, "--lang", "en", "--out", out, env=env)
    assert done.returncode == 0, done.stderr
    assert "Touchpoint dossier: Shop counter" in one_line(pdf_text(out.read_bytes()))
    missing = tg("report", "touchpoint", "nowhere", "--out", out, env=env)
    assert missing.returncode != 0
    assert "no touchpoint 'nowhere'" in missing.stderr


def test_the_standard_exports_speak_italian_and_name_recipients_and_transfers(
    company: History,
) -> None:
    records = subject_records(company.ctx, subject_id=company.subject_id)
    [record] = dpv_records(records, "it")
    labels = [
        consent["skos:prefLabel"]
        for process in record["dpv:hasProcess"][0]["dpv:hasProcess"]
        for consent in process["dpv:hasConsentStatus"]
    ]
    assert sorted(labels) == ["prestato", "revocato"]
    names = [e["dpv:hasName"] for e in record["dpv:hasEntity"].values()]
    assert "Poste Italiane S.p.A. (stampa e recapito)" in names
    [transfer] = record["dpv:hasProcess"][0]["tg:thirdCountryTransfers"]
    assert transfer["dpv:hasThirdCountry"] == "loc:US"
    assert "clausole contrattuali tipo" in transfer["dpv:hasSafeguard"]
    [receipt] = kantara_receipts(records, "it")
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["termination"] == (
        "revoca, o 730 giorni dopo il consenso; dati conservati al massimo 730 giorni"
    )
    assert "Poste Italiane S.p.A. (stampa e recapito)" in purpose["thirdPartyName"]
    [english] = kantara_receipts(records, "en")
    assert english["services"][0]["purposes"][0]["termination"].startswith("withdrawal, or 730")
