"""The product's one exception tree.

Every module raises these, never a third-party exception: connectors map their library's errors at
the edge (``raise ConnectionFailed(...) from exc``). Exceptions carry fields, not prose;
:mod:`outlook_networking.app.wording` turns them into the one line people read.

::

    NetworkingError
    ├── UsageError                  bad arguments or configuration (exit code 2)
    │   └── ConfigError             key, problem
    ├── InputError                  a file that cannot be read at all: path, reason
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

Exports: ``AccessDenied``, ``AuthError``, ``ConfigError``, ``Conflict``, ``ConnectionFailed``,
``ConnectorError``, ``InputError``, ``LockHeld``, ``LoginRequired``, ``NetworkingError``,
``OutputError``, ``SchemaTooNew``, ``ServerFault``, ``StoreEmpty``, ``StoreError``,
``StoreMissing``, ``SyncStateInvalid``,
``Throttled``, ``UsageError``.
"""

from __future__ import annotations

__all__ = [
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
    "SchemaTooNew",
    "ServerFault",
    "StoreEmpty",
    "StoreError",
    "StoreMissing",
    "SyncStateInvalid",
    "Throttled",
    "UsageError",
]


class NetworkingError(Exception):
    """Base of everything the product raises on purpose."""


class UsageError(NetworkingError):
    """The user asked for something that cannot be done as asked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ConfigError(UsageError):
    """A configuration key is missing, of the wrong type, or out of range."""

    def __init__(self, key: str, problem: str, path: str = "") -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem
        self.path = path


class InputError(NetworkingError):
    """A whole input (file, folder) cannot be read at all."""

    def __init__(self, path: str, reason: str) -> None:
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
    """The store cannot be opened or written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SchemaTooNew(StoreError):
    """The store was written by a newer version of the product."""

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(path, f"schema version {found} is newer than {supported}")
        self.found = found
        self.supported = supported


class StoreMissing(StoreError):
    """A command that reads the store found none (and created none)."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "no store here")


class StoreEmpty(StoreError):
    """A command that reads the store found it empty: nothing ingested or synced yet."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "the store is empty")


class LockHeld(NetworkingError):
    """Another live agent holds the store's lock."""

    def __init__(self, path: str, pid: int) -> None:
        super().__init__(f"{path} is locked by process {pid}")
        self.path = path
        self.pid = pid


class ConnectorError(NetworkingError):
    """Talking to a mail server failed."""

    def __init__(self, account: str, reason: str) -> None:
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

    def __init__(self, account: str, reason: str, retry_after_s: float = 0.0) -> None:
        super().__init__(account, reason)
        self.retry_after_s = retry_after_s


class SyncStateInvalid(ConnectorError):
    """The server no longer accepts a saved sync state or delta token."""


class Conflict(ConnectorError):
    """An item changed under us twice in a row."""

    def __init__(self, account: str, reason: str, item_id: str = "") -> None:
        super().__init__(account, reason)
        self.item_id = item_id


class ServerFault(ConnectorError):
    """Any other fault the server answered."""

    def __init__(self, account: str, reason: str, code: str = "") -> None:
        super().__init__(account, reason)
        self.code = code
