"""Consent state checked against the fold of the ledger, here or in a second process.

When every event agrees with its leaf, the consent-deciding columns say what the leaves say, so
the fold can start from the columns without waiting for the leaves to be read. That lets it run
in a second process, on its own connection, while this one checks the leaves and the tree; the
second process also checks the last share of the events against their leaves, so that both
processes have about as much to do.
"""

from __future__ import annotations

import gc
import multiprocessing
from contextlib import closing
from dataclasses import dataclass, field
from enum import Enum
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from typing import Any

from trustguardian.domain.consent import ConsentFact, fold
from trustguardian.service.events.consent import lifetimes
from trustguardian.service.ops.instance import InstanceKeys
from trustguardian.service.verify.evidence import EvidenceCount, verify_evidence
from trustguardian.service.verify.fast import CleanEvents, clean_events
from trustguardian.service.verify.fold import DECIDING, Lifetimes, quick_consent
from trustguardian.service.verify.rows import consent_fact, state_row, stored_state
from trustguardian.store.engine import Engine, can_open_twice, snapshot_engine, url_text
from trustguardian.store.events.scans import Half, VerifyScans, json_value, time_text
from trustguardian.store.uow import UnitOfWork


class EventsDiffer(Enum):
    """The answer of a share of the events in which one event differs from its leaf."""

    DIFFER = "differ"


DIFFER = EventsDiffer.DIFFER


@dataclass
class Evidence:
    """What a half of the evidence check found (see `verify_evidence`)."""

    counted: EvidenceCount
    problems: list[str]


@dataclass
class ConsentCheck:
    """How many stored consent states were read, and what differs from the fold."""

    states: int = 0
    problems: list[str] = field(default_factory=list)


def consent_problems(
    scans: VerifyScans, facts: list[ConsentFact], corrected: list[str]
) -> ConsentCheck:
    """Compares every stored consent state with the fold of the facts."""
    found = ConsentCheck()
    expected = {key: state_row(state) for key, state in fold(facts, corrected=corrected).items()}
    by_text = {(k[0], k[1], str(k[2])): v for k, v in expected.items()}
    for row in scans.states():
        found.states += 1
        stored = stored_state(row)
        where = f"{stored[0]}/{stored[1]}/{stored[2]}"
        if by_text.pop((stored[0], stored[1], stored[2]), None) != stored:
            found.problems.append(f"consent state {where} differs from the fold of the ledger")
    for key in by_text:
        found.problems.append(f"consent state {key[0]}/{key[1]}/{key[2]} missing")
    return found


def check_consent(uow: UnitOfWork, size: int, lifetime: Lifetimes | None = None) -> ConsentCheck:
    """Folds the first `size` events from their columns; only sound once they match the leaves.

    `lifetime` is `lifetimes(uow)` when the caller has it already.
    """
    lifetime = lifetimes(uow) if lifetime is None else lifetime
    scans = uow.scans
    with closing(scans.states()) as states:
        quick = quick_consent(lambda: scans.facts(size, DECIDING), states, lifetime)
    return exact_consent(uow, size, lifetime) if quick is None else ConsentCheck(*quick)


def exact_consent(uow: UnitOfWork, size: int, lifetime: Lifetimes) -> ConsentCheck:
    """`check_consent` through `ConsentFact`, `fold` and the written form of every state."""
    facts: list[ConsentFact] = []
    corrected: list[str] = []
    for row in uow.scans.facts(size):
        seq, event_id, kind, subject, key, version, channels, notice, notice_version = row[:9]
        occurred_at, corrects, confirm_by = row[9:]
        values = (
            seq, event_id, kind, subject, key, version, json_value(channels), notice,
            notice_version, time_text(occurred_at), corrects, time_text(confirm_by),
        )  # fmt: skip
        # The leaf's purpose is null exactly when both purpose columns are (see expected_leaf).
        found = consent_fact(values, key is not None or version is not None, lifetime)
        if found is not None:
            facts.append(found)
        if corrects is not None:
            corrected.append(corrects)
    return consent_problems(uow.scans, facts, corrected)


class Beside:
    """Checks running in a second process: first its share of the events, then consent.

    Each answer is None if the process could not give it (it stopped, or the ledger grew).
    """

    def __init__(self, process: BaseProcess, pipe: Pipe, *, evidence: bool) -> None:
        self._process = process
        self._pipe = pipe
        self._evidence = evidence

    def events(self) -> CleanEvents | EventsDiffer | None:
        """Its share of the events checked against their leaves; `DIFFER` if one differs."""
        found: CleanEvents | EventsDiffer | None = self._receive()
        return found

    def consent(self) -> ConsentCheck | None:
        """The consent check of the whole ledger; call once `events` answered."""
        found: ConsentCheck | None = self._receive()
        if not self._evidence:
            self.close()
        return found

    def evidence(self) -> Evidence | None:
        """Its half of the evidence (see `start_beside`); call once `consent` answered."""
        found: Evidence | None = self._receive()
        self.close()
        return found

    def _receive(self) -> Any:
        if self._pipe.closed:
            return None
        try:
            return self._pipe.recv()
        except EOFError:  # the process stopped before answering
            self.close()
            return None

    def close(self) -> None:
        """Stops the process if it is still running (its answer is no longer wanted)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._pipe.close()


def can_run_beside(engine: Engine) -> bool:
    """Whether a second process can open this database (not an in-memory SQLite one)."""
    return can_open_twice(engine) and "fork" in multiprocessing.get_all_start_methods()


def start_beside(
    engine: Engine,
    size: int,
    first: int,
    lifetime: Lifetimes,
    evidence: tuple[InstanceKeys, Half] | None = None,
) -> Beside:
    """Starts checking the events from seq `first` and `check_consent` of the first `size`
    events in a second process (`lifetime` as `lifetimes` reads it); then, with `evidence`,
    the evidence of one half of the subjects (`verify_evidence` with the instance's keys)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    url = url_text(engine)
    process = context.Process(
        target=_beside, args=(url, size, first, lifetime, evidence, send), daemon=True
    )
    process.start()
    send.close()
    return Beside(process, receive, evidence=evidence is not None)


def _beside(
    url: str,
    size: int,
    first: int,
    lifetime: Lifetimes,
    evidence: tuple[InstanceKeys, Half] | None,
    send: Pipe,
) -> None:
    # A short-lived process of our own: the cyclic collector only slows the fold down here.
    gc.disable()
    # One snapshot for the head, the events and the states.
    engine = snapshot_engine(url)
    try:
        with UnitOfWork(engine, write=False) as uow:
            # Appended events since the parent read the head would change the states: the
            # parent then checks everything in its own snapshot instead.
            if uow.scans.head_size() == size:
                events = clean_events(uow.scans, size, None, first=first)
                send.send(DIFFER if events is None else events)
                if events is not None:
                    send.send(check_consent(uow, size, lifetime))
                    if evidence is not None:
                        problems: list[str] = []
                        counted = verify_evidence(evidence[0], uow.scans, problems, evidence[1])
                        send.send(Evidence(counted, problems))
    finally:
        engine.dispose()
        send.close()
