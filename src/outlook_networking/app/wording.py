"""The one line a person reads for an error: the wording the command line, the agent's log and
the add-in share.

Errors carry fields (:mod:`outlook_networking.errors`); only this module turns them into
sentences, so a message reads the same wherever it shows up. An error the product did not raise
on purpose (a bug) still becomes one line, naming its type.

Exports: ``describe``.
"""

from __future__ import annotations

from ..errors import (
    ConfigError,
    InputError,
    LockHeld,
    LoginRequired,
    NetworkingError,
    OutputError,
    StoreEmpty,
    StoreMissing,
)

__all__ = ["describe"]


def describe(exc: BaseException) -> str:
    """The one line a person reads for ``exc``."""
    if isinstance(exc, LoginRequired):
        return f"{exc.account}: sign-in expired or missing; run `outlook-networking login`"
    if isinstance(exc, ConfigError):
        where = f"{exc.path}: " if exc.path else ""
        return f"invalid configuration: {where}{exc.key}: {exc.problem}"
    if isinstance(exc, InputError):
        return f"cannot read {exc.path}: {exc.reason}"
    if isinstance(exc, OutputError):
        return f"cannot write {exc.path}: {exc.reason}"
    if isinstance(exc, StoreMissing):
        return (
            f"no store at {exc.path}: run `outlook-networking demo` or `outlook-networking "
            "ingest` first, or name a store with --db (or OUTLOOK_NETWORKING_DB)"
        )
    if isinstance(exc, StoreEmpty):
        return (
            f"{exc.path}: the store is empty: run `outlook-networking demo` or "
            "`outlook-networking ingest` (or `sync` for a configured mailbox)"
        )
    if isinstance(exc, LockHeld):
        return f"another agent (process {exc.pid}) is using {exc.path}"
    if isinstance(exc, NetworkingError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"
