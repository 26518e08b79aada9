"""The unit of work: one transaction, the repositories bound to it, and an explicit commit."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from trustguardian.store.access import ApiKeyRepository
from trustguardian.store.access.admin import AdminRepository
from trustguardian.store.access.reach import ReachReads
from trustguardian.store.accountability import AccountabilityRepository
from trustguardian.store.archive import ArchiveReads
from trustguardian.store.batches import BatchRepository
from trustguardian.store.brand import BrandRepository
from trustguardian.store.collect import CollectRepository
from trustguardian.store.collect_intakes import SignupRepository
from trustguardian.store.console import ConsoleReads
from trustguardian.store.console.assignments import AssignmentRepository
from trustguardian.store.defence import DefenceRepository
from trustguardian.store.engage import EngageRepository
from trustguardian.store.engage.batch_reads import BatchReads
from trustguardian.store.engage.check_reads import CheckReads
from trustguardian.store.engage.lists import EngageLists
from trustguardian.store.engage.set_reads import SetReads
from trustguardian.store.engage.tokens import TokenRepository
from trustguardian.store.engine import WRITE_OPTION
from trustguardian.store.events import EventRepository
from trustguardian.store.events.consent import ConsentRepository
from trustguardian.store.events.scans import VerifyScans
from trustguardian.store.events.subjects import SubjectRepository
from trustguardian.store.ledger import LedgerRepository
from trustguardian.store.ops.instance import InstanceRepository
from trustguardian.store.ops.keyring import KeyringRepository
from trustguardian.store.ops.stamping import StampingRepository
from trustguardian.store.records import RecordRepository
from trustguardian.store.registry import NoticeRepository, PurposeRepository, TouchpointRepository
from trustguardian.store.rights import RightsRepository
from trustguardian.store.rights.complaints import ComplaintRepository
from trustguardian.store.rights.holds import HoldRepository
from trustguardian.store.rights.intakes import IntakeRepository
from trustguardian.store.snapshots import SnapshotReads
from trustguardian.store.sources import SourceRepository
from trustguardian.store.sync import SyncRepository
from trustguardian.store.touchpoint_history import TouchpointHistoryReads


class UnitOfWork:
    """Opens a transaction; nothing is kept unless `commit()` is called.

    Repositories are made on first use: a check that reads three of them pays for three.
    """

    connection: Connection

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        # A reader on PostgreSQL runs READ ONLY and ends with COMMIT: psycopg forgets the
        # statements it has prepared at every ROLLBACK, and a check's read would be planned anew
        # each time (~0.5 ms). READ ONLY makes sure that COMMIT can never keep a write.
        self._commit_read = not self._write and connection.dialect.name == "postgresql"
        if self._write:
            connection.execution_options(**{WRITE_OPTION: True})
        elif self._commit_read:
            connection.execution_options(postgresql_readonly=True)
        self.connection = connection
        self._transaction = connection.begin()
        return self

    def commit(self) -> None:
        self._transaction.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transaction.is_active:
            if exc_type is None and self._commit_read:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        self.connection.close()

    @cached_property
    def touchpoints(self) -> TouchpointRepository:
        return TouchpointRepository(self.connection)

    @cached_property
    def purposes(self) -> PurposeRepository:
        return PurposeRepository(self.connection)

    @cached_property
    def notices(self) -> NoticeRepository:
        return NoticeRepository(self.connection)

    @cached_property
    def subjects(self) -> SubjectRepository:
        return SubjectRepository(self.connection)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self.connection)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.connection)

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.connection)

    @cached_property
    def records(self) -> RecordRepository:
        return RecordRepository(self.connection)

    @cached_property
    def snapshots(self) -> SnapshotReads:
        return SnapshotReads(self.connection)

    @cached_property
    def sources(self) -> SourceRepository:
        return SourceRepository(self.connection)

    @cached_property
    def consent(self) -> ConsentRepository:
        return ConsentRepository(self.connection)

    @cached_property
    def sync(self) -> SyncRepository:
        return SyncRepository(self.connection)

    @cached_property
    def engage(self) -> EngageRepository:
        return EngageRepository(self.connection)

    @cached_property
    def engage_lists(self) -> EngageLists:
        return EngageLists(self.connection)

    @cached_property
    def tokens(self) -> TokenRepository:
        return TokenRepository(self.connection)

    @cached_property
    def accountability(self) -> AccountabilityRepository:
        return AccountabilityRepository(self.connection)

    @cached_property
    def collect(self) -> CollectRepository:
        return CollectRepository(self.connection)

    @cached_property
    def signups(self) -> SignupRepository:
        return SignupRepository(self.connection)

    @cached_property
    def rights(self) -> RightsRepository:
        return RightsRepository(self.connection)

    @cached_property
    def intakes(self) -> IntakeRepository:
        return IntakeRepository(self.connection)

    @cached_property
    def complaints(self) -> ComplaintRepository:
        return ComplaintRepository(self.connection)

    @cached_property
    def reach(self) -> ReachReads:
        return ReachReads(self.connection)

    @cached_property
    def holds(self) -> HoldRepository:
        return HoldRepository(self.connection)

    @cached_property
    def archive(self) -> ArchiveReads:
        return ArchiveReads(self.connection)

    @cached_property
    def defence(self) -> DefenceRepository:
        return DefenceRepository(self.connection)

    @cached_property
    def admin(self) -> AdminRepository:
        return AdminRepository(self.connection)

    @cached_property
    def console(self) -> ConsoleReads:
        return ConsoleReads(self.connection)

    @cached_property
    def assignments(self) -> AssignmentRepository:
        return AssignmentRepository(self.connection)

    @cached_property
    def check_reads(self) -> CheckReads:
        return CheckReads(self.connection)

    @cached_property
    def instance(self) -> InstanceRepository:
        return InstanceRepository(self.connection)

    @cached_property
    def stamping(self) -> StampingRepository:
        return StampingRepository(self.connection)

    @cached_property
    def touchpoint_history(self) -> TouchpointHistoryReads:
        return TouchpointHistoryReads(self.connection)

    @cached_property
    def scans(self) -> VerifyScans:
        return VerifyScans(self.connection)

    @cached_property
    def keyring(self) -> KeyringRepository:
        return KeyringRepository(self.connection)

    @cached_property
    def batch_reads(self) -> BatchReads:
        return BatchReads(self.connection)

    @cached_property
    def set_reads(self) -> SetReads:
        return SetReads(self.connection)

    @cached_property
    def batches(self) -> BatchRepository:
        return BatchRepository(self.connection)

    @cached_property
    def brand(self) -> BrandRepository:
        return BrandRepository(self.connection)
