"""The one line a person reads for an error: the wording the command line, the agent's log and
the add-in share.

Errors carry fields (:mod:`outlook_networking.errors`); only this module turns them into
sentences, so a message reads the same wherever it shows up. An error the product did not raise
on purpose (a bug) still becomes one line, naming its type.

Exports: ``describe``, ``describe_each``.
"""

from __future__ import annotations

from ..errors import (
    ConfigError,
    ConnectorError,
    InputError,
    LockHeld,
    LoginRequired,
    NetworkingError,
    OutputError,
    Problem,
    StoreEmpty,
    StoreError,
    StoreMissing,
    UsageError,
)
from ..i18n import Wording
from ..i18n.language import LANGUAGES

__all__ = ["describe", "describe_each"]

_ENGLISH = Wording("en")


def describe_each(exc: BaseException) -> dict[str, str]:
    """:func:`describe` in every language of the catalogs (language -> line): what the agent
    keeps, so ``status`` shows a stored error in the language it is run in."""
    return {language: describe(exc, Wording(language)) for language in LANGUAGES}


def describe(exc: BaseException, words: Wording = _ENGLISH) -> str:
    """The one line a person reads for ``exc``, in ``words``'s language (a configuration's
    problem and a sign-in's too; a server's reason is English still: docs/i18n.md)."""
    w = words
    if isinstance(exc, LoginRequired):
        # TRANSLATORS: {account} is an e-mail address; `outlook-networking login` is a command
        return w.gettext(
            "{account}: sign-in expired or missing; run `outlook-networking login`"
        ).format(account=exc.account)
    if isinstance(exc, ConfigError):
        where = f"{exc.path}: " if exc.path else ""
        key = f"{exc.key}: " if exc.key else ""
        # TRANSLATORS: {where} is "<file>: " or "", {key} "<key>: " or "" (both as written)
        return w.gettext("invalid configuration: {where}{key}{problem}").format(
            where=where, key=key, problem=w.problem(exc.problem)
        )
    if isinstance(exc, InputError):
        return w.gettext("cannot read {path}: {reason}").format(
            path=exc.path, reason=w.problem(exc.reason)
        )
    if isinstance(exc, OutputError):
        return w.gettext("cannot write {path}: {reason}").format(path=exc.path, reason=exc.reason)
    if isinstance(exc, StoreMissing):
        return w.gettext(
            "no store at {path}: run `outlook-networking demo` or `outlook-networking ingest` "
            "first, or name a store with --db (or OUTLOOK_NETWORKING_DB)"
        ).format(path=exc.path)
    if isinstance(exc, StoreEmpty):
        return w.gettext(
            "{path}: the store is empty: run `outlook-networking demo` or `outlook-networking "
            "ingest` (or `sync` for a configured mailbox)"
        ).format(path=exc.path)
    if isinstance(exc, LockHeld):
        if exc.role == "agent":
            said = w.gettext("the agent (process {pid}) is using {path}")
        elif exc.role:
            # TRANSLATORS: {command} is a command (`apply`, `undo`) writing to a mailbox
            said = w.gettext("`{command}` (process {pid}) is writing with {path}")
        else:
            said = w.gettext("another process ({pid}) is using {path}")
        return said.format(pid=exc.pid, path=exc.path, command=exc.role)
    if isinstance(exc, UsageError) and isinstance(exc.reason, Problem):
        return w.problem(exc.reason)
    if isinstance(exc, StoreError):
        return f"{exc.path}: {w.problem(exc.reason)}"
    if isinstance(exc, ConnectorError):
        reason = w.problem(exc.reason) if isinstance(exc.reason, Problem) else exc.reason
        return f"{exc.account}: {reason}"
    if isinstance(exc, NetworkingError):
        return str(exc)
    # TRANSLATORS: {kind} is a Python exception's name, {detail} its English text
    return w.gettext("internal error: {kind}: {detail}").format(kind=type(exc).__name__, detail=exc)
