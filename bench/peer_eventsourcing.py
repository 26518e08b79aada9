"""The peer arms of the ingest benchmark: `eventsourcing` 9.5 writing the same number of events,
with a payload of the same size, through its own SQLite persistence (`eventsourcing.sqlite`).

`Peer` is an `eventsourcing` application as its documentation builds one: a `Person` aggregate
(two events each, as the ingest has two per person), its events mapped and JSON-transcoded by
the library and saved a batch per `save` call, that is one transaction. `PeerRecorder` is the
floor under it: the library's SQLite application recorder alone, fed ready-made stored events.
Both use one table, the (originator id, version) primary key plus SQLite's rowid as the
notification sequence; ids are random UUIDs as the library's aggregates get by default; each
event carries a string the size of the leaf our ingest hashes for the same event. The library's
defaults are kept (WAL, its connection settings); only the database file is ours.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

TOPIC = "bench.consents:Person.ConsentRecorded"


class Person(Aggregate):
    """A person whose consents are recorded, each event with its payload."""

    @event("Registered")
    def __init__(self, payload: str) -> None:
        self.payloads = [payload]

    @event("ConsentRecorded")
    def record(self, payload: str) -> None:
        self.payloads.append(payload)


def payload_of(n: int, size: int) -> str:
    """Event n's payload: its person and number, padded to `size` bytes."""
    body = f'{{"email":"person{n // 2}@example.com","n":{n},"pad":"'
    return body + "x" * max(0, size - len(body) - 2) + '"}'


class Peer:
    """An `eventsourcing` application on its own SQLite file."""

    def __init__(self, path: Path) -> None:
        self.app: Application[uuid.UUID] = Application(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(path),
                "IS_SNAPSHOTTING_ENABLED": "n",
            }
        )
        self.people: dict[int, Person] = {}

    def batch(self, first: int, count: int, payload: int) -> None:
        """Makes events `first` to `first + count` and saves them in one call."""
        touched: dict[int, Person] = {}
        for n in range(first, first + count):
            person = self.people.get(n // 2)
            if person is None:
                person = self.people[n // 2] = Person(payload_of(n, payload))
            else:
                person.record(payload_of(n, payload))
                # The ingest keeps nothing of a person in memory between batches either.
                del self.people[n // 2]
            touched[n // 2] = person
        self.app.save(*touched.values())

    def count(self) -> int:
        """Events stored (a check that every batch landed)."""
        return len(self.app.recorder.select_notifications(start=None, limit=10**9))

    def close(self) -> None:
        self.app.close()


class PeerRecorder:
    """An `eventsourcing` application recorder on its own SQLite file."""

    def __init__(self, path: Path) -> None:
        self.datastore = SQLiteDatastore(str(path))
        self.recorder = SQLiteApplicationRecorder(self.datastore)
        self.recorder.create_table()
        self.people: dict[int, uuid.UUID] = {}

    def batch(self, first: int, count: int, payload: int) -> None:
        """Inserts events `first` to `first + count`, each with a state of `payload` bytes,
        in one transaction as the library's application saves them."""
        stored = []
        for n in range(first, first + count):
            person = self.people.setdefault(n // 2, uuid.uuid4())
            stored.append(StoredEvent(person, n % 2 + 1, TOPIC, payload_of(n, payload).encode()))
        self.recorder.insert_events(stored)

    def count(self) -> int:
        """Events stored (a check that every batch landed)."""
        return len(self.recorder.select_notifications(start=None, limit=10**9))

    def close(self) -> None:
        self.datastore.close()
