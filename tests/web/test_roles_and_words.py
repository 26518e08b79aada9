"""The permission table's promises, and every word of the console in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from trustguardian.domain.roles import PERMISSIONS, READ_ONLY, WRITES, Permission, Role
from trustguardian.web.console import core
from trustguardian.web.console.i18n import pick_language, translator
from trustguardian.web.console.italian import ENGLISH, ITALIAN

WEB = Path(core.__file__).parent.parent
PERSONAL = {
    Permission.VIEW_SUBJECTS,
    Permission.VIEW_PROOFS,
    Permission.VIEW_EVIDENCE_FILES,
    Permission.VIEW_ACCESS_LOG,
    Permission.DOWNLOAD_DOSSIER,
    Permission.VIEW_REQUESTS,
}


def test_the_auditor_may_change_nothing() -> None:
    assert {Role.AUDITOR} == READ_ONLY
    assert not PERMISSIONS[Role.AUDITOR] & WRITES


def test_ict_sees_no_personal_data_and_marketing_no_evidence() -> None:
    assert not PERMISSIONS[Role.ICT] & PERSONAL
    assert Permission.VIEW_SUBJECTS in PERMISSIONS[Role.MARKETING]
    assert not PERMISSIONS[Role.MARKETING] & {
        Permission.VIEW_PROOFS,
        Permission.VIEW_EVIDENCE_FILES,
    }


def test_only_the_dpo_manages_users_and_everyone_sees_the_dashboard() -> None:
    assert [r for r in Role if Permission.MANAGE_USERS in PERMISSIONS[r]] == [Role.DPO]
    assert all(Permission.VIEW_DASHBOARD in PERMISSIONS[r] for r in Role)
    # Whoever opens proofs may open their files: the proof page frames the snapshot file.
    for role in Role:
        if Permission.VIEW_PROOFS in PERMISSIONS[role]:
            assert Permission.VIEW_EVIDENCE_FILES in PERMISSIONS[role]


def test_dpo_and_legal_handle_the_queues_the_auditor_reads_them_and_dossiers_need_evidence() -> (
    None
):
    handle = [r for r in Role if Permission.HANDLE_REQUESTS in PERMISSIONS[r]]
    read = [r for r in Role if Permission.VIEW_REQUESTS in PERMISSIONS[r]]
    assert handle == [Role.DPO, Role.LEGAL]
    assert read == [Role.DPO, Role.LEGAL, Role.AUDITOR]
    for role in Role:
        if Permission.DOWNLOAD_DOSSIER in PERMISSIONS[role]:
            assert Permission.VIEW_EVIDENCE_FILES in PERMISSIONS[role]
        if Permission.HANDLE_REQUESTS in PERMISSIONS[role]:
            assert Permission.VIEW_REQUESTS in PERMISSIONS[role]


def _template_words() -> set[str]:
    found: set[str] = set()
    for path in [*WEB.glob("templates/console/*.html"), *WEB.glob("console/pages_*.py")]:
        text = path.read_text()
        found.update(re.findall(r'_\("([^"{}]*(?:\{[a-z_]+\}[^"{}]*)*)"', text))
        found.update(re.findall(r"_\('([^']+)'\)", text))
    found.update(item.label for item in core.NAV)
    return found


def test_every_word_of_the_console_has_an_italian_translation() -> None:
    words = {w for w in _template_words() if not w.endswith(":")}
    missing = sorted(w for w in words if w not in ITALIAN)
    assert missing == []
    assert len(words) > 150


def test_every_coded_value_reads_as_a_word_in_both_languages() -> None:
    from trustguardian.domain.consent import ConsentStatus
    from trustguardian.domain.events import EventKind
    from trustguardian.domain.registry import ProofType, TouchpointKind, TouchpointStatus

    codes = (
        [f"status:{s.value}" for s in TouchpointStatus]
        + [f"kind:{k.value}" for k in TouchpointKind]
        + [f"role:{r.value}" for r in Role]
        + [f"consent:{c.value}" for c in ConsentStatus]
        + [f"event:{e.value}" for e in EventKind]
        + [f"proof:{p.value}" for p in ProofType]
        + [f"perm:{p.value}" for p in Permission]
        + [f"risk:{level}" for level in ("high", "medium", "low", "none")]
    )
    assert [c for c in codes if c not in ENGLISH or c not in ITALIAN] == []


def test_placeholders_survive_translation() -> None:
    for english, italian in ITALIAN.items():
        assert set(re.findall(r"\{\w+\}", english)) == set(re.findall(r"\{\w+\}", italian)), english
    assert translator("it")("size {size}", size=3) == "dimensione 3"
    assert translator("en")("risk:high") == "high risk"


def test_the_browser_language_picks_italian_or_english() -> None:
    assert pick_language("it-IT,it;q=0.9,en;q=0.8") == "it"
    assert pick_language("de-DE,en;q=0.5,it;q=0.4") == "en"
    assert pick_language("fr,it;q=0.7") == "it"
    assert pick_language("") == "en"
