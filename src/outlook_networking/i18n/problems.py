"""The one renderer of what is wrong with a configuration: a
:class:`~outlook_networking.errors.Problem` (a code and its values) into a phrase of the
:class:`~.wording.Wording`'s language, for :func:`outlook_networking.app.wording.describe`.

Each code of :data:`~outlook_networking.errors.PROBLEMS` has its words here; the English phrase
is the catalog's message id, the German one its translation. Keys and values as the file writes
them (``auth = "app"``, ``"ews"``) stay as they are: the user types them.

Exports: ``RENDERERS``, ``render_problem``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..errors import Problem, ProblemValue

if TYPE_CHECKING:
    from .wording import Wording

__all__ = ["RENDERERS", "render_problem"]


def _kind(w: Wording, kind: ProblemValue) -> str:
    """A kind of value (:data:`~outlook_networking.errors.VALUE_KINDS`), as "must be ..."
    needs it."""
    kinds = {
        "string": w.gettext("a string"),
        "integer": w.gettext("an integer"),
        "boolean": w.gettext("true or false"),
        "number": w.gettext("a number"),
        "whole_number": w.gettext("a whole number"),
        "hours": w.gettext("a number of hours"),
        "strings": w.gettext("a list of strings"),
        "array": w.gettext("an array"),
        "table": w.gettext("a table"),
        "date": w.gettext("a date or time"),
    }
    return kinds[str(kind)]


def _quoted(value: ProblemValue) -> str:
    return f'"{value}"'


def _choices(value: ProblemValue) -> str:
    assert isinstance(value, tuple), value
    return ", ".join(_quoted(choice) for choice in value)


def _number(w: Wording, value: ProblemValue) -> str:
    assert isinstance(value, int | float), value
    return w.number(value)


def _between(w: Wording, p: Problem) -> str:
    return w.gettext("must be between {low} and {high}").format(
        low=_number(w, p["low"]), high=_number(w, p["high"])
    )


def _between_not(w: Wording, p: Problem) -> str:
    return w.gettext("must be between {low} and {high}, not {value}").format(
        low=_number(w, p["low"]), high=_number(w, p["high"]), value=_number(w, p["value"])
    )


def _int(value: ProblemValue) -> int:
    assert isinstance(value, int), value
    return value


def _signin_failed(w: Wording, p: Problem) -> str:
    if p["detail"]:
        # TRANSLATORS: {error} is an OAuth error code, {detail} the service's English message
        return w.gettext("sign-in failed ({error}): {detail}").format(
            error=p["error"], detail=p["detail"]
        )
    return w.gettext("sign-in failed ({error})").format(error=p["error"])


def _file_kind(w: Wording, what: ProblemValue) -> str:
    """What a path is when it is no regular file (:data:`~outlook_networking.problems.FILE_KINDS`),
    as "not a regular file but ..." needs it."""
    kinds = {
        "folder": w.gettext("a folder"),
        "fifo": w.gettext("a named pipe (FIFO)"),
        "device": w.gettext("a device"),
        "socket": w.gettext("a socket"),
        "other": w.gettext("something else"),
    }
    return kinds[str(what)]


def _part(w: Wording, reason: ProblemValue) -> str:
    """The problem of a part a problem names, in words."""
    assert isinstance(reason, Problem), reason
    return render_problem(w, reason)


def _nothing_readable(w: Wording, p: Problem) -> str:
    more = _int(p["more"])
    if not more:
        # TRANSLATORS: {path} is the first thing in the folder, {reason} why it cannot be read
        return w.gettext("nothing in this folder can be read: {path}: {reason}").format(
            path=p["path"], reason=_part(w, p["reason"])
        )
    # TRANSLATORS: {path} is the first thing in the folder, {reason} why it cannot be read
    return w.ngettext(
        "nothing in this folder can be read: {path}: {reason} (and {count} more)",
        "nothing in this folder can be read: {path}: {reason} (and {count} more)",
        more,
    ).format(path=p["path"], reason=_part(w, p["reason"]), count=_number(w, more))


_Render = Callable[["Wording", Problem], str]

RENDERERS: Mapping[str, _Render] = {
    # the file as a whole
    "file_not_found": lambda w, p: w.gettext("file not found"),
    "cannot_read_file": lambda w, p: w.gettext("cannot read the file: {detail}").format(
        detail=p["detail"]
    ),
    # TRANSLATORS: {detail} is the TOML parser's English message
    "toml": lambda w, p: w.gettext("invalid TOML: {detail}").format(detail=p["detail"]),
    # TRANSLATORS: {detail} is the TOML parser's English message
    "toml_at": lambda w, p: w.gettext(
        "line {line}: invalid TOML at column {column}: {detail}"
    ).format(line=p["line"], column=p["column"], detail=p["detail"]),
    "toml_too_deep": lambda w, p: w.gettext("invalid TOML: arrays or tables nested too deeply"),
    "password_in_file": lambda w, p: w.gettext(
        "passwords never go in the config file; use the keyring or OUTLOOK_NETWORKING_PASSWORD"
    ),
    "client_secret_in_file": lambda w, p: w.gettext(
        "client secrets never go in the config file; use the keyring or "
        "OUTLOOK_NETWORKING_CLIENT_SECRET"
    ),
    "token_in_file": lambda w, p: w.gettext(
        "tokens never go in the config file; use OUTLOOK_NETWORKING_ACCESS_TOKEN"
    ),
    # any key
    "unknown_key": lambda w, p: w.gettext("unknown key (see docs/config.md)"),
    "unknown_key_did_you_mean": lambda w, p: w.gettext(
        "unknown key; did you mean {suggestion}? (see docs/config.md)"
    ).format(suggestion=_quoted(p["suggestion"])),
    "must_be": lambda w, p: w.gettext("must be {kind}").format(kind=_kind(w, p["kind"])),
    "wrong_kind": lambda w, p: w.gettext("must be {kind}, not {found}").format(
        kind=_kind(w, p["kind"]), found=_kind(w, p["found"])
    ),
    "one_of": lambda w, p: w.gettext("must be one of {choices}").format(
        choices=_choices(p["choices"])
    ),
    "unknown_value": lambda w, p: w.gettext("unknown value {value}; use one of {choices}").format(
        value=_quoted(p["value"]), choices=_choices(p["choices"])
    ),
    "between": _between,
    "between_not": _between_not,
    "at_least": lambda w, p: w.gettext("must be at least {low}").format(low=_number(w, p["low"])),
    "not_finite": lambda w, p: w.gettext("must be a finite number, not {value}").format(
        value=p["value"]
    ),
    "not_empty": lambda w, p: w.gettext("must not be empty"),
    "not_address": lambda w, p: w.gettext("{value} is not an e-mail address").format(
        value=_quoted(p["value"])
    ),
    "unknown_tier": lambda w, p: w.gettext("unknown tier {tier}; use A, B, C, D").format(
        tier=_quoted(p["tier"])
    ),
    "per_tier_table": lambda w, p: w.gettext("must be a table of tier = value (A, B, C, D)"),
    "pinned_table": lambda w, p: w.gettext("must be a table of address = tier"),
    # accounts
    "accounts_not_array": lambda w, p: w.gettext("must be an array of tables ([[accounts]])"),
    "account_name_twice": lambda w, p: w.gettext("{name} is used twice").format(
        name=_quoted(p["name"])
    ),
    "no_account": lambda w, p: w.gettext("no account is configured"),
    "several_accounts": lambda w, p: w.gettext(
        "several accounts are configured; name one ({choices})"
    ).format(choices=_choices(p["choices"])),
    "no_account_named": lambda w, p: w.gettext("no account named {name}").format(
        name=_quoted(p["name"])
    ),
    "address_missing": lambda w, p: w.gettext(
        "missing; every account needs the mailbox's e-mail address"
    ),
    "endpoint_missing": lambda w, p: w.gettext(
        'missing; give the EWS URL or set autodiscover = true (Microsoft 365: connector = "graph")'
    ),
    "endpoint_and_autodiscover": lambda w, p: w.gettext(
        "give either endpoint or autodiscover = true, not both"
    ),
    "endpoint_ews_only": lambda w, p: w.gettext('is for connector = "ews"; Graph uses graph_url'),
    "autodiscover_ews_only": lambda w, p: w.gettext(
        'is for connector = "ews"; Graph needs no discovery'
    ),
    "tenant": lambda w, p: w.gettext("{value} is neither a tenant id nor a domain").format(
        value=_quoted(p["value"])
    ),
    "authority_url": lambda w, p: w.gettext(
        "must be an https:// URL with a tenant path, e.g. "
        "https://login.microsoftonline.us/contoso.onmicrosoft.com"
    ),
    "app_needs_tenant": lambda w, p: w.gettext(
        'auth = "app" needs your tenant id or domain, not {value}'
    ).format(value=_quoted(p["value"])),
    "impersonation_needs_app": lambda w, p: w.gettext('needs connector = "ews" and auth = "app"'),
    "app_needs_impersonation": lambda w, p: w.gettext(
        'app-only EWS (auth = "app") reads a mailbox only through impersonation: set '
        "impersonation = true (the app needs full_access_as_app), or sign in as the user "
        'with auth = "oauth"'
    ),
    "app_only": lambda w, p: w.gettext('is only used with auth = "app"'),
    "thumbprint": lambda w, p: w.gettext("must be 40 hexadecimal digits (SHA-1)"),
    "thumbprint_needs_certificate": lambda w, p: w.gettext(
        "missing; a thumbprint needs its certificate file"
    ),
    "mailbox_with_app": lambda w, p: w.gettext(
        'is for a signed-in user; with auth = "app" the address is the mailbox'
    ),
    "shared_graph_writeback": lambda w, p: w.gettext(
        "must be false for a shared or delegated mailbox read through Graph"
    ),
    "client_id_placeholder": lambda w, p: w.gettext(
        "set the application (client) id of your app registration (see docs/config.md)"
    ),
    # TRANSLATORS: {method} is the configured auth method, "ntlm" or "basic"
    "needs_password": lambda w, p: w.gettext("{method} needs a password").format(
        method=_quoted(p["method"])
    ),
    "needs_token": lambda w, p: w.gettext("{method} needs a token provider").format(
        method=_quoted(p["method"])
    ),
    "agent_needs_account": lambda w, p: w.gettext(
        "no account is configured; the agent syncs the [[accounts]] of the config"
    ),
    "login_needs_oauth": lambda w, p: w.gettext(
        'login is for auth = "oauth"; this account uses {method}'
    ).format(method=_quoted(p["method"])),
    "not_app_only": lambda w, p: w.gettext('{method} is not app-only (auth = "app")').format(
        method=_quoted(p["method"])
    ),
    "no_delegated_tokens": lambda w, p: w.gettext(
        '{method} has no delegated tokens (auth = "oauth")'
    ).format(method=_quoted(p["method"])),
    "password_not_token": lambda w, p: w.gettext(
        "{method} signs in with a password, not a token"
    ).format(method=_quoted(p["method"])),
    "needs_token_cache": lambda w, p: w.gettext("delegated sign-in needs the token cache"),
    "graph_needs_oauth": lambda w, p: w.gettext(
        'the Graph connector signs in with "oauth", "app" or "token", not {method}'
    ).format(method=_quoted(p["method"])),
    # the command line
    "interval_not_positive": lambda w, p: w.gettext(
        "--interval must be a positive number of seconds"
    ),
    "tag_tiers_empty": lambda w, p: w.gettext(
        "must name at least one tier (or tag_messages = false)"
    ),
    "followups_as_table": lambda w, p: w.gettext(
        'must be a table of follow-up kind = "flag", "task" or "both"'
    ),
    "unknown_followup_kind": lambda w, p: w.gettext(
        "unknown follow-up kind; use one of {choices}"
    ).format(choices=_choices(p["choices"])),
    "followup_mode": lambda w, p: w.gettext('must be "flag", "task" or "both"'),
    "flag_kinds_only": lambda w, p: w.gettext(
        'only {choices} are about one message that a flag can mark; use "task"'
    ).format(choices=_choices(p["choices"])),
    # [writeback], [brief], [folders]
    "category_name": lambda w, p: w.gettext("must be non-empty, without , or ;"),
    "category_names_distinct": lambda w, p: w.gettext("each tier needs its own category name"),
    "colour_preset": lambda w, p: w.gettext("must be an Outlook colour preset -1..24"),
    "time_zone": lambda w, p: w.gettext("must be an IANA time zone name (such as Europe/Berlin)"),
    "folder_patterns": lambda w, p: w.gettext("must be a list of folder names or patterns"),
    # the settings
    "shares_sum": lambda w, p: w.gettext("tiers.a_share + tiers.b_share must not exceed 1"),
    "one_way_weight": lambda w, p: w.gettext("must not exceed scoring.mail_weight"),
    "review_day": lambda w, p: w.gettext("is not a day of review.month"),
    "bare_domains": lambda w, p: w.gettext("must list bare domains such as example.com"),
    "empty_names": lambda w, p: w.gettext("must not contain empty names"),
    "hours_positive": lambda w, p: w.gettext("must be more than 0 hours"),
    # TRANSLATORS: {detail} is Python's English message about the regular expression
    "not_regex": lambda w, p: w.gettext("not a regular expression: {detail}").format(
        detail=p["detail"]
    ),
    "forward_prefix": lambda w, p: w.gettext("must be letters only, without the colon"),
    # signing in
    # TRANSLATORS: {detail} is the sign-in service's error code
    "login_required": lambda w, p: w.gettext(
        "sign-in expired or missing; run `outlook-networking login` ({detail})"
    ).format(detail=p["detail"]),
    "signin_declined": lambda w, p: w.gettext("the sign-in was declined in the browser"),
    "signin_cancelled": lambda w, p: w.gettext(
        "the sign-in was cancelled or refused in the browser"
    ),
    "signin_code_expired": lambda w, p: w.gettext(
        "the sign-in code expired before it was entered; run login again"
    ),
    "signin_code_unknown": lambda w, p: w.gettext(
        "the sign-in code was not recognised; run login again"
    ),
    # TRANSLATORS: {detail} is the sign-in service's English message
    "client_credentials_refused": lambda w, p: w.gettext(
        "the app registration refused the client credentials: {detail}"
    ).format(detail=p["detail"]),
    # TRANSLATORS: {detail} is the sign-in service's English message
    "signin_not_allowed": lambda w, p: w.gettext(
        "the app registration does not allow this sign-in: {detail}"
    ).format(detail=p["detail"]),
    "signin_failed": _signin_failed,
    # TRANSLATORS: {detail} is the operating system's English message
    "signin_unreachable": lambda w, p: w.gettext(
        "cannot reach the sign-in service: {detail}"
    ).format(detail=p["detail"]),
    "authority_unusable": lambda w, p: w.gettext(
        "the sign-in authority is not usable: {detail}"
    ).format(detail=p["detail"]),
    "no_access_token": lambda w, p: w.gettext("the sign-in gave no access token"),
    "app_needs_credential": lambda w, p: w.gettext(
        'auth = "app" needs certificate_path in the config, or a client secret in {env} or the '
        "keyring (outlook-networking, client-secret:{client_id})"
    ).format(env=p["env"], client_id=p["client_id"]),
    "certificate_unreadable": lambda w, p: w.gettext(
        "cannot read the certificate {path}: {detail}"
    ).format(path=p["path"], detail=p["detail"]),
    "no_private_key": lambda w, p: w.gettext("{path} holds no PEM private key").format(
        path=p["path"]
    ),
    "no_certificate": lambda w, p: w.gettext(
        "{path} holds no certificate; add it to the file or set certificate_thumbprint"
    ).format(path=p["path"]),
    "cache_undecryptable": lambda w, p: w.gettext(
        "{path} cannot be decrypted; delete it and sign in again"
    ).format(path=p["path"]),
    "no_encrypted_storage": lambda w, p: w.gettext(
        "no encrypted token storage on this system ({detail})"
    ).format(detail=p["detail"]),
    "browser_timeout": lambda w, p: w.ngettext(
        "the browser did not come back within {minutes} minute; run login again "
        "(or `login --device-code`)",
        "the browser did not come back within {minutes} minutes; run login again "
        "(or `login --device-code`)",
        _int(p["minutes"]),
    ).format(minutes=_number(w, p["minutes"])),
    "browser_answer_foreign": lambda w, p: w.gettext(
        "the browser's answer does not belong to this sign-in ({detail})"
    ).format(detail=p["detail"]),
    # TRANSLATORS: {detail} is the English message of Python's TLS module (ssl)
    "certificate_unusable": lambda w, p: w.gettext("unusable certificate or key: {detail}").format(
        detail=p["detail"]
    ),
    "no_password": lambda w, p: w.gettext(
        "no password for {username}: set {env} or run `keyring set {service} {username}`"
    ).format(username=p["username"], env=p["env"], service=p["service"]),
    "token_env_missing": lambda w, p: w.gettext('auth = "token" needs {env} to be set').format(
        env=p["env"]
    ),
    # TRANSLATORS: {detail} is the keyring's English message
    "keyring_refused": lambda w, p: w.gettext(
        "the system keyring refused the password: {detail}"
    ).format(detail=p["detail"]),
    # TRANSLATORS: {detail} is the keyring's English message
    "keyring_failed": lambda w, p: w.gettext("the system keyring failed: {detail}").format(
        detail=p["detail"]
    ),
    # TRANSLATORS: {detail} is the operating system's English message, {path} a file
    "tokens_unencrypted": lambda w, p: w.gettext(
        "no encrypted token storage on this system ({detail}); tokens are kept unencrypted in "
        "{path}, readable only by you"
    ).format(detail=p["detail"], path=p["path"]),
    # the server
    "ews_forbidden": lambda w, p: w.gettext(
        "the server refused EWS for this mailbox (HTTP 403), whoever signs in: in Exchange "
        "Online a mailbox licensed only for Kiosk, F1 or F3 may not use EWS (assign Exchange "
        'Online Plan 1/2 or E3/E5) and EWS is closing down there; use connector = "graph". '
        "On-premises, an administrator may have turned EWS off for the mailbox "
        "(Set-CASMailbox -EwsEnabled)"
    ),
    "needs_impersonation": lambda w, p: w.gettext(
        "the server wants impersonation for this app-only token: set impersonation = true for "
        "the account (the app needs full_access_as_app)"
    ),
    "autodiscover_failed": lambda w, p: w.gettext(
        "autodiscover found no Exchange server for this account; set its endpoint"
    ),
    "credentials_refused": lambda w, p: w.gettext("the server refused the credentials"),
    "throttled": lambda w, p: w.gettext("the server kept asking to back off"),
    # TRANSLATORS: {detail} is the HTTP library's English message
    "server_unreachable": lambda w, p: w.gettext("the server cannot be reached: {detail}").format(
        detail=p["detail"]
    ),
    "connection_dropped": lambda w, p: w.ngettext(
        "the connection dropped {count} time in a row",
        "the connection dropped {count} times in a row",
        _int(p["count"]),
    ).format(count=_number(w, p["count"])),
    # TRANSLATORS: {detail} is the sign-in library's English message
    "token_refresh_failed": lambda w, p: w.gettext("token refresh failed: {detail}").format(
        detail=p["detail"]
    ),
    "no_message_root": lambda w, p: w.gettext("the mailbox has no message folder root"),
    "flags_need_2013": lambda w, p: w.gettext("follow-up flags need Exchange 2013 or later"),
    "item_changed_twice": lambda w, p: w.gettext(
        "the item changed twice while it was being written"
    ),
    "message_changed_twice": lambda w, p: w.gettext(
        "the message changed twice while it was being marked"
    ),
    "batch_throttled": lambda w, p: w.gettext(
        "the server kept asking to back off for parts of a batch"
    ),
    "link_outside": lambda w, p: w.gettext("the server's answer links outside graph_url"),
    # TRANSLATORS: {id} is the number of a request within a batch
    "batch_part_missing": lambda w, p: w.gettext(
        "the server's batch answer lacks part {id}"
    ).format(id=p["id"]),
    "delta_not_object": lambda w, p: w.gettext("the server's list of changes is not a JSON object"),
    "delta_no_link": lambda w, p: w.gettext(
        "the server's list of changes has neither a next page nor an end (nextLink, deltaLink)"
    ),
    # URLs
    "url_non_ascii": lambda w, p: w.gettext(
        "has a non-ASCII character (write a host name in its xn-- form)"
    ),
    "url_control": lambda w, p: w.gettext("has a space or control character"),
    "url_backslash": lambda w, p: w.gettext("has a backslash"),
    "url_port": lambda w, p: w.gettext("has an invalid port"),
    "url_scheme": lambda w, p: w.gettext("is not an http:// or https:// URL"),
    "url_userinfo": lambda w, p: w.gettext("must not carry a user name or password"),
    "url_percent": lambda w, p: w.gettext(
        "has a percent-encoded character or a zone id in the host"
    ),
    "url_fragment": lambda w, p: w.gettext("must not have a #fragment"),
    "url_ambiguous": lambda w, p: w.gettext("is not a URL every HTTP client reads the same way"),
    "url_read_differently": lambda w, p: w.gettext(
        "is read differently by the HTTP clients ({readings})"
    ).format(readings=p["readings"]),
    "url_plain_http": lambda w, p: w.gettext(
        "plain http:// is allowed only on loopback (127.0.0.1, localhost)"
    ),
    "host_missing": lambda w, p: w.gettext("has no host"),
    "host_not_ipv6": lambda w, p: w.gettext("{value} is not an IPv6 address").format(
        value=_quoted(p["value"])
    ),
    "host_trailing_dot": lambda w, p: w.gettext("has a trailing dot in the host"),
    "host_ipv4_form": lambda w, p: w.gettext(
        "write the IP address {value} as four decimal numbers (a.b.c.d)"
    ).format(value=_quoted(p["value"])),
    "host_name": lambda w, p: w.gettext("{value} is not a host name").format(
        value=_quoted(p["value"])
    ),
    # reading files and messages (sources, parsing)
    "no_header_fields": lambda w, p: w.gettext("no header fields"),
    "no_sender": lambda w, p: w.gettext("no sender"),
    "sender_exchange_only": lambda w, p: w.gettext(
        "the sender has only an Exchange-internal address"
    ),
    "no_date": lambda w, p: w.gettext("no Date header"),
    # TRANSLATORS: {value} is the message's Date header as written
    "unreadable_date": lambda w, p: w.gettext("unreadable Date header {value}").format(
        value=_quoted(p["value"])
    ),
    "no_sent_time": lambda w, p: w.gettext("no send or delivery time"),
    "recipients_exchange_only": lambda w, p: w.ngettext(
        "{count} recipient with only an Exchange-internal address left out",
        "{count} recipients with only an Exchange-internal address left out",
        _int(p["count"]),
    ).format(count=_number(w, p["count"])),
    "appointment_no_start": lambda w, p: w.gettext("appointment without a start time"),
    # TRANSLATORS: {detail} is the recurrence parser's English message
    "recurrence_not_read": lambda w, p: w.gettext(
        "recurrence not read, first occurrence kept: {detail}"
    ).format(detail=p["detail"]),
    "contact_empty": lambda w, p: w.gettext("contact without a name or an e-mail address"),
    # TRANSLATORS: {detail} is the operating system's English message
    "os_error": lambda w, p: w.gettext("the system reports: {detail}").format(detail=p["detail"]),
    "msg_empty": lambda w, p: w.gettext("empty file, not an Outlook .msg"),
    "msg_not_ole": lambda w, p: w.gettext("not an Outlook .msg (no OLE compound file)"),
    # TRANSLATORS: {detail} is the English message of the .msg reader (extract-msg)
    "msg_damaged": lambda w, p: w.gettext("damaged .msg: {detail}").format(detail=p["detail"]),
    "pst_no_signature": lambda w, p: w.gettext("not an Outlook data file (no !BDN signature)"),
    "pst_header_truncated": lambda w, p: w.gettext("truncated: the file header is incomplete"),
    "pst_unknown_client": lambda w, p: w.gettext("not a .pst or .ost (unknown client signature)"),
    # TRANSLATORS: {client} is PST, OST or PAB
    "pst_unknown_version": lambda w, p: w.gettext(
        "a {client} file of format version {version}, which the reader does not know"
    ).format(client=p["client"], version=p["version"]),
    # TRANSLATORS: {client} is PST or OST, {detail} the English message of the reader (libpff)
    "pst_damaged": lambda w, p: w.gettext(
        "damaged or truncated, or a {client} file written by an Outlook newer than the reader "
        "supports ({detail})"
    ).format(client=p["client"], detail=p["detail"]),
    # TRANSLATORS: {detail} is the English message of the reader (libpff)
    "pst_unreadable": lambda w, p: w.gettext("unreadable: {detail}").format(detail=p["detail"]),
    "pst_no_root": lambda w, p: w.gettext("no root folder"),
    "pst_root_damaged": lambda w, p: w.gettext("the root folder is damaged"),
    # a file or folder as a whole
    "permission_denied": lambda w, p: w.gettext("permission denied"),
    "link_loop": lambda w, p: w.gettext("symbolic link loop"),
    "no_such_file": lambda w, p: w.gettext("no such file or directory"),
    "not_regular_file": lambda w, p: w.gettext("not a regular file but {what}").format(
        what=_file_kind(w, p["what"])
    ),
    "broken_link": lambda w, p: w.gettext("broken symbolic link"),
    # TRANSLATORS: {path} is the folder the link points back to
    "link_loop_back": lambda w, p: w.gettext(
        "symbolic link loop (back to {path}); not read twice"
    ).format(path=p["path"]),
    "no_exports_in_folder": lambda w, p: w.gettext(
        "no mailbox, calendar or vCard files in this folder"
    ),
    "nothing_readable_in_folder": _nothing_readable,
    "cannot_be_read": lambda w, p: w.gettext("cannot be read: {reason}").format(
        reason=_part(w, p["reason"])
    ),
    "empty_file": lambda w, p: w.gettext("empty file"),
    "binary_file": lambda w, p: w.gettext("binary file, not mail, calendar or contacts"),
    "unknown_format": lambda w, p: w.gettext("not an mbox, .eml, .ics or .vcf file"),
    # TRANSLATORS: {setting} is the configuration key of the limit, as written
    "too_large": lambda w, p: w.gettext(
        "larger than {megabytes} MB; the limit is {setting}"
    ).format(megabytes=_number(w, p["megabytes"]), setting=p["setting"]),
    # TRANSLATORS: {setting} is the configuration key of the limit, as written
    "too_large_decompressed": lambda w, p: w.gettext(
        "larger than {megabytes} MB once decompressed; the limit is {setting}"
    ).format(megabytes=_number(w, p["megabytes"]), setting=p["setting"]),
    # TRANSLATORS: {setting} is the configuration key of the limit, as written
    "rest_too_large": lambda w, p: w.gettext(
        "larger than {megabytes} MB once decompressed; the rest is not read "
        "(the limit is {setting})"
    ).format(megabytes=_number(w, p["megabytes"]), setting=p["setting"]),
    # TRANSLATORS: {detail} is the English message of Python's gzip reader
    "broken_gzip": lambda w, p: w.gettext("broken gzip file: {detail}").format(detail=p["detail"]),
    # TRANSLATORS: {detail} is the English message of Python's gzip reader or of the system
    "ends_unreadably": lambda w, p: w.gettext("file ends unreadably: {detail}").format(
        detail=p["detail"]
    ),
    # TRANSLATORS: {reason} is why the rest of the file cannot be read
    "after_items": lambda w, p: w.ngettext(
        "after {count} item read: {reason}", "after {count} items read: {reason}", _int(p["count"])
    ).format(count=_number(w, p["count"]), reason=_part(w, p["reason"])),
    # the store
    # TRANSLATORS: {detail} is SQLite's English message
    "store_damaged": lambda w, p: w.gettext(
        "the store is damaged ({detail}); restore a copy or ingest again"
    ).format(detail=p["detail"]),
    "store_read_only": lambda w, p: w.gettext(
        "the store or its folder is read-only, and this command writes"
    ),
    # TRANSLATORS: {detail} is SQLite's or the system's English message
    "store_unusable": lambda w, p: w.gettext("the store cannot be used: {detail}").format(
        detail=p["detail"]
    ),
    # TRANSLATORS: {what} is "a folder", "a device" ...
    "store_not_regular": lambda w, p: w.gettext("not a store: it is {what}").format(
        what=_file_kind(w, p["what"])
    ),
    "store_not_sqlite": lambda w, p: w.gettext("not a store: not an SQLite database"),
    "store_of_another_program": lambda w, p: w.gettext(
        "not a store: an SQLite database of another program"
    ),
    "store_schema_newer": lambda w, p: w.gettext(
        "schema version {version} is newer than {supported}"
    ).format(version=p["version"], supported=p["supported"]),
    # calendars
    "no_calendar": lambda w, p: w.gettext("no VCALENDAR in the file"),
    "calendar_cut_off": lambda w, p: w.gettext("the calendar is cut off: END:VCALENDAR is missing"),
    "event_in_event": lambda w, p: w.gettext("holds another VEVENT (not iCalendar); skipped"),
    "nested_too_deep": lambda w, p: w.gettext(
        "components nested more than {depth} deep; skipped"
    ).format(depth=_number(w, p["depth"])),
    "event_too_large": lambda w, p: w.gettext(
        "larger than {mebibytes} MiB without attachments; skipped"
    ).format(mebibytes=_number(w, p["mebibytes"])),
    "too_many_zones": lambda w, p: w.gettext("too many time zones; the rest is ignored"),
    # TRANSLATORS: {detail} is the English message of the calendar reader (icalendar)
    "not_readable": lambda w, p: w.gettext("not readable: {detail}").format(detail=p["detail"]),
    # TRANSLATORS: {name} is an iCalendar property (DTSTART, RRULE), {detail} the reader's
    # English message
    "unreadable_property": lambda w, p: w.gettext("unreadable {name}: {detail}").format(
        name=p["name"], detail=p["detail"]
    ),
    "no_dtstart": lambda w, p: w.gettext("no DTSTART"),
    "dtstart_not_date": lambda w, p: w.gettext("DTSTART is not a date or time"),
    # TRANSLATORS: {detail} is the English message of the recurrence reader (dateutil)
    "cannot_expand": lambda w, p: w.gettext("cannot be expanded: {detail}").format(
        detail=p["detail"]
    ),
    # TRANSLATORS: files.max_occurrences is a configuration key, as written
    "recurs_too_often": lambda w, p: w.gettext(
        "recurs too often to expand: about {dates} dates up to the window's end "
        "(at most {most}; files.max_occurrences times {factor})"
    ).format(
        dates=_number(w, p["dates"]), most=_number(w, p["most"]), factor=_number(w, p["factor"])
    ),
    "recurrence_budget_used": lambda w, p: w.gettext(
        "not expanded: the file's {count} recurrence dates are used up"
    ).format(count=_number(w, p["count"])),
    # TRANSLATORS: files.max_occurrences is a configuration key, as written
    "occurrences_capped": lambda w, p: w.ngettext(
        "more than {count} occurrence in the window; the first {count} is read "
        "(files.max_occurrences)",
        "more than {count} occurrences in the window; the first {count} are read "
        "(files.max_occurrences)",
        _int(p["count"]),
    ).format(count=_number(w, p["count"])),
    # vCards
    "no_vcard": lambda w, p: w.gettext("no BEGIN:VCARD in the file"),
    "card_too_large": lambda w, p: w.gettext(
        "larger than {mebibytes} MiB without photos and keys"
    ).format(mebibytes=_number(w, p["mebibytes"])),
    # TRANSLATORS: {name} is a vCard property (NOTE, PHOTO)
    "property_too_long": lambda w, p: w.gettext(
        "{name} longer than {kibibytes} KiB; left out"
    ).format(name=p["name"], kibibytes=_number(w, p["kibibytes"])),
    # TRANSLATORS: {detail} is the English message of the vCard reader (vobject)
    "broken_vcard": lambda w, p: w.gettext("broken vCard: {detail}").format(detail=p["detail"]),
    # TRANSLATORS: {name} is BDAY or ANNIVERSARY, {value} the value as written in the card
    "not_a_day": lambda w, p: w.gettext("{name} {value} is no day").format(
        name=p["name"], value=_quoted(p["value"])
    ),
}


def render_problem(words: Wording, value: Problem) -> str:
    """The phrase for ``value`` in ``words``'s language."""
    return RENDERERS[value.code](words, value)
