"""GetItem batch sizes: start where exchangelib does (100), finish what a stopped batch left,
shrink when the server struggles, grow while it answers fast.

EWS limits a batch request to one minute and slows each next item of a batch while the caller's
throttling budget recharges ("EWS throttling in Exchange"); the test server models that with
``Mailbox.batch_budget``: past it, one item answers ``ErrorTimeoutExpired`` and the rest
``ErrorBatchProcessingStopped``. "Fast" is measured with a clock the test controls: no test
here waits or times anything.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from outlook_networking.connectors.ews import EwsSource
from outlook_networking.connectors.ews.batches import BatchSize
from servers.ews import EWSServer, Fault

from .conftest import NOW, AccountFactory


class Clock:
    """A monotonic clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def seed(server: EWSServer, n: int) -> list[str]:
    return [
        server.mailbox.add_message(
            "inbox",
            subject=f"Message {i}",
            sender="ann@partner.example",
            to=["me@example.com"],
            sent=NOW - timedelta(days=3, minutes=i),
            headers=[("Received", "from mx.partner.example")],
        )
        for i in range(n)
    ]


def asked(server: EWSServer) -> list[tuple[int, int]]:
    """(ids asked, ids answered with an item) of every answered GetItem, in order."""
    return [
        (r.asked, r.items) for r in server.requests if r.operation == "GetItem" and r.status == 200
    ]


def source(make_account: AccountFactory, clock: Clock) -> EwsSource:
    return EwsSource(make_account(), "ews:work", folders=("inbox",), now=lambda: NOW, clock=clock)


def test_a_batch_the_server_stops_is_finished_in_smaller_batches(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ids = seed(ews_server, 300)
    ews_server.mailbox.batch_budget = 60  # one request gets through 60 items in its minute

    batches = source(make_account, Clock(step=1.0)).read({})
    got = [i.item_id for b in batches for i in b.interactions]

    assert sorted(got) == sorted(ids)  # every message once: nothing lost, nothing twice
    requests = asked(ews_server)
    assert requests[0] == (100, 60)  # exchangelib's own default first; the server stopped at 60
    for (before, answered), (after, _) in pairwise(requests):
        if answered < before:  # stopped part way: the next batch is at most half as big
            assert after <= before // 2
    assert max(n for n, _ in requests) <= 100


def test_fast_answers_grow_the_batch_and_slow_ones_shrink_it(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    seed(ews_server, 600)

    list(source(make_account, Clock(step=1.0)).read({}))  # each batch answered in 1 s
    fast = [n for n, _ in asked(ews_server)]
    ews_server.reset_log()
    list(source(make_account, Clock(step=45.0)).read({}))  # each batch near the minute
    slow = [n for n, _ in asked(ews_server)]

    assert fast[0] == 100 and max(fast) > 100
    assert sum(fast) == 600 and len(fast) < 600 // 100 + 2
    assert slow[:6] == [100, 50, 25, 12, 10, 10]  # halved down to the floor


def test_a_request_to_back_off_shrinks_the_next_batch(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    seed(ews_server, 200)
    # The server asks to back off (ErrorServerBusy with BackOffMilliseconds) on the first
    # GetItem; exchangelib waits and repeats it, and the source takes the hint.
    ews_server.faults.push(Fault.server_busy(back_off_ms=10, operation="GetItem"))

    got = [i for b in source(make_account, Clock(step=1.0)).read({}) for i in b.interactions]

    assert len(got) == 200
    assert [n for n, _ in asked(ews_server)][:2] == [100, 50]


def test_timeouts_with_nothing_answered_are_retried_smaller(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ids = seed(ews_server, 120)
    ews_server.mailbox.batch_budget = 0  # not even the first item gets through
    src = source(make_account, Clock(step=1.0))
    src._edge.pause_s = 0.0  # the edge's pause between attempts is not what is tested

    def unblock(operation: str) -> None:
        if operation == "GetItem" and len(asked(ews_server)) >= 2:
            ews_server.mailbox.batch_budget = None  # the server recovered

    ews_server.before_operation = unblock
    got = [i.item_id for b in src.read({}) for i in b.interactions]

    assert sorted(got) == sorted(ids)
    assert [n for n, _ in asked(ews_server)][:3] == [100, 50, 25]


@pytest.mark.parametrize(
    ("events", "size"),
    [
        ([], 100),
        ([("ok", 100, 1.0), ("ok", 100, 1.0)], 150),  # two fast full batches: grow by half
        ([("ok", 100, 1.0), ("ok", 40, 1.0), ("ok", 100, 1.0)], 150),  # a remainder is neutral
        ([("ok", 100, 1.0), ("ok", 100, 12.0), ("ok", 100, 1.0)], 100),  # not fast: start over
        ([("ok", 100, 31.0)], 50),  # more than half the minute: shrink
        ([("busy", 100, 1.0)], 50),
        ([("stop", 0, 0.0)] * 10, 10),  # never below the floor
    ],
)
def test_the_batch_size_rule(events: list[tuple[str, int, float]], size: int) -> None:
    batch = BatchSize()
    for kind, n, seconds in events:
        if kind == "stop":
            batch = batch.shrunk()
        else:
            batch = batch.answered(n, seconds, busy=kind == "busy")
    assert batch.size == size


def test_growth_stops_at_512() -> None:
    batch = BatchSize(size=400)
    for _ in range(10):
        batch = batch.answered(batch.size, 1.0, busy=False)
    assert batch.size == 512
