"""Pausing Python's cyclic garbage collector while a batch makes its many short-lived objects.

A batch of events, checks or ledger rows makes tens of thousands of objects that form no cycles
(reference counting frees them), yet every collection walks all the live ones again: a fifth of
an ingest batch's time, a third of a check batch's. The collector is paused from the first
batch that starts to the last that ends, in whatever thread they run, and resumes then, unless
it was already paused (by a caller, or in a process that never runs it).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Runs the block with the cyclic collector paused (see the module's docstring)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
