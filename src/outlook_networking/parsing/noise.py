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

Spam that no filter marked is recognised by header-only signs (:func:`spam_signs`): a shouting or
sales-word subject, a tracking tag after it, no visible recipient or a crowd of them at many
domains, high priority, HTML only, numbered senders. It is conservative (replies are exempt)
and catches part of the spam, not all.

Exports: ``Headers``, ``Noise``, ``classify``, ``header_map``, ``list_id_of``, ``spam_signs``,
``SPAM_THRESHOLD``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header

from ..model import Flag, Mailbox
from .addresses import is_automated_address, normalise, parse_mailboxes

__all__ = [
    "SPAM_THRESHOLD",
    "Headers",
    "Noise",
    "classify",
    "header_map",
    "list_id_of",
    "spam_signs",
]

# Lower-cased header name -> every value it had, in order.
Headers = Mapping[str, Sequence[str]]

# RFC 2369/2919 and list-server headers; List-Unsubscribe alone is not here, since newsletters
# carry it too.
_LIST_HEADERS = (
    "list-id",
    "list-post",
    "list-subscribe",
    "list-help",
    "list-archive",
    "list-owner",
    "list-software",
    "list-digest",
    "mailing-list",
    "x-mailing-list",
    "x-beenthere",
)
# Present on discussion lists (people post and reply), absent from newsletters.
_DISCUSSION_HEADERS = ("list-post", "mailing-list", "x-mailing-list", "x-beenthere")
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
# Newsletter and feed robots (no-reply and mailer-daemon are addresses.is_automated_address's).
_BULK_LOCAL = re.compile(
    r"^(newsletters?|news|rss(feeds?)?|feeds?|digest|marketing|promotions?|offers|deals"
    r"|specials|mailings?|campaigns?|announce(ments)?)([+\-_.].*)?$",
    re.IGNORECASE,
)

# Header-only spam signs (see spam_signs), tuned on the SpamAssassin corpus so that no ham
# message of a real person reaches the threshold.
SPAM_THRESHOLD = 3
_SPAM_WORDS = re.compile(
    r"\b(free|money|cash|mortgage|loans?|credit|debt|viagra|insurance|rates?|income|earn"
    r"|offers?|save|savings|discount|cheap|lowest|win|winner|prize|guaranteed?|opportunity"
    r"|investment|stock|grants?|sex|adult|weight|herbal|pills?|refinance|profits?|millionaire"
    r"|bonus|rich|casino|lottery|pharmacy|meds|porn|xxx|dollars|satisfaction|promotion"
    r"|unsecured|approved|quote|leads|marketing|advertise|urgent|assistance|confidential"
    r"|\$\d+)\b",
    re.IGNORECASE,
)
_SPAM_PUNCT = re.compile(r"!!|\$\$|!\s*$|\.{4,}|^\s*adv\b", re.IGNORECASE)
_SPAM_TAG = re.compile(
    r"(?:^|\s)(\[[A-Za-z0-9]{3,8}\]?|\([A-Za-z0-9]{3,8}\)|[A-Z]{3,5}|\d{3,}|\d+-\d+"
    r"|#[A-Z0-9]{3,6})\s*$"
)
_HIGH_PRIORITY = re.compile(r"\s*[12]\b")
_DIGIT_RUN = re.compile(r"\d{4,}")
_FOREIGN_CHARSET = re.compile(
    r"=\?(gb2312|gbk|big5|ks_c_5601[^?]*|euc-kr|windows-1251|koi8-r)\?", re.IGNORECASE
)


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
    # Otherwise the list is who sent it on behalf of the author.
    list_sender = _address_in(_first(headers, "sender"))
    if list_sender and list_sender != _address_in(_first(headers, "from")):
        return list_sender
    return ""


def _is_list(headers: Headers, sender: str) -> bool:
    if any(name in headers for name in _LIST_HEADERS):
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


def _is_bulk(headers: Headers, sender: str, is_list: bool) -> bool:
    precedence = _first(headers, "precedence").lower()
    if precedence == "junk":
        return True
    # List servers mark every post ``bulk``; outside a list it means a mass mailing, and so does
    # a list nobody can post to that offers unsubscribing (an announcement list: a newsletter).
    if precedence == "bulk" and (not is_list or _is_announcement(headers)):
        return True
    if not is_list and "list-unsubscribe" in headers:
        return True
    if "list-unsubscribe-post" in headers:
        return True  # RFC 8058 one-click unsubscribe: required of mass senders
    if any(name in headers for name in _BULK_HEADERS):
        return True
    mailer = _first(headers, "x-mailer")
    if mailer and _BULK_MAILER.search(mailer):
        return True
    if sender and _BULK_LOCAL.match(sender.partition("@")[0]):
        return True
    return _is_spam(headers)


