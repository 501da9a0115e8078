"""What is wrong, as a code and its named values: the value type :mod:`.errors` raises (a
configuration's or sign-in's problem) and :class:`.model.Problem` carries (a file's or message's
read problem). Below both, so each may use it; :mod:`outlook_networking.i18n.problems` words
each code in the user's language, ``str()`` shows the code and values for the developer's log.

Exports: ``FILE_KINDS``, ``PROBLEMS``, ``Problem``, ``ProblemValue``, ``VALUE_KINDS``, ``problem``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["FILE_KINDS", "PROBLEMS", "VALUE_KINDS", "Problem", "ProblemValue", "problem"]


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
    # the add-in server's certificate; ``detail`` the English text of Python's ssl module
    "certificate_unusable": ("detail",),
    # the server (connectors): a ConnectorError's reason
    "ews_forbidden": (),
    "needs_impersonation": (),
    "autodiscover_failed": (),
    "credentials_refused": (),
    "throttled": (),
    "connection_dropped": ("count",),
    "server_unreachable": ("detail",),  # ``detail`` the HTTP library's own English
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
    # reading files and messages: a model.Problem's reason, counted after ``ingest``; ``detail``
    # is the English text of a library (libpff, extract-msg, dateutil) or the operating system
    "no_header_fields": (),
    "no_sender": (),
    "sender_exchange_only": (),
    "no_date": (),
    "unreadable_date": ("value",),
    "no_sent_time": (),
    "recipients_exchange_only": ("count",),
    "appointment_no_start": (),
    "recurrence_not_read": ("detail",),
    "contact_empty": (),
    "os_error": ("detail",),
    "msg_empty": (),
    "msg_not_ole": (),
    "msg_damaged": ("detail",),
    "pst_no_signature": (),
    "pst_header_truncated": (),
    "pst_unknown_client": (),
    "pst_unknown_version": ("client", "version"),
    "pst_damaged": ("client", "detail"),
    "pst_unreadable": ("detail",),
    "pst_no_root": (),
    "pst_root_damaged": (),
    # a file or folder as a whole (sources/textfile.py, filesource.py, mailfiles.py): an
    # InputError's reason, or a whole problem's; ``what`` a kind of non-regular file
    # (:data:`FILE_KINDS`), ``reason`` the problem of the part named by ``path``
    "permission_denied": (),
    "link_loop": (),
    "no_such_file": (),
    "not_regular_file": ("what",),
    "broken_link": (),
    "link_loop_back": ("path",),
    "no_exports_in_folder": (),
    "nothing_readable_in_folder": ("path", "reason", "more"),
    "cannot_be_read": ("reason",),
    "empty_file": (),
    "binary_file": (),
    "unknown_format": (),
    "too_large": ("megabytes", "setting"),
    "too_large_decompressed": ("megabytes", "setting"),
    "rest_too_large": ("megabytes", "setting"),
    "broken_gzip": ("detail",),
    "ends_unreadably": ("detail",),
    "after_items": ("count", "reason"),  # a file's rest, after ``count`` items were read
    # the store (store.py): a StoreError's reason; ``detail`` SQLite's or the system's English
    "store_damaged": ("detail",),
    "store_read_only": (),
    "store_unusable": ("detail",),
    "store_not_regular": ("what",),
    "store_not_sqlite": (),
    "store_of_another_program": (),
    "store_schema_newer": ("version", "supported"),
    # calendars (sources/calendar.py); ``detail`` the English text of icalendar or dateutil
    "no_calendar": (),
    "calendar_cut_off": (),
    "event_in_event": (),
    "nested_too_deep": ("depth",),
    "event_too_large": ("mebibytes",),
    "too_many_zones": (),
    "not_readable": ("detail",),
    "unreadable_property": ("name", "detail"),
    "no_dtstart": (),
    "dtstart_not_date": (),
    "cannot_expand": ("detail",),
    "recurs_too_often": ("dates", "most", "factor"),
    "recurrence_budget_used": ("count",),
    "occurrences_capped": ("count",),
    # vCards (sources/vcards.py); ``detail`` the English text of vobject
    "no_vcard": (),
    "card_too_large": ("mebibytes",),
    "property_too_long": ("name", "kibibytes"),
    "broken_vcard": ("detail",),
    "not_a_day": ("name", "value"),
}
# the kinds of value ``must_be``/``wrong_kind`` name
VALUE_KINDS = ("string", "integer", "boolean", "number", "whole_number", "hours", "strings",
         "array", "table", "date")  # fmt: skip
# what a path is when it is no regular file, as ``not_regular_file``'s ``what`` names it
FILE_KINDS = ("folder", "fifo", "device", "socket", "other")


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


# a problem's value: a number, a text, a list of choices, or the problem of a part it names
ProblemValue = str | int | float | tuple[str, ...] | Problem


def problem(code: str, **values: ProblemValue) -> Problem:
    """A problem with ``values`` named as :data:`PROBLEMS` says for ``code``."""
    expected = PROBLEMS[code]
    if set(values) != set(expected):
        raise ValueError(f"{code}: expected values {expected}, got {tuple(values)}")
    for name in ("kind", "found"):
        if name in values and values[name] not in VALUE_KINDS:
            raise ValueError(f"{code}: {name} {values[name]!r} is not one of {VALUE_KINDS}")
    if "what" in values and values["what"] not in FILE_KINDS:
        raise ValueError(f"{code}: what {values['what']!r} is not one of {FILE_KINDS}")
    return Problem(code, tuple((name, values[name]) for name in expected))
