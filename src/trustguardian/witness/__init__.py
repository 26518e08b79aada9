"""A C2SP witness (https://c2sp.org/tlog-witness) that another party runs with its own key.

It keeps, per log origin, the latest checkpoint it cosigned (SQLite, WAL, synchronous=FULL) and
cosigns a new checkpoint only when a consistency proof shows it extends that one; checking,
recording and signing happen in one write transaction, so that after any crash it never cosigns
two different roots for one tree size. `trustguardian witness serve` runs it over HTTP.

It depends on the ledger toolkit and its own state file (store.witness_state) only: nothing of
the instance's database or use cases.
"""
