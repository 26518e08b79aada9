"""A realistic demo company: an Italian retailer with touchpoints of every kind."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from trustguardian.domain.common import FixedClock
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    PurposeLabel,
)
from trustguardian.domain.registry import TouchpointKind as K
from trustguardian.service.context import Context
from trustguardian.service.demo.history import seed_history
from trustguardian.service.demo.rights import seed_rights
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.purpose_flags import set_sale_sharing
from trustguardian.service.registry.touchpoints import TouchpointDraft

CONTROLLER = "Bottega Rossi S.p.A., Via Roma 1, 20121 Milano"
E, S, P, L, W = Channel.EMAIL, Channel.SMS, Channel.PHONE, Channel.LETTER, Channel.WEB_FORM

PURPOSES = {
    "newsletter": (
        "Newsletter marketing",
        "Promotional newsletters by e-mail.",
        LegalBasis.CONSENT,
        (E,),
        True,
    ),
    "sms-marketing": (
        "SMS marketing",
        "Promotional SMS and instant messages.",
        LegalBasis.CONSENT,
        (S,),
        True,
    ),
    "telemarketing": (
        "Telemarketing",
        "Promotional phone calls by our call centre.",
        LegalBasis.CONSENT,
        (P,),
        True,
    ),
    "profiling": (
        "Profiling",
        "Analysis of purchases to personalise offers.",
        LegalBasis.CONSENT,
        (E, S, W),
        True,
    ),
    "third-party-transfer": (
        "Transfer to partners",
        "Communication of contact data to partner brands for their own marketing.",
        LegalBasis.CONSENT,
        (E, S, P, L),
        True,
    ),
    "postal-marketing": (
        "Postal catalogue",
        "Paper catalogues to existing customers.",
        LegalBasis.LEGITIMATE_INTEREST,
        (L,),
        True,
    ),
    "order-fulfilment": (
        "Order fulfilment",
        "Processing orders, deliveries and returns.",
        LegalBasis.CONTRACT,
        (E, S, P, L),
        False,
    ),
    "loyalty-programme": (
        "Loyalty programme",
        "Points, rewards and the loyalty card.",
        LegalBasis.CONTRACT,
        (E, S, W),
        False,
    ),
    "tax-records": (
        "Tax records",
        "Invoices kept as the law requires.",
        LegalBasis.LEGAL_OBLIGATION,
        (L,),
        False,
    ),
}
# The purposes in Italian, for the Italian customers (the public pages pick the reader's words).
ITALIAN = {
    "newsletter": ("Newsletter promozionale", "Newsletter promozionali per e-mail."),
    "sms-marketing": ("Marketing via SMS", "SMS e messaggi istantanei promozionali."),
    "telemarketing": ("Telemarketing", "Telefonate promozionali del nostro call center."),
    "profiling": ("Profilazione", "Analisi degli acquisti per personalizzare le offerte."),
    "third-party-transfer": (
        "Comunicazione a partner",
        "Comunicazione dei dati di contatto a marchi partner per il loro marketing.",
    ),
    "postal-marketing": ("Catalogo per posta", "Cataloghi cartacei ai clienti esistenti."),
    "order-fulfilment": ("Gestione degli ordini", "Elaborazione di ordini, consegne e resi."),
    "loyalty-programme": ("Programma fedeltà", "Punti, premi e carta fedeltà."),
    "tax-records": ("Documenti fiscali", "Fatture conservate come richiede la legge."),
}

NOTICE_TEXTS = {
    ("privacy-clienti", "it", "Informativa privacy clienti"): (
        "Informativa ai sensi degli artt. 13 e 14 del Regolamento (UE) 2016/679.\n"
        "Titolare del trattamento: {controller}.\n"
        "I dati sono trattati per: gestione degli ordini; programma fedeltà; "
        "previo consenso, invio di "
        "newsletter, SMS promozionali, telefonate commerciali, profilazione e "
        "comunicazione a partner.\n"
        "Può revocare il consenso in ogni momento e esercitare i diritti degli "
        "artt. 15-22 scrivendo a "
        "privacy@bottegarossi.example.\n",
        "\nVersione aggiornata: conservazione dei dati di marketing ridotta a 24 mesi; "
        "nuovo responsabile "
        "della protezione dei dati: dpo@bottegarossi.example.\n",
    ),
    ("privacy-customers", "en", "Customer privacy notice"): (
        "Notice under arts. 13 and 14 of Regulation (EU) 2016/679.\n"
        "Controller: {controller}.\n"
        "We process your data for: orders; the loyalty programme; with your consent, newsletters, "
        "promotional SMS, marketing calls, profiling and communication to partners.\n"
        "You may withdraw consent at any time and exercise your rights under "
        "arts. 15-22 by writing to "
        "privacy@bottegarossi.example.\n",
        "\nUpdated version: marketing data kept for 24 months; new data protection officer: "
        "dpo@bottegarossi.example.\n",
    ),
}

MARKETING = ["newsletter", "sms-marketing", "telemarketing", "profiling", "third-party-transfer"]
WEB_PROOFS = [ProofType.FORM_SNAPSHOT, ProofType.NETWORK, ProofType.NOTICE_SHOWN]
DIG, PHY = Nature.DIGITAL, Nature.PHYSICAL

TOUCHPOINTS = [
    (
        "web-newsletter",
        "Newsletter sign-up form",
        K.COLLECT,
        W,
        DIG,
        ["newsletter", "profiling"],
        WEB_PROOFS,
    ),
    (
        "web-checkout",
        "E-commerce checkout",
        K.COLLECT,
        W,
        DIG,
        ["order-fulfilment", *MARKETING],
        WEB_PROOFS,
    ),
    (
        "app-signup",
        "Mobile app registration",
        K.COLLECT,
        Channel.APP,
        DIG,
        ["loyalty-programme", *MARKETING],
        [],
    ),
    (
        "store-loyalty-desk",
        "Loyalty card desk, Milano store",
        K.COLLECT,
        Channel.STORE,
        PHY,
        ["loyalty-programme", "newsletter", "sms-marketing"],
        [ProofType.PAPER_FORM, ProofType.OPERATOR],
    ),
    (
        "fair-stand",
        "Trade fair stand, Salone del Mobile",
        K.COLLECT,
        Channel.EVENT,
        PHY,
        ["newsletter"],
        [ProofType.OPERATOR],
    ),
    (
        "call-center-inbound",
        "Inbound call centre",
        K.COLLECT,
        Channel.CALL_CENTER,
        DIG,
        ["order-fulfilment", "telemarketing"],
        [ProofType.CALL_RECORDING, ProofType.OPERATOR],
    ),
    ("weekly-newsletter", "Weekly newsletter", K.ENGAGE, E, DIG, ["newsletter"], []),
    ("promo-sms", "Promotional SMS campaigns", K.ENGAGE, S, DIG, ["sms-marketing"], []),
    ("outbound-telemarketing", "Outbound telemarketing", K.ENGAGE, P, DIG, ["telemarketing"], []),
    ("postal-catalogue", "Seasonal paper catalogue", K.ENGAGE, L, PHY, ["postal-marketing"], []),
    ("unsubscribe-link", "Unsubscribe link in e-mails", K.RIGHT, E, DIG, ["newsletter"], []),
    ("preference-centre", "Online preference centre", K.RIGHT, W, DIG, MARKETING, []),
    ("privacy-desk", "Privacy rights requests desk", K.RIGHT, Channel.OTHER, DIG, [], []),
    (
        "store-complaints",
        "Customer service desk, Milano store",
        K.RIGHT,
        Channel.STORE,
        PHY,
        [],
        [],
    ),
]
SYSTEMS = {K.COLLECT: ("crm", "esp"), K.ENGAGE: ("esp",), K.RIGHT: ("crm", "esp")}


def seed_demo(ctx: Context) -> bool:
    """Fills an empty registry with the demo company; returns False when it is already there."""
    if touchpoints.list_touchpoints(ctx, limit=1).items:
        return False
    now = ctx.clock.now()
    past = dataclasses.replace(ctx, clock=FixedClock(now - timedelta(days=730)))
    for key, (name, description, basis, channels, marketing) in PURPOSES.items():
        content = PurposeContent(
            name=name,
            description=description,
            legal_basis=basis,
            channels=channels,
            controller=CONTROLLER,
            retention_days=730 if marketing else 3650,
            consent_lifetime_days=730 if marketing and basis is LegalBasis.CONSENT else None,
            marketing=marketing,
            labels=(PurposeLabel("it", *ITALIAN[key]),),
        )
        purposes.create_purpose(past, key=key, content=content)
    for (key, language, title), (text, update) in NOTICE_TEXTS.items():
        first = text.format(controller=CONTROLLER)
        notices.create_notice(past, key=key, language=language, title=title, text=first)
        later = dataclasses.replace(ctx, clock=FixedClock(now - timedelta(days=180)))
        notices.add_notice_version(later, key=key, text=first + update)
    for key, name, kind, channel, nature, purpose_keys, proofs in TOUCHPOINTS:
        notice = "privacy-clienti" if kind is not K.ENGAGE else None
        touchpoints.create_touchpoint(
            past,
            draft=TouchpointDraft(
                key=key,
                name=name,
                kind=kind,
                channel=channel,
                nature=nature,
                owner="Marketing" if kind is K.ENGAGE else "Customer care",
                systems=SYSTEMS[kind],
                purposes=purpose_keys,
                notice_key=notice,
                required_proofs=proofs,
            ),
        )
    # Transfer to partners is the demo's sale/sharing purpose: a Sec-GPC signal objects to it.
    set_sale_sharing(ctx, purpose="third-party-transfer", value=True)
    seed_history(ctx)
    seed_rights(ctx)
    return True
