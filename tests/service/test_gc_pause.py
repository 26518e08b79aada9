"""The cyclic collector is paused while any batch runs and resumes after the last one."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from trustguardian.service.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_resumed_after_even_when_the_block_fails() -> None:
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("batch refused")
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_batches_in_two_threads_resume_it_only_when_the_last_ends() -> None:
    gc.enable()
    first_inside, second_inside, first_may_end, first_ended = (threading.Event() for _ in "1234")
    seen: dict[str, bool] = {}

    def first() -> None:
        with gc_paused():
            first_inside.set()
            first_may_end.wait(10)
        first_ended.set()

    def second() -> None:
        first_inside.wait(10)
        with gc_paused():
            second_inside.set()
            first_ended.wait(10)
            # The batch that paused it ended first: the collector stays paused for this one.
            seen["during second, after first"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_inside.wait(10)
    first_may_end.set()
    for thread in threads:
        thread.join(10)
    assert seen == {"during second, after first": False}
    assert gc.isenabled()
