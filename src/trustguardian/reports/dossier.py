"""A subject's dossier as a zip an inspector can verify offline.

Layout (every path but `manifest.txt` is listed in the manifest with its SHA-256):

- `manifest.txt`: a C2SP signed note by the instance key: a header, then `<sha256> <path>` lines
- `public-key.txt`: the note verifier key of the instance (checkpoints and manifest)
- `checkpoint.txt`: the signed checkpoint every inclusion proof leads to
- `checkpoint.tsr`: the RFC 3161 time-stamp response over `checkpoint.txt` (when stamped)
- `stamps.json`, `stamps/<size>.txt|.tsr`: earlier stamped checkpoints with their tokens and
  consistency proofs, and which stamp covers each event ("not stamped yet": none)
- `events/<seq>-<id>.json`: each event's ledger leaf, byte for byte
- `proofs/<seq>-<id>.json`: each event's RFC 9162 inclusion proof
- `tlog-proofs/<seq>-<id>.tlog-proof`: the same as a c2sp.org/tlog-proof, against a checkpoint
  the witnesses cosigned; `trust-policy.txt` (c2sp.org/tlog-policy) and `VERIFY.md`, which says
  how to check everything without our software (reports/dossier_tlog.py)
- `evidence/<seq>-<n>.json`: each proof's salt and committed content; its file beside it (a
  page, such as a form snapshot, as `.html.txt`: opening it shows its source and runs nothing)
- `notices/<key>-v<version>.txt`: the exact notice texts shown
- `sources/<id>/`: each source file an imported event came from: `record.json` (its ledger
  leaf, byte for byte) and `record-proof.json`; `rows.json` (every row's commitment, and the
  subject's rows: the evidence opening each, its inclusion path to the file's root);
  `sealed-copy.csv` (the file with the subject's rows in clear, every other as its commitment)
- `purposes.json`, `consents.json`, `subject.json`, `sections/<name>.json`
- `report-en.html`, `report-it.html`, `report-en.pdf`, `report-it.pdf`
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import mimetypes
import zipfile
from typing import Any

from trustguardian.domain.events import timestamp
from trustguardian.ledger import Signer
from trustguardian.ledger.tsp import read_timestamp_response
from trustguardian.reports.dossier_report import LANGUAGES, render_html, render_pdf
from trustguardian.reports.dossier_stamps import stamp_files
from trustguardian.reports.dossier_tlog import POLICY, VERIFY, VERIFY_TEXT, tlog_proof_name
from trustguardian.service.accountability.dossier import DossierData, OpenedEvidence, gather_dossier
from trustguardian.service.context import Context

FORMAT = "trustguardian.dossier/v1"
MANIFEST = "manifest.txt"


def event_name(seq: int, event_id: str) -> str:
    return f"{seq:08d}-{event_id}.json"


def evidence_base(item: OpenedEvidence) -> str:
    return f"evidence/{item.seq:08d}-{item.position}"


# Files a browser runs scripts in when opened from the extracted dossier (a form snapshot is the
# page as the person saw it, scripts included): they are named `.html.txt` and open as text.
SCRIPTABLE = frozenset(
    {".htm", ".html", ".js", ".mht", ".mhtml", ".mjs", ".shtml", ".svg", ".xht", ".xhtml", ".xml"}
)


def file_extension(media_type: str | None) -> str:
    kind = (media_type or "").split(";")[0].strip().lower()
    extension = (mimetypes.guess_extension(kind) or ".bin") if kind else ".bin"
    if extension in SCRIPTABLE or kind.endswith(("html", "xml", "javascript", "svg")):
        return extension + ".txt"
    return extension


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def dossier_files(data: DossierData) -> dict[str, bytes]:
    """Every file of the dossier but the manifest, by path."""
    files: dict[str, bytes] = {
        "public-key.txt": (data.public_key + "\n").encode(),
        "checkpoint.txt": data.checkpoint.note.encode(),
    }
    stamped_at = None
    if data.timestamp is not None:
        files["checkpoint.tsr"] = data.timestamp.token
        gen_time = read_timestamp_response(data.timestamp.token).gen_time
        stamped_at = f"{gen_time.isoformat()} ({data.timestamp.tsa_url})"
    files.update(stamp_files(data))
    for x in data.events:
        name = event_name(x.event.seq, x.event.id)
        files[f"events/{name}"] = x.leaf
        files[f"proofs/{name}"] = _json(
            {
                "event_id": x.event.id,
                "leaf_index": x.event.seq,
                "tree_size": data.checkpoint.tree_size,
                "inclusion_path": _b64(x.inclusion_path),
            }
        )
        files[tlog_proof_name(name)] = data.tlog_proofs[x.event.seq].encode()
    files[POLICY] = data.trust_policy.encode()
    controller = data.controller()
    lead = f"Evidence dossier made by {controller} (the controller).\n\n" if controller else ""
    files[VERIFY] = (lead + VERIFY_TEXT).encode()
    for item in data.evidence:
        base = evidence_base(item)
        file_name = None
        if item.file is not None:
            file_name = base + file_extension(item.media_type)
            files[file_name] = item.file
        files[base + ".json"] = _json(
            {
                "event_id": item.event_id,
                "seq": item.seq,
                "position": item.position,
                "type": item.type,
                "commitment": item.commitment,
                "salt": item.salt.hex(),
                "content": item.content.decode("utf-8"),
                "file": file_name,
            }
        )
    files.update(source_files(data))
    for (key, version), notice in data.notices.items():
        files[f"notices/{key}-v{version}.txt"] = notice.text.encode("utf-8")
    files["purposes.json"] = _json(
        {
            "in_force": {k: _purpose(v) for k, v in sorted(data.purposes_in_force.items())},
            "referenced": [_purpose(v) for _, v in sorted(data.purposes.items())],
        }
    )
    files["consents.json"] = _json(
        [
            {
                "purpose": s.purpose,
                "channel": s.channel.value,
                "status": status,
                "since": timestamp(s.since),
                "expires_at": timestamp(s.expires_at) if s.expires_at else None,
                "event_id": s.event_id,
                "purpose_version": s.purpose_version,
                "notice": s.notice,
                "notice_version": s.notice_version,
            }
            for s, status in data.consents
        ]
    )
    files["subject.json"] = _json(
        {
            "subject_id": data.subject_id,
            "erased_at": timestamp(data.erased_at) if data.erased_at else None,
            "identifiers": [
                {"kind": i.kind.value, "system": i.system, "value": i.value}
                for i in data.identifiers
            ],
            "touchpoints": {
                key: {"name": tp.name, "kind": tp.kind.value, "channel": tp.channel.value}
                for key, tp in data.touchpoints.items()
            },
        }
    )
    for name, rows in sorted(data.sections.items()):
        files[f"sections/{name}.json"] = _json(rows)
    for lang in LANGUAGES:
        files[f"report-{lang}.html"] = render_html(data, lang, stamped_at)
        files[f"report-{lang}.pdf"] = render_pdf(data, lang, stamped_at)
    return files


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def source_files(data: DossierData) -> dict[str, bytes]:
    """The files of each source file cited by the subject's imported events, by path."""
    files: dict[str, bytes] = {}
    for x in data.sources:
        base = f"sources/{x.source.id}"
        files[f"{base}/record.json"] = x.record.leaf
        files[f"{base}/record-proof.json"] = _json(
            {
                "leaf_index": x.record.seq,
                "tree_size": data.checkpoint.tree_size,
                "inclusion_path": _b64(x.record_path),
            }
        )
        files[f"{base}/rows.json"] = _json(
            {
                "source_file": x.source.id,
                "commitments": x.commitments,
                "opened": [
                    {
                        "index": row.index,
                        "evidence": evidence_base(row.evidence) + ".json",
                        "inclusion_path": _b64(row.inclusion_path),
                    }
                    for row in x.rows
                ],
            }
        )
        files[f"{base}/sealed-copy.csv"] = x.sealed_copy
    return files


