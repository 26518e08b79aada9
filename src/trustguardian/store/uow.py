"""The unit of work: one transaction, the repositories bound to it, and an explicit commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from trustguardian.store.access import ApiKeyRepository
from trustguardian.store.accountability import AccountabilityRepository
from trustguardian.store.admin import AdminRepository
from trustguardian.store.assignments import AssignmentRepository
from trustguardian.store.collect import CollectRepository
from trustguardian.store.complaints import ComplaintRepository
from trustguardian.store.consent import ConsentRepository
from trustguardian.store.console import ConsoleReads
from trustguardian.store.engage import EngageRepository
from trustguardian.store.engine import WRITE_OPTION
from trustguardian.store.events import EventRepository
from trustguardian.store.ledger import LedgerRepository
from trustguardian.store.registry import NoticeRepository, PurposeRepository, TouchpointRepository
from trustguardian.store.rights import RightsRepository
from trustguardian.store.subjects import SubjectRepository
from trustguardian.store.sync import SyncRepository
from trustguardian.store.tokens import TokenRepository


class UnitOfWork:
    """Opens a transaction; nothing is kept unless `commit()` is called."""

    connection: Connection
    touchpoints: TouchpointRepository
    purposes: PurposeRepository
    notices: NoticeRepository
    subjects: SubjectRepository
    api_keys: ApiKeyRepository
    events: EventRepository
    ledger: LedgerRepository
    consent: ConsentRepository
    sync: SyncRepository
    engage: EngageRepository
    tokens: TokenRepository
    accountability: AccountabilityRepository
    collect: CollectRepository
    rights: RightsRepository
    complaints: ComplaintRepository
    admin: AdminRepository
    console: ConsoleReads
    assignments: AssignmentRepository

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        if self._write:
            connection.execution_options(**{WRITE_OPTION: True})
        self.connection = connection
        self._transaction = connection.begin()
        self.touchpoints = TouchpointRepository(connection)
        self.purposes = PurposeRepository(connection)
        self.notices = NoticeRepository(connection)
        self.subjects = SubjectRepository(connection)
        self.api_keys = ApiKeyRepository(connection)
        self.events = EventRepository(connection)
        self.ledger = LedgerRepository(connection)
        self.consent = ConsentRepository(connection)
        self.sync = SyncRepository(connection)
        self.engage = EngageRepository(connection)
        self.tokens = TokenRepository(connection)
        self.accountability = AccountabilityRepository(connection)
        self.collect = CollectRepository(connection)
        self.rights = RightsRepository(connection)
        self.complaints = ComplaintRepository(connection)
        self.admin = AdminRepository(connection)
        self.console = ConsoleReads(connection)
        self.assignments = AssignmentRepository(connection)
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
            self._transaction.rollback()
        self.connection.close()
