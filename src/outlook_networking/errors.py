"""The product's one exception tree.

Every module raises these, never a third-party exception: connectors map their library's errors at
the edge (``raise ConnectionFailed(...) from exc``). Exceptions carry fields, not prose;
:mod:`outlook_networking.app.wording` turns them into the one line people read. What is wrong
with a configuration key is a :class:`Problem`: a code from :data:`PROBLEMS` and its values,
which the renderer (:mod:`outlook_networking.i18n.problems`) words in the user's language;
``str()`` of an error shows the code and values, for the developer's log.

::

    NetworkingError
    ├── UsageError                  bad arguments or configuration (exit code 2)
    │   └── ConfigError             key, problem (a :class:`Problem`)
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

Exports: ``PROBLEMS``, ``Problem``, ``ProblemValue``, ``VALUE_KINDS``, ``problem``,
``AccessDenied``, ``AuthError``, ``ConfigError``, ``Conflict``, ``ConnectionFailed``,
``ConnectorError``, ``InputError``, ``LockHeld``, ``LoginRequired``, ``NetworkingError``,
``OutputError``, ``SchemaTooNew``, ``ServerFault``, ``StoreEmpty``, ``StoreError``,
``StoreMissing``, ``SyncStateInvalid``,
``Throttled``, ``UsageError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


ProblemValue = str | int | float | tuple[str, ...]

# code -> the names of its values. ``choices`` are the allowed values as written in the file,
# ``kind``/``found`` a kind of TOML value (:data:`VALUE_KINDS`), ``value`` what the file says,
# ``detail`` a library's own English text (a TOML or regular-expression parser's).
PROBLEMS: Mapping[str, tuple[str, ...]] = {
    # the file as a whole (config.py)
    "file_not_found": (),
    "cannot_read_file": ("detail",),
    "toml": ("detail",),
    "toml_at": ("line", "column", "detail"),
    "toml_too_deep": (),
    "password_in_file": (),
    "client_secret_in_file": (),
    "token_in_file": (),
    # any key
    "unknown_key": (),
    "unknown_key_did_you_mean": ("suggestion",),
    "must_be": ("kind",),
    "wrong_kind": ("kind", "found"),
    "one_of": ("choices",),
    "unknown_value": ("value", "choices"),
    "between": ("low", "high"),
    "between_not": ("low", "high", "value"),
    "at_least": ("low",),
    "not_finite": ("value",),
    "not_empty": (),
    "not_address": ("value",),
    "unknown_tier": ("tier",),
    "per_tier_table": (),
    "pinned_table": (),
    # accounts
    "accounts_not_array": (),
    "account_name_twice": ("name",),
    "no_account": (),
    "several_accounts": ("choices",),
    "no_account_named": ("name",),
    "address_missing": (),
    "endpoint_missing": (),
    "endpoint_and_autodiscover": (),
    "endpoint_ews_only": (),
    "autodiscover_ews_only": (),
    "tenant": ("value",),
    "authority_url": (),
    "app_needs_tenant": ("value",),
    "impersonation_needs_app": (),
    "app_needs_impersonation": (),
    "app_only": (),
    "thumbprint": (),
    "thumbprint_needs_certificate": (),
    "mailbox_with_app": (),
    "shared_graph_writeback": (),
    "client_id_placeholder": (),
    "needs_password": ("method",),
    "needs_token": ("method",),
    "agent_needs_account": (),
    "login_needs_oauth": ("method",),
    "not_app_only": ("method",),
    "no_delegated_tokens": ("method",),
    "password_not_token": ("method",),
    "needs_token_cache": (),
    "graph_needs_oauth": ("method",),
    # the command line's options checked below it
    "interval_not_positive": (),
    # signing in (auth): an AuthError's or LoginRequired's reason; ``detail`` is the English
    # text of msal, the keyring or the operating system, ``code`` an OAuth error code
    "login_required": ("detail",),
    "signin_declined": (),
    "signin_cancelled": (),
    "signin_code_expired": (),
    "signin_code_unknown": (),
    "client_credentials_refused": ("detail",),
    "signin_not_allowed": ("detail",),
    "signin_failed": ("error", "detail"),
    "signin_unreachable": ("detail",),
    "authority_unusable": ("detail",),
    "no_access_token": (),
    "app_needs_credential": ("env", "client_id"),
    "certificate_unreadable": ("path", "detail"),
    "no_private_key": ("path",),
    "no_certificate": ("path",),
    "cache_undecryptable": ("path",),
    "no_encrypted_storage": ("detail",),
    "browser_timeout": ("minutes",),
    "browser_answer_foreign": ("detail",),
    "no_password": ("username", "env", "service"),
    "token_env_missing": ("env",),
    "keyring_refused": ("detail",),
    "keyring_failed": ("detail",),
    "tokens_unencrypted": ("detail", "path"),
    # the server (connectors): a ConnectorError's reason
    "ews_forbidden": (),
    "needs_impersonation": (),
    "autodiscover_failed": (),
    "credentials_refused": (),
    "throttled": (),
    "connection_dropped": ("count",),
    "token_refresh_failed": ("detail",),
    "no_message_root": (),
    "flags_need_2013": (),
    "item_changed_twice": (),
    "message_changed_twice": (),
    "batch_throttled": (),
    "link_outside": (),
    "batch_part_missing": ("id",),
    "delta_not_object": (),
    "delta_no_link": (),
    "tag_tiers_empty": (),
    "followups_as_table": (),
    "unknown_followup_kind": ("choices",),
    "followup_mode": (),
    "flag_kinds_only": ("choices",),
    # [writeback], [brief], [folders]
    "category_name": (),
    "category_names_distinct": (),
    "colour_preset": (),
    "time_zone": (),
    "folder_patterns": (),
    # the settings (core.settings, core.ledger.rules)
    "shares_sum": (),
    "one_way_weight": (),
    "review_day": (),
    "bare_domains": (),
    "empty_names": (),
    "hours_positive": (),
    "not_regex": ("detail",),
    "forward_prefix": (),
    # URLs (endpoints)
    "url_non_ascii": (),
    "url_control": (),
    "url_backslash": (),
    "url_port": (),
    "url_scheme": (),
    "url_userinfo": (),
    "url_percent": (),
    "url_fragment": (),
    "url_ambiguous": (),
    "url_read_differently": ("readings",),
    "url_plain_http": (),
    "host_missing": (),
    "host_not_ipv6": ("value",),
    "host_trailing_dot": (),
    "host_ipv4_form": ("value",),
    "host_name": ("value",),
}
# the kinds of value ``must_be``/``wrong_kind`` name
VALUE_KINDS = ("string", "integer", "boolean", "number", "whole_number", "hours", "strings",
         "array", "table", "date")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong: a code of :data:`PROBLEMS` and its named values."""

    code: str
    values: tuple[tuple[str, ProblemValue], ...] = ()

    def __getitem__(self, name: str) -> ProblemValue:
        return dict(self.values)[name]

    def __str__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self.values)
        return f"{self.code}({values})" if values else self.code


def problem(code: str, **values: ProblemValue) -> Problem:
    """A problem with ``values`` named as :data:`PROBLEMS` says for ``code``."""
    expected = PROBLEMS[code]
    if set(values) != set(expected):
        raise ValueError(f"{code}: expected values {expected}, got {tuple(values)}")
    for name in ("kind", "found"):
        if name in values and values[name] not in VALUE_KINDS:
            raise ValueError(f"{code}: {name} {values[name]!r} is not one of {VALUE_KINDS}")
    return Problem(code, tuple((name, values[name]) for name in expected))


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
        super().__init__(path, f"schema {found} > {supported}")
        self.found = found
        self.supported = supported


class StoreMissing(StoreError):
    """A command that reads the store found none (and created none)."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "no_store")


class StoreEmpty(StoreError):
    """A command that reads the store found it empty: nothing ingested or synced yet."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "empty_store")


class LockHeld(NetworkingError):
    """Another live agent holds the store's lock."""

    def __init__(self, path: str, pid: int) -> None:
        super().__init__(f"{path}: locked (pid {pid})")
        self.path = path
        self.pid = pid


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