def _purpose(v: Any) -> dict[str, Any]:
    """A purpose version as the register of processing states it (art. 30): legal basis,
    lifetime, recipients, transfers, categories, how retention is counted, how long the proofs
    outlive an erasure for legal defence, and its name and description per language."""
    return {"key": v.key, "version": v.version, **dataclasses.asdict(v.content)}


def listing(header: list[str], files: dict[str, bytes]) -> str:
    """A manifest's note text: its header lines, then `<sha256> <path>` for every file."""
    lines = header + [
        f"{hashlib.sha256(body).hexdigest()} {path}" for path, body in sorted(files.items())
    ]
    return "".join(line + "\n" for line in lines)


def manifest_text(data: DossierData, files: dict[str, bytes]) -> str:
    """The manifest's note text: what the dossier is, and the SHA-256 of every file."""
    header = [
        FORMAT,
        f"subject {data.subject_id}",
        f"checkpoint {data.checkpoint.tree_size}",
        f"created {timestamp(data.created_at)}",
    ]
    return listing(header, files)


def build_dossier(data: DossierData, signer: Signer) -> bytes:
    """Builds the zip, its manifest signed by the instance key."""
    files = dossier_files(data)
    manifest = signer.sign(manifest_text(data, files))
    stamp = data.created_at.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, body in [(MANIFEST, manifest.encode()), *sorted(files.items())]:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return out.getvalue()


def subject_dossier(ctx: Context, *, subject_id: str) -> bytes:
    """Gathers and builds a subject's dossier zip."""
    return build_dossier(gather_dossier(ctx, subject_id=subject_id), ctx.keys.signer)
