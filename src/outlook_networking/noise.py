"""Is a message personal, or bulk, list or automated mail?

Pure functions over a message's headers, shared by the file sources (which parse the header block
themselves) and the EWS/Graph connectors (which get ``InternetMessageHeaders`` as name/value
pairs: turn them into a :data:`Headers` map with :func:`header_map`).

The three flags mean (see :class:`~outlook_networking.model.Flag`):

- ``LIST``: the message was carried by a mailing list (``List-Id``, ``List-Post``,
  ``Precedence: list``, ``Mailing-List``, list software's ``-bounces@``/``owner-`` senders).
  A list address is a list, never a person, and mail that reached the owner only through a list
  is no direct interaction. Whether the owner was *also* addressed directly is for the core to
  decide from the recipients, because only it knows the owner's addresses.
- ``BULK``: one-to-many mail that is not a discussion list: ``Precedence: bulk/junk`` outside a
  list, ``List-Unsubscribe`` without a list, newsletter and mass-mailer software, and mail a spam
  filter marked as spam (``X-Spam-Flag: YES`` and friends). Spam thereby never becomes a contact.
- ``AUTOMATED``: written by a machine: ``Auto-Submitted`` other than ``no``, auto-replies,
  ``Return-Path: <>``, no-reply/mailer-daemon senders, delivery and read reports.

Exports: ``Headers``, ``Noise``, ``classify``, ``header_map``, ``list_id_of``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .addresses import is_automated_address, normalise
from .model import Flag

__all__ = ["Headers", "Noise", "classify", "header_map", "list_id_of"]

# Lower-cased header name -> every value it had, in order.
Headers = Mapping[str, Sequence[str]]

# List software's own addresses (Mailman's -bounces/-admin/-request, Majordomo's owner-).
_LIST_ROBOT_LOCAL = re.compile(
    r"^(owner-.+|.+-(bounces|bounce|admin|owner|request)(\+.*)?)$", re.IGNORECASE
)
_ANGLE = re.compile(r"<([^<>]+)>")
_MAILTO = re.compile(r"mailto:([^?>,\s]+)", re.IGNORECASE)

# Headers only newsletter / mass-mail software writes.
_BULK_HEADERS = (
    "x-campaign",
    "x-campaignid",
    "x-campaign-id",
    "x-mailgun-tag",
    "x-mc-user",  # Mailchimp / Mandrill
    "x-sg-eid",  # SendGrid
    "x-roving-id",  # Constant Contact
    "x-stormpost-to",
    "x-listmember",
    "x-newsletter",
    "x-bulkmail",
    "x-mailer-sent-by",
    "x-rpcampaign",
    "x-sfmc-stack",  # Salesforce Marketing Cloud
    "x-ems-mailingid",
)
_BULK_MAILER = re.compile(
    r"mailchimp|mailgun|sendgrid|constant ?contact|stormpost|quicksender|group ?mail"
    r"|mass ?mail|bulk ?mail|atlas mailer|campaign|newsletter|phplist|list ?manager"
    r"|sendblaster|mailjet|sendinblue|brevo|hubspot|marketo|exacttarget|acoustic",
    re.IGNORECASE,
)
# Verdicts a spam filter left behind: SpamAssassin, Exchange (SCL >= 5), Microsoft 365, Barracuda.
_SPAM_YES = re.compile(r"^\s*(yes|true|spam)\b", re.IGNORECASE)
_MS_SPAM_VERDICT = re.compile(r"\bSFV:(SPM|SKS|BULK)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Noise:
    """The classification of one message."""

    flags: frozenset[Flag] = frozenset()
    list_id: str = ""  # the list's id (``List-Id``) or address, when a list carried it


def header_map(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Name/value pairs (as EWS and Graph return them) as a :data:`Headers` map."""
    result: dict[str, list[str]] = {}
    for name, value in pairs:
        result.setdefault(name.strip().lower(), []).append(value)
    return result


def _first(headers: Headers, name: str) -> str:
    values = headers.get(name)
    return values[0].strip() if values else ""


def _address_in(value: str) -> str:
    match = _ANGLE.search(value)
    return normalise(match.group(1) if match else value)


def list_id_of(headers: Headers) -> str:
    """The list's identity: ``List-Id``'s ``<id>``, else the posting address, else ``""``."""
    raw = _first(headers, "list-id")
    if raw:
        match = _ANGLE.search(raw)
        ident = (match.group(1) if match else raw).strip().lower()
        if ident:
            return ident
    post = _first(headers, "list-post")
    if post:
        match = _MAILTO.search(post)
        if match:
            return normalise(match.group(1)) or ""
    mailing_list = _first(headers, "mailing-list") or _first(headers, "x-mailing-list")
    if mailing_list:
        # "list foo@example.com; contact foo-owner@example.com"
        for token in re.split(r"[\s;,]+", mailing_list):
            address = _address_in(token)
            if address:
                return address
    return ""


def _is_list(headers: Headers, sender: str) -> bool:
    if "list-id" in headers or "list-post" in headers or "mailing-list" in headers:
        return True
    if "x-mailing-list" in headers or "x-beenthere" in headers:
        return True
    if _first(headers, "precedence").lower() == "list":
        return True
    for address in (sender, _address_in(_first(headers, "sender"))):
        if address and _LIST_ROBOT_LOCAL.match(address.partition("@")[0]):
            return True
    return False


def _is_spam(headers: Headers) -> bool:
    for name in ("x-spam-flag", "x-spam", "x-barracuda-spam-status"):
        if _SPAM_YES.match(_first(headers, name)):
            return True
    if _SPAM_YES.match(_first(headers, "x-spam-status")):
        return True
    scl = _first(headers, "x-ms-exchange-organization-scl")
    if scl.lstrip("-").isdigit() and int(scl) >= 5:
        return True
    for name in ("x-forefront-antispam-report", "x-microsoft-antispam"):
        if _MS_SPAM_VERDICT.search(_first(headers, name)):
            return True
    return False


def _is_bulk(headers: Headers, is_list: bool) -> bool:
    precedence = _first(headers, "precedence").lower()
    if precedence == "junk":
        return True
    # List servers mark every post ``bulk``; outside a list it means a mass mailing.
    if not is_list and (precedence == "bulk" or "list-unsubscribe" in headers):
        return True
    if any(name in headers for name in _BULK_HEADERS):
        return True
    mailer = _first(headers, "x-mailer")
    if mailer and _BULK_MAILER.search(mailer):
        return True
    return _is_spam(headers)


def _is_automated(headers: Headers, sender: str) -> bool:
    auto = _first(headers, "auto-submitted").lower()
    if auto and auto != "no":
        return True
    if _first(headers, "x-auto-response-suppress"):
        # Set by software that asks not to be answered automatically: notifications, OOF replies.
        return True
    if _first(headers, "x-autoreply") or _first(headers, "x-autorespond"):
        return True
    if _first(headers, "return-path").replace(" ", "") == "<>":
        return True
    if sender and is_automated_address(sender):
        return True
    content_type = _first(headers, "content-type").lower()
    return content_type.startswith("multipart/report")


def classify(headers: Headers, sender: str = "") -> Noise:
    """The flags of a message given its headers (lower-case names) and normalised sender."""
    flags: set[Flag] = set()
    is_list = _is_list(headers, sender)
    if is_list:
        flags.add(Flag.LIST)
    if _is_bulk(headers, is_list):
        flags.add(Flag.BULK)
    if _is_automated(headers, sender):
        flags.add(Flag.AUTOMATED)
    return Noise(frozenset(flags), list_id_of(headers) if is_list else "")
