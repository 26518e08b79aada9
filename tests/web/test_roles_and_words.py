"""The permission table's promises (the console's words: tests/i18n)."""

from __future__ import annotations

from pathlib import Path

from trustguardian.domain.roles import PERMISSIONS, READ_ONLY, WRITES, Permission, Role
from trustguardian.web.console import core

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
