"""The proofs of an imported row: network, operator, a scan or page it names, and the notice it
says was shown, checked against the version it claims.

A legacy system may keep which version of the notice a person saw, its text, or a hash of it.
The version named (or, without one, the version in force on the row's date) is the claim; a
text or hash that matches it becomes a `notice_shown` proof, one that does not is imported with
a finding: the row is the company's record of what happened, and refusing it would lose the
consent's trace without correcting anything.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from trustguardian.domain.registry import NoticeVersion, ProofType, shows_version, version_in_force
from trustguardian.service.collect.evidence import ProofDraft


class RowRejected(Exception):
    """A row that cannot be imported; the message says why."""


EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", ProofType.PAPER_FORM),
    ".png": ("image/png", ProofType.PAPER_FORM),
    ".jpg": ("image/jpeg", ProofType.PAPER_FORM),
    ".jpeg": ("image/jpeg", ProofType.PAPER_FORM),
    ".webp": ("image/webp", ProofType.PAPER_FORM),
    ".html": ("text/html", ProofType.FORM_SNAPSHOT),
    ".htm": ("text/html", ProofType.FORM_SNAPSHOT),
}


@dataclass(frozen=True)
class Claim:
    version: int | None  # the version the row names, for the event to cite
    proofs: tuple[ProofDraft, ...] = ()
    finding: str | None = None


def notice_claim(
    key: str | None, versions: Sequence[NoticeVersion], occurred: datetime, opt: dict[str, str]
) -> Claim:
    """Checks what the row says of the notice shown (`opt`: the row's optional cells by role)."""
    number = None
    if opt.get("notice_version"):
        try:
            number = int(opt["notice_version"])
        except ValueError as exc:
            raise RowRejected(f"notice version {opt['notice_version']!r} is not a number") from exc
    text, digest = opt.get("notice_text") or None, opt.get("notice_sha256") or None
    if text is None and digest is None:
        return Claim(number)
    if key is None:
        return Claim(number, finding="the row says which notice was shown; the touchpoint has none")
    if number is not None:
        claimed = next((v for v in versions if v.version == number and v.published), None)
    else:
        claimed = version_in_force(versions, occurred)
    if claimed is None:
        return Claim(number)  # recording refuses the row: no such version, or none in force then
    if shows_version(claimed, text=text, sha256=digest):
        shown = {"key": key, "version": claimed.version, "sha256": claimed.sha256}
        return Claim(number, (ProofDraft(ProofType.NOTICE_SHOWN, shown),))
    seen = digest or hashlib.sha256((text or "").encode("utf-8")).hexdigest()
    return Claim(
        number,
        finding=(
            f"the notice text the row records (sha256 {seen[:12]}…) is not that of "
            f"{key} v{claimed.version}, which the event cites"
        ),
    )


def row_proofs(
    opt: dict[str, str], evidence_dir: Path | None
) -> tuple[list[ProofDraft], str | None]:
    """The row's proofs (`opt`: its optional cells by role), and the SHA-256 of its file."""
    proofs = []
    if opt.get("ip"):
        try:
            ip = str(ipaddress.ip_address(opt["ip"]))
        except ValueError as exc:
            raise RowRejected(f"{opt['ip']!r} is not an IP address") from exc
        proofs.append(
            ProofDraft(ProofType.NETWORK, {"ip": ip, "user_agent": opt.get("user_agent") or None})
        )
    if opt.get("staff_member"):
        fields = {"staff_member": opt["staff_member"]}
        if opt.get("store"):
            fields["store"] = opt["store"]
        proofs.append(ProofDraft(ProofType.OPERATOR, fields))
    digest = None
    if opt.get("evidence"):
        if evidence_dir is None:
            raise RowRejected("the row names an evidence file: pass --evidence-dir")
        root = evidence_dir.resolve()
        file = (root / opt["evidence"]).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            raise RowRejected(f"evidence file {opt['evidence']!r} not found in the evidence dir")
        known = EVIDENCE_TYPES.get(file.suffix.lower())
        if known is None:
            raise RowRejected(f"evidence file {opt['evidence']!r}: not a PDF, image or HTML page")
        content = file.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        fields = {"form_reference": file.name} if known[1] is ProofType.PAPER_FORM else {}
        proofs.append(ProofDraft(known[1], fields, content, known[0]))
    return proofs, digest
