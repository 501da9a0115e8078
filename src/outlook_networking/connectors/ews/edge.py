"""Where exchangelib's errors become the product's, and the faults exchangelib leaves to us.

exchangelib's ``FaultTolerance`` policy already waits out ``ErrorServerBusy`` (its
``BackOffMilliseconds``), HTTP 503 with ``Retry-After`` and "Server Error in '/EWS' Application",
up to ``max_wait``. Three things it leaves to the caller:

- a dropped connection raises ``ErrorTimeoutExpired`` at once: retried here, a bounded number of
  times with a growing pause (every call we wrap is safe to repeat: reads, and writes that find
  their target again by id or key first);
- HTTP 401: exchangelib counts it as throttling; our retry policy turns it into
  ``UnauthorizedError`` at once (with exchangelib's own policy it surfaces late, as a
  ``RateLimitError`` caused by "HTTP 401"). Either way the token is refreshed once and the call
  retried; a second refusal is ``LoginRequired`` (or ``AuthError`` for a password);
- HTTP 403 (exchangelib: an "unknown failure" transport error) and ``ErrorAccessDenied`` are
  ``AccessDenied``, never a network fault: Exchange Online answers 403 to EWS for mailboxes
  whose licence carries no EWS rights (Kiosk, F1, F3; Message center MC1191578) and for apps a
  tenant does not allow; the reason says what to do;
- ``ErrorInvalidExchangeImpersonationHeaderData`` (an app-only token without impersonation,
  OfficeDev/ews-managed-api#245) is an ``AuthError`` naming the fix;
- everything else is mapped once, at this edge, into :mod:`outlook_networking.errors`, without
  the texts that would put the mailbox's address into logs (autodiscover's failures).

Exports: ``Edge``, ``map_error``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from exchangelib.errors import (
    AutoDiscoverError,
    ErrorAccessDenied,
    ErrorInternalServerTransientError,
    ErrorInvalidExchangeImpersonationHeaderData,
    ErrorInvalidSyncStateData,
    ErrorIrresolvableConflict,
    ErrorServerBusy,
    ErrorTimeoutExpired,
    EWSError,
    RateLimitError,
    ResponseMessageError,
    TransportError,
    UnauthorizedError,
)

from ...errors import (
    AccessDenied,
    AuthError,
    Conflict,
    ConnectionFailed,
    ConnectorError,
    LoginRequired,
    ServerFault,
    SyncStateInvalid,
    Throttled,
    problem,
)
from .account import Forbidden, TokenCredentials

__all__ = ["Edge", "map_error"]

T = TypeVar("T")



def _caused_by_401(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ErrorServerBusy) and "401" in str(seen):
            return True
        seen = seen.__context__
    return False


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, UnauthorizedError) or (
        isinstance(exc, RateLimitError) and _caused_by_401(exc)
    )


def map_error(account: str, exc: Exception, *, token_auth: bool = False) -> ConnectorError:
    """The product's exception for an exchangelib (or transport) exception."""
    name = type(exc).__name__
    if isinstance(exc, AutoDiscoverError):
        # exchangelib's text names the mailbox's address, which must not reach logs or status.
        return ConnectionFailed(account, problem("autodiscover_failed"))
    if _refused(exc):
        cls = LoginRequired if token_auth else AuthError
        return cls(account, problem("credentials_refused"))
    if isinstance(exc, RateLimitError):
        return Throttled(account, problem("throttled"), retry_after_s=exc.wait)
    if isinstance(exc, Forbidden):
        return AccessDenied(account, problem("ews_forbidden"))
    if isinstance(exc, ErrorAccessDenied):
        return AccessDenied(account, str(exc) or name)
    if isinstance(exc, ErrorInvalidExchangeImpersonationHeaderData):
        return AuthError(account, problem("needs_impersonation"))
    if isinstance(exc, ErrorInvalidSyncStateData):
        return SyncStateInvalid(account, name)
    if isinstance(exc, ErrorIrresolvableConflict):
        return Conflict(account, name)
    if isinstance(exc, ErrorTimeoutExpired | ErrorInternalServerTransientError | ErrorServerBusy):
        return ConnectionFailed(account, name)
    if isinstance(exc, ResponseMessageError):
        return ServerFault(account, str(exc) or name, code=name)
    if isinstance(exc, TransportError):
        return ConnectionFailed(account, str(exc) or name)
    if isinstance(exc, EWSError):
        return ServerFault(account, str(exc) or name, code=name)
    return ConnectionFailed(account, f"{name}: {exc}")


class Edge:
    """Runs calls into exchangelib with the retries it leaves to us, mapping what escapes."""

    def __init__(
        self,
        account: str,
        *,
        credentials: object = None,
        protocol: Any = None,
        attempts: int = 3,
        pause_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.account = account
        self.credentials = credentials
        self.protocol = protocol
        self.attempts = attempts
        self.pause_s = pause_s
        self.sleep = sleep
        self.dropped = 0  # connections dropped and retried, for the run's report

    @property
    def token_auth(self) -> bool:
        return isinstance(self.credentials, TokenCredentials)

    def call(self, what: Callable[[], T]) -> T:
        """``what()`` (which must not return a lazy iterator), retried and mapped."""
        refreshed = False
        last: Exception | None = None
        for attempt in range(self.attempts):
            try:
                return what()
            except ErrorTimeoutExpired as exc:
                last = exc
                self.dropped += 1
                self.sleep(self.pause_s * 2**attempt)
            except (EWSError, OSError) as exc:
                if _refused(exc) and self.token_auth and not refreshed:
                    refreshed = True
                    self._refresh_token()
                    continue
                raise map_error(self.account, exc, token_auth=self.token_auth) from exc
        raise ConnectionFailed(
            self.account, problem("connection_dropped", count=self.attempts)
        ) from last

    def _refresh_token(self) -> None:
        credentials = self.credentials
        if not isinstance(credentials, TokenCredentials):
            return
        try:
            credentials.force_refresh()
        except ConnectorError:
            raise
        except Exception as exc:  # the provider's own failure, already ours if it is from auth/
            failed = problem("token_refresh_failed", detail=str(exc))
            raise LoginRequired(self.account, failed) from exc
        if self.protocol is not None:
            # Sessions hold the old token; closing them makes the next request build new ones.
            self.protocol.close()
