"""exchangelib's errors become the product's at the edge, with the fields the CLI words."""

from __future__ import annotations

import pytest
from exchangelib.errors import (
    ErrorAccessDenied,
    ErrorInvalidExchangeImpersonationHeaderData,
    ErrorInvalidSyncStateData,
    ErrorIrresolvableConflict,
    ErrorQuotaExceeded,
    ErrorServerBusy,
    ErrorTimeoutExpired,
    RateLimitError,
    TransportError,
    UnauthorizedError,
)

from outlook_networking.connectors.ews import Edge, map_error
from outlook_networking.connectors.ews.account import Forbidden
from outlook_networking.errors import (
    AccessDenied,
    AuthError,
    Conflict,
    ConnectionFailed,
    LoginRequired,
    ServerFault,
    SyncStateInvalid,
    Throttled,
)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (ErrorAccessDenied("no"), AccessDenied),
        (Forbidden("HTTP 403"), AccessDenied),
        (ErrorInvalidExchangeImpersonationHeaderData("no header"), AuthError),
        (UnauthorizedError("401"), AuthError),
        (ErrorInvalidSyncStateData("stale"), SyncStateInvalid),
        (ErrorIrresolvableConflict("ck"), Conflict),
        (ErrorTimeoutExpired("dropped"), ConnectionFailed),
        (TransportError("tls"), ConnectionFailed),
        (ErrorQuotaExceeded("full"), ServerFault),
    ],
)
def test_errors_are_mapped(raised: Exception, expected: type[Exception]) -> None:
    mapped = map_error("work", raised)
    assert type(mapped) is expected
    assert mapped.account == "work"


def test_throttling_keeps_the_wait_and_names_the_code() -> None:
    throttled = map_error("work", RateLimitError("Max timeout reached", wait=42.0))
    assert isinstance(throttled, Throttled) and throttled.retry_after_s == 42.0
    fault = map_error("work", ErrorQuotaExceeded("full"))
    assert isinstance(fault, ServerFault) and fault.code == "ErrorQuotaExceeded"


def test_a_401_that_exchangelib_waited_out_is_a_login_problem() -> None:
    try:
        try:
            raise ErrorServerBusy("Caused by HTTP 401 response")
        except ErrorServerBusy:
            raise RateLimitError("Max timeout reached", wait=20) from None
    except RateLimitError as exc:
        waited_out = exc
    # "from None" keeps __context__: that is where exchangelib's cause lives.
    assert isinstance(map_error("work", waited_out, token_auth=True), LoginRequired)
    assert type(map_error("work", waited_out)) is AuthError


def test_dropped_connections_are_retried_a_bounded_number_of_times() -> None:
    pauses: list[float] = []
    edge = Edge("work", attempts=3, pause_s=0.5, sleep=pauses.append)
    calls = iter([ErrorTimeoutExpired("a"), ErrorTimeoutExpired("b"), "answer"])

    def flaky() -> str:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert edge.call(flaky) == "answer"
    assert pauses == [0.5, 1.0]
    assert edge.dropped == 2

    def always_dropped() -> str:
        raise ErrorTimeoutExpired("gone")

    with pytest.raises(ConnectionFailed):
        edge.call(always_dropped)
