"""Writing a checked batch of events: the rows of one transaction, from subjects to consent.

Each event gets its subject (found or created), sealed proofs and data, its leaf, and a row in
the events table whose query columns come from the same values as the leaf; then the outbox,
contacts, idempotency keys, tree nodes, checkpoint and consent states follow, in the caller's
unit of work.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from trustguardian.domain.consent import PROTECTIVE, correctable
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import ProofType
from trustguardian.ledger import canonical_json_plain
from trustguardian.service.collect.evidence import data_aad, seal_proof
from trustguardian.service.context import Context
from trustguardian.service.events.consent import update_consent
from trustguardian.service.events.ledger import append_leaves
from trustguardian.service.events.resolve import BatchSubjects
from trustguardian.service.events.validate import EventDraft, Plan
from trustguardian.store.engage import NewContact
from trustguardian.store.events import EventRef, IdempotencyRecord, NewBlob, NewEvent, StoredProof
from trustguardian.store.sync import OutboxRow
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import BatchRandom, commitment, new_salt, seal


def write_batch(
    ctx: Context,
    uow: UnitOfWork,
    size: int,
    plans: list[tuple[int, Plan]],
    confirm_within: dict[int, timedelta],
    corrector: str | None = None,
) -> dict[int, PrivacyEvent]:
    """Writes checked events at the ledger positions from `size` on, with their subjects,
    proofs, evidence files, outbox rows, contacts, leaves and consent state; returns them by
    their place in the request. `confirm_within` gives the consents awaiting confirmation;
    `corrector` names who may correct other touchpoints' events, with a reason (see
    `_check_correction`)."""
    # One draw of random bytes serves the batch's keys, salts and nonces (see BatchRandom).
    rng = BatchRandom(ctx.rng)
    subjects = BatchSubjects(ctx, uow, rng)
    subjects.prepare(
        [p.draft.identifiers for _, p in plans], [p.draft.subject_id for _, p in plans]
    )
    corrected = uow.events.existing_ids([p.draft.corrects for _, p in plans if p.draft.corrects])
    now = ctx.clock.now()
    rows: list[NewEvent] = []
    proofs: list[StoredProof] = []
    blobs: list[NewBlob] = []
    leaves: list[bytes] = []
    idempotency: list[IdempotencyRecord] = []
    recorded: dict[int, PrivacyEvent] = {}
    for offset, (n, plan) in enumerate(plans):
        d = plan.draft
        loc = f"events.{n}"
        subject_id, blinds = subjects.resolve(d.identifiers, d.subject_id, loc)
        correction_by = None
        if d.corrects is not None:
            correction_by = _check_correction(
                d, corrected.get(d.corrects), subject_id, loc, corrector
            )
        seq = size + offset
        event_id = d.event_id or ctx.ids.new_id("evt")
        data_key = subjects.data_key(subject_id)
        sealed = [
            seal_proof(
                p,
                data_key=data_key,
                subject_id=subject_id,
                event_id=event_id,
                seq=seq,
                position=i,
                rng=rng,
                # A call's recording may be kept beside its reference, with its own limit.
                max_size=ctx.settings.max_recording_bytes
                if p.type is ProofType.CALL_RECORDING
                else ctx.settings.max_evidence_bytes,
                loc=f"{loc}.proofs.{i}",
            )
            for i, p in enumerate(d.proofs)
        ]
        data_commitment, data_sealed = None, None
        if d.data is not None:
            content = canonical_json_plain(d.data)
            salt = new_salt(rng)
            data_commitment = commitment(salt, content)
            data_sealed = seal(data_key, salt + content, data_aad(event_id), rng)
        event = PrivacyEvent(
            id=event_id,
            seq=seq,
            kind=d.kind,
            touchpoint=plan.touchpoint.key,
            subject_id=subject_id,
            identifiers=tuple(blinds),
            purpose=plan.purpose.key if plan.purpose else None,
            purpose_version=plan.purpose.version if plan.purpose else None,
            channels=plan.channels,
            notice=plan.notice.key if plan.notice else None,
            notice_version=plan.notice.version if plan.notice else None,
            notice_sha256=plan.notice.sha256 if plan.notice else None,
            occurred_at=d.occurred_at.astimezone(UTC),
            recorded_at=now,
            corrects=d.corrects,
            proofs=tuple(s.record for s in sealed),
            data_commitment=data_commitment,
            campaign=d.campaign,
            check_id=d.check_id,
            confirm_by=now + confirm_within[n] if n in confirm_within else None,
            confirms=d.confirms,
            correction_by=correction_by,
            correction_reason=d.correction_reason,
        )
        leaf = canonical_json_plain(event.envelope())
        leaves.append(leaf)
        rows.append(NewEvent(event, leaf, data_sealed))
        proofs.extend(s.stored for s in sealed)
        blobs.extend(
            NewBlob(subject_id, s.blob.address, s.blob.media_type, s.blob.size, s.blob.sealed, now)
            for s in sealed
            if s.blob is not None
        )
        if d.idempotency_key is not None:
            idempotency.append(
                IdempotencyRecord(d.touchpoint, d.idempotency_key, d.fingerprint, [event_id], now)
            )
        recorded[n] = event
    subjects.flush()
    uow.events.add_many(rows)
    uow.sync.add_outbox(
        [
            OutboxRow(
                e.seq, e.id, e.subject_id, str(e.kind), e.purpose, plan.draft.source_system, now
            )
            for n, plan in plans
            for e in (recorded[n],)
        ]
    )
    uow.events.add_proofs(proofs)
    uow.events.add_blobs(blobs)
    uow.events.add_idempotency(idempotency)
    uow.engage.add_contacts(_contacts(uow, list(recorded.values())))
    append_leaves(ctx, uow, size, leaves)
    refold = {
        (e.subject_id, purpose)
        for e in recorded.values()
        if e.corrects is not None
        for purpose in (e.purpose, corrected[e.corrects][1])
        if purpose is not None
    }
    update_consent(uow, [(recorded[n], plan) for n, plan in plans], refold)
    return recorded


def _check_correction(
    draft: EventDraft, target: EventRef | None, subject_id: str, loc: str, corrector: str | None
) -> str | None:
    """A correction names an event of the same subject, recorded at the same touchpoint, of a
    kind it may correct (domain.consent.correctable): no touchpoint can undo what another
    recorded, and nothing takes back a withdrawal or refusal. An admin key, a console user or
    the command line (`corrector`) may correct another touchpoint's event with a reason, which
    the leaf records with their name; returns that name when the leaf is to carry it."""
    field = "corrects"
    if target is None or target.subject_id != subject_id:
        problem = f"no event {draft.corrects!r} of this subject"
    elif target.touchpoint != draft.touchpoint and corrector is None:
        problem = (
            f"event {draft.corrects!r} was recorded by touchpoint {target.touchpoint!r}: only "
            "that touchpoint may correct it (or an admin, giving a correction_reason)"
        )
    elif target.touchpoint != draft.touchpoint and not (draft.correction_reason or "").strip():
        field, problem = (
            "correction_reason",
            f"event {draft.corrects!r} was recorded by touchpoint {target.touchpoint!r}: "
            "correcting it from another touchpoint needs a reason, recorded in the ledger",
        )
    elif not correctable(target.kind, draft.kind):
        problem = (
            f"a {draft.kind.value} cannot correct a {target.kind}: a withdrawal or refusal is "
            "superseded only by a later, dated consent with its own proofs"
            if target.kind in PROTECTIVE
            else f"a {draft.kind.value} cannot correct a {target.kind}"
        )
    else:
        return corrector if draft.correction_reason is not None else None
    raise InvalidInput(
        "a correction names an event of the same subject, touchpoint and a compatible kind",
        errors=[FieldError(f"{loc}.{field}", problem)],
    )


# A check older than this before the contact no longer vouches for it.
CHECK_VALIDITY = timedelta(hours=24)
# A contact reported by another system may carry that system's clock.
CHECK_SKEW = timedelta(minutes=5)


def _contacts(uow: UnitOfWork, events: list[PrivacyEvent]) -> list[NewContact]:
    """Contact rows (for frequency caps), each flagged when no allowed check stands behind it."""
    made = [e for e in events if e.kind is EventKind.CONTACT_MADE]
    cited = [e.check_id for e in made if e.check_id]
    checks = uow.engage.checks(cited)  # with those the server journalled a moment ago
    rows = []
    for e in made:
        check = checks.get(e.check_id or "")
        if e.check_id is None:
            flag: str | None = "no_check"
        elif check is None:
            flag = "unknown_check"
        elif (check.subject_id, check.purpose_key, check.channel) != (
            e.subject_id,
            e.purpose,
            e.channels[0].value,
        ):
            flag = "check_mismatch"
        elif not check.allowed:
            flag = "despite_denial"
        elif check.checked_at > e.occurred_at + CHECK_SKEW:
            flag = "check_after_contact"
        elif check.checked_at < e.occurred_at - CHECK_VALIDITY:
            flag = "stale_check"
        else:
            flag = None
        rows.append(
            NewContact(
                event_seq=e.seq,
                subject_id=e.subject_id,
                purpose_key=e.purpose,
                channel=e.channels[0].value,
                touchpoint_key=e.touchpoint,
                campaign=e.campaign,
                check_id=e.check_id,
                occurred_at=e.occurred_at,
                flag=flag,
            )
        )
    return rows
