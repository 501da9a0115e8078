"""The product's one exception tree.

Every module raises these, never a third-party exception: connectors map their library's errors at
the edge (``raise ConnectionFailed(...) from exc``). Exceptions carry fields, not prose;
:mod:`outlook_networking.app.wording` turns them into the one line people read. What is wrong
with a configuration key is a :class:`Problem` (kept in :mod:`.problems`, below this module and
:mod:`.model`): a code from :data:`PROBLEMS` and its values, which the renderer
(:mod:`outlook_networking.i18n.problems`) words in the user's language;
``str()`` of an error shows the code and values, for the developer's log.

::

    NetworkingError
    ├── UsageError                  bad arguments or configuration (exit code 2)
    │   └── ConfigError             key, problem (a :class:`Problem`)
    ├── InputError                  a file that cannot be read at all: path, reason (a Problem)
    ├── OutputError                 a report or export file could not be written: path, reason
    ├── StoreError                  the database: path, reason
    │   ├── SchemaTooNew            found, supported
    │   ├── StoreMissing            a command that reads found no store at path
    │   └── StoreEmpty              ... or one with nothing in it yet
    ├── LockHeld                    another agent holds the store: path, pid
    └── ConnectorError              talking to Exchange or Graph: account, reason
        ├── AuthError               sign-in failed or is needed: account, reason
        │   ├── LoginRequired       the refresh token is gone; run `login`
        │   └── AccessDenied        signed in, but refused this mailbox or service (HTTP 403)
        ├── ConnectionFailed        network, TLS, dropped connections, 5xx after retries
        ├── Throttled               the server kept asking to back off: retry_after_s
        ├── SyncStateInvalid        a sync state / delta token the server no longer accepts
        ├── Conflict                a change key went stale and the retry lost too: item_id
        └── ServerFault             any other fault the server answered: code

Exports: ``PROBLEMS``, ``Problem``, ``ProblemValue``, ``VALUE_KINDS``, ``problem``,
``AccessDenied``, ``AuthError``, ``ConfigError``, ``Conflict``, ``ConnectionFailed``,
``ConnectorError``, ``InputError``, ``LockHeld``, ``LoginRequired``, ``NetworkingError``,
``OutputError``, ``SchemaTooNew``, ``ServerFault``, ``StoreEmpty``, ``StoreError``,
``StoreMissing``, ``SyncStateInvalid``,
``Throttled``, ``UsageError``.
"""

from __future__ import annotations

__all__ = [
    "PROBLEMS",
    "VALUE_KINDS",
    "AccessDenied",
    "AuthError",
    "ConfigError",
    "Conflict",
    "ConnectionFailed",
    "ConnectorError",
    "InputError",
    "LockHeld",
    "LoginRequired",
    "NetworkingError",
    "OutputError",
    "Problem",
    "ProblemValue",
    "SchemaTooNew",
    "ServerFault",
    "StoreEmpty",
    "StoreError",
    "StoreMissing",
    "SyncStateInvalid",
    "Throttled",
    "UsageError",
    "problem",
]


from .problems import PROBLEMS, VALUE_KINDS, Problem, ProblemValue, problem


class NetworkingError(Exception):
    """Base of everything the product raises on purpose."""


class UsageError(NetworkingError):
    """The user asked for something that cannot be done as asked: ``reason`` a
    :class:`Problem`, or English text where the caller gives no code yet."""

    def __init__(self, reason: str | Problem) -> None:
        super().__init__(str(reason))
        self.reason = reason


class ConfigError(UsageError):
    """A configuration key is missing, of the wrong type, or out of range."""

    def __init__(self, key: str, problem: Problem, path: str = "") -> None:
        super().__init__(f"{key}: {problem}" if key else str(problem))
        self.key = key
        self.problem = problem
        self.path = path


class InputError(NetworkingError):
    """A whole input (file, folder) cannot be read at all: ``reason`` a :class:`Problem`."""

    def __init__(self, path: str, reason: Problem) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class OutputError(NetworkingError):
    """A file the user asked for could not be written (the disk, not the request, failed)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(NetworkingError):
    """The store cannot be opened or written: ``reason`` a :class:`Problem`."""

    def __init__(self, path: str, reason: Problem) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SchemaTooNew(StoreError):
    """The store was written by a newer version of the product."""

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(path, problem("store_schema_newer", version=found, supported=supported))
        self.found = found
        self.supported = supported


class StoreMissing(StoreError):
    """A command that reads the store found none (and created none)."""

    def __init__(self, path: str) -> None:
        super().__init__(path, Problem("no_store"))


class StoreEmpty(StoreError):
    """A command that reads the store found it empty: nothing ingested or synced yet."""

    def __init__(self, path: str) -> None:
        super().__init__(path, Problem("empty_store"))


class LockHeld(NetworkingError):
    """Another live process holds the store's lock: ``role`` is ``agent``, the command holding
    it (``apply``, ``undo``), or "" where it wrote nothing yet."""

    def __init__(self, path: str, pid: int, role: str = "") -> None:
        super().__init__(f"{path}: locked (pid {pid}, {role or 'unknown'})")
        self.path = path
        self.pid = pid
        self.role = role


class ConnectorError(NetworkingError):
    """Talking to a mail server failed: ``reason`` a :class:`Problem` (sign-in), or English
    text where the connectors do not give codes yet (docs/i18n.md)."""

    def __init__(self, account: str, reason: str | Problem) -> None:
        super().__init__(f"{account}: {reason}")
        self.account = account
        self.reason = reason


class AuthError(ConnectorError):
    """Sign-in failed."""


class LoginRequired(AuthError):
    """No usable token: the user must run ``outlook-networking login``."""


class AccessDenied(AuthError):
    """The server knows who we are and refuses anyway: signing in again will not help."""


class ConnectionFailed(ConnectorError):
    """The server could not be reached, or kept failing after retries."""


class Throttled(ConnectorError):
    """The server kept asking us to back off beyond the wait we allow."""

    def __init__(self, account: str, reason: str | Problem, retry_after_s: float = 0.0) -> None:
        super().__init__(account, reason)
        self.retry_after_s = retry_after_s


class SyncStateInvalid(ConnectorError):
    """The server no longer accepts a saved sync state or delta token."""


class Conflict(ConnectorError):
    """An item changed under us twice in a row."""

    def __init__(self, account: str, reason: str | Problem, item_id: str = "") -> None:
        super().__init__(account, reason)
        self.item_id = item_id


class ServerFault(ConnectorError):
    """Any other fault the server answered."""

    def __init__(self, account: str, reason: str | Problem, code: str = "") -> None:
        super().__init__(account, reason)
        self.code = code