def _is_announcement(headers: Headers) -> bool:
    if "list-unsubscribe" not in headers:
        return False
    return not any(name in headers for name in _DISCUSSION_HEADERS)


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


def spam_signs(
    headers: Headers, sender: str, recipients: Sequence[Mailbox], subject: str
) -> list[str]:
    """The spam signs a header block shows, each worth one point or more (named, for tests).

    Used only when no filter left a verdict. Conservative on purpose: a real person flagged as
    bulk disappears from the network, so signs are counted and only :data:`SPAM_THRESHOLD`
    points flag a message, and a reply (``In-Reply-To``/``References``) takes three away.
    """
    signs: list[str] = []
    letters = [c for c in subject if c.isalpha()]
    shouting = len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.6 * len(letters)
    if shouting:
        signs += ["shouting subject"] * 2
    if _SPAM_PUNCT.search(subject):
        signs.append("!!/$$/ADV in subject")
    words = {w.lower() for w in _SPAM_WORDS.findall(subject)}
    signs += ["sales words in subject"] * min(2, len(words))
    tag = _SPAM_TAG.search(subject)
    if tag and len(subject.split()) >= 3:
        rest = [c for c in subject[: tag.start()] if c.isalpha()]
        if not rest or sum(c.isupper() for c in rest) < 0.6 * len(rest):
            signs.append("tracking tag after subject")
    if not subject.strip():
        signs.append("no subject")
    if not recipients or any(
        "undisclosed" in m.address or "undisclosed" in m.name.lower() for m in recipients
    ):
        signs += ["no visible recipient"] * 2
    elif sender and len(recipients) == 1 and recipients[0].address == sender:
        signs += ["sent to itself"] * 2
    elif len(recipients) >= 8 and len({m.domain for m in recipients}) >= 4:
        signs += ["many recipients at many domains"] * 3  # a mass mailing, written openly
    if _HIGH_PRIORITY.match(_first(headers, "x-priority")) or (
        _first(headers, "x-msmail-priority").lower() == "high"
    ):
        signs.append("high priority")
    if _first(headers, "content-type").lower().startswith("text/html"):
        signs.append("HTML only")
    local, _, domain = sender.partition("@")
    if _DIGIT_RUN.search(local):
        signs.append("numbered sender")
    reply_to = _address_in(_first(headers, "reply-to"))
    if reply_to and domain and reply_to.rpartition("@")[2] != domain:
        signs.append("Reply-To elsewhere")
    if _FOREIGN_CHARSET.search(" ".join(headers.get("subject", ()))):
        signs.append("subject in a mass-mail charset")
    if "in-reply-to" in headers or "references" in headers:
        signs += ["-reply"] * 3
    return signs


def _spam_points(signs: Sequence[str]) -> int:
    return sum(-1 if s.startswith("-") else 1 for s in signs)


def classify(
    headers: Headers,
    sender: str = "",
    *,
    recipients: Sequence[Mailbox] | None = None,
    subject: str | None = None,
) -> Noise:
    """The flags of a message given its headers (lower-case names) and normalised sender.

    ``recipients`` (To and Cc) and ``subject`` (decoded) save parsing them again when the
    caller has them.
    """
    flags: set[Flag] = set()
    is_list = _is_list(headers, sender)
    if is_list:
        flags.add(Flag.LIST)
    if _is_bulk(headers, sender, is_list):
        flags.add(Flag.BULK)
    if _is_automated(headers, sender):
        flags.add(Flag.AUTOMATED)
    # A reply belongs to a conversation: it is never scored (which also saves the time).
    if not flags and "in-reply-to" not in headers and "references" not in headers:
        if recipients is None:
            recipients = parse_mailboxes(*headers.get("to", ()), *headers.get("cc", ()))
        if subject is None:
            subject = _decoded(_first(headers, "subject"))
        signs = spam_signs(headers, sender, recipients, subject)
        if _spam_points(signs) >= SPAM_THRESHOLD:
            flags.add(Flag.BULK)
    return Noise(frozenset(flags), list_id_of(headers) if is_list else "")


def _decoded(value: str) -> str:
    if "=?" in value:
        with contextlib.suppress(UnicodeError, LookupError, ValueError, TypeError, AssertionError):
            value = str(make_header(decode_header(value)))
    return " ".join(value.split())
