"""Graph JSON in, the product's values out: messages, events and contacts.

Pure functions over the documented resource shapes (message, event, contact). Metadata only:
bodies are never requested. In-Reply-To and References exist only in
``internetMessageHeaders``, which Graph may omit (often on Sent Items): then the thread is found
by ``conversationId`` alone. A private item keeps participants and time, never its subject: an
event whose ``sensitivity`` is ``private``, a message whose ``Sensitivity`` header or
PidTagSensitivity (the extended property ``MESSAGE_EXPAND`` asks for) says so.

Two shapes are not whole records, and are told apart here:

- an update in a later delta round carries the message's id and "at least the properties that
  have been updated" (delta query overview; a read toggle is ``id``, ``isRead`` and
  ``parentFolderId``, microsoft-graph-docs#7776): :func:`is_partial_message`, and
  :func:`categories_change` and :func:`message_marks` for what of it the product keeps;
- an occurrence of a recurring meeting carries only ``id``, ``seriesMasterId``, ``type``,
  ``start`` and ``end`` (microsoft-graph-docs#22197, #5602): :func:`with_series` completes it
  from its series master (``SERIES_SELECT``), the occurrence's own properties winning, so an
  exception keeps what was changed on it.

Exports: ``MESSAGE_SELECT``, ``MESSAGE_EXPAND``, ``CONTACT_SELECT``, ``SERIES_SELECT``,
``RECORD_PROPERTY``, ``interaction_from_message``, ``internet_message_id``,
``interaction_from_event``, ``card_from_contact``, ``is_product_message``,
``is_partial_message``, ``categories_change``, ``message_marks``, ``parse_flag``,
``needs_series``, ``with_series``, ``parse_graph_time``, ``parse_date_time_zone``,
``zone_named``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

from ...model import Attendee, ContactCard, Interaction, Kind, Mailbox, Response
from ...parsing.addresses import decode_name, normalise
from ...parsing.dates import key_date_from_instant
from ...parsing.headers import is_private, message_ids
from ...parsing.noise import classify, header_map
from ...ports import FLAG_STATUSES, CategoriesChanged, FollowUpFlag, MessageMarks, Problem
from ...problems import problem

__all__ = [
    "CONTACT_SELECT",
    "MESSAGE_EXPAND",
    "MESSAGE_SELECT",
    "RECORD_PROPERTY",
    "SERIES_SELECT",
    "card_from_contact",
    "categories_change",
    "interaction_from_event",
    "interaction_from_message",
    "internet_message_id",
    "is_partial_message",
    "is_product_message",
    "message_marks",
    "needs_series",
    "parse_date_time_zone",
    "parse_flag",
    "parse_graph_time",
    "with_series",
    "zone_named",
]

# categories, flag and isRead are selected so that a change to them is reported at all: Graph
# leaves out of a delta round an update to a property the $select does not name
# (alcionai/corso#1866 for isRead). changeKey comes with every change, and guards the
# write-back's PATCH (If-Match) against a change made since.
MESSAGE_SELECT = (
    "subject,from,sender,toRecipients,ccRecipients,bccRecipients,sentDateTime,"
    "receivedDateTime,internetMessageId,conversationId,internetMessageHeaders,categories,"
    "flag,isRead,parentFolderId,changeKey"
)
# A message's sensitivity is not a Graph property; Exchange keeps it in PidTagSensitivity
# (0x0036: 0 normal, 1 personal, 2 private, 3 confidential; [MS-OXPROPS]), asked for as an
# extended property ("Get singleValueLegacyExtendedProperty": ``$expand`` with a ``$filter`` on
# the id). It is the only sign of a private message without Internet headers (Sent Items).
SENSITIVITY_PROPERTY = "Integer 0x0036"
# The record the product's own Inbox message carries (the morning brief, graph/inbox.py): a
# message with it is the product's, not correspondence, and is never read as an interaction.
RECORD_PROPERTY = "String {5f0c8e6a-2b7d-4c1e-9a3f-6d8b1e2c4a70} Name outlook-networking-record"
MESSAGE_EXPAND = (
    "singleValueExtendedProperties($filter="
    f"id eq '{SENSITIVITY_PROPERTY}' or id eq '{RECORD_PROPERTY}')"
)
_PRIVATE = 2
CONTACT_SELECT = "displayName,givenName,surname,emailAddresses,companyName,categories,birthday"
# What an occurrence takes from its series master.
SERIES_SELECT = "subject,organizer,attendees,categories,isCancelled,sensitivity"

_RESPONSES = {
    "none": Response.NONE,
    "notresponded": Response.NONE,
    "accepted": Response.ACCEPTED,
    "tentativelyaccepted": Response.TENTATIVE,
    "declined": Response.DECLINED,
    "organizer": Response.ORGANIZER,
}


def parse_graph_time(value: Any) -> datetime | None:
    """A Graph DateTimeOffset (``2026-11-02T09:00:00Z``, up to seven fraction digits)."""
    if not isinstance(value, str) or not value:
        return None
    return _parse(value, UTC)


def zone_named(name: str) -> tzinfo | None:
    """The zone Graph means by ``name``: IANA (``Europe/Berlin``) or Windows (``W. Europe
    Standard Time``, through CLDR's windowsZones table as tzlocal ships it); None if unknown.
    ``mailboxSettings.timeZone`` may hold either."""
    if name.upper() in ("UTC", "GMT", "COORDINATED UNIVERSAL TIME"):
        return UTC
    try:
        return ZoneInfo(win_tz.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_date_time_zone(value: Any) -> datetime | None:
    """A ``dateTimeTimeZone`` value as an aware UTC datetime (unknown zones count as UTC)."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        return None
    return _parse(value["dateTime"], zone_named(str(value.get("timeZone") or "UTC")) or UTC)


def _parse(text: str, zone: Any) -> datetime | None:
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        text = f"{head}.{digits[:6]}{tail[len(digits) :]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _mailbox(value: Any) -> Mailbox | None:
    """A Graph ``recipient`` (``{"emailAddress": {"name", "address"}}``) as a Mailbox."""
    if not isinstance(value, dict):
        return None
    inner = value.get("emailAddress")
    if not isinstance(inner, dict):
        return None
    return _cached_mailbox(str(inner.get("address") or ""), str(inner.get("name") or ""))


@lru_cache(maxsize=8192)
def _cached_mailbox(raw_address: str, raw_name: str) -> Mailbox | None:
    # A mailbox's correspondents repeat on every page: normalise each spelling once.
    address = normalise(raw_address)
    if not address:
        return None
    name = decode_name(raw_name)
    return Mailbox(address, "" if name.lower() == address else name)


def _mailboxes(values: Any) -> tuple[Mailbox, ...]:
    if not isinstance(values, list):
        return ()
    out: list[Mailbox] = []
    seen: set[str] = set()
    for value in values:
        box = _mailbox(value)
        if box is not None and box.address not in seen:
            seen.add(box.address)
            out.append(box)
    return tuple(out)


def _categories(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(str(v) for v in values if isinstance(v, str) and v)


def internet_message_id(message: dict[str, Any]) -> str:
    """A message's Internet Message-ID as every source and sink keeps it: without the angle
    brackets Graph's ``internetMessageId`` carries (EWS's and the files' readers drop them too),
    so one message read by two backends is one message."""
    ids = message_ids(str(message.get("internetMessageId") or ""))
    return ids[0] if ids else ""


def interaction_from_message(
    message: dict[str, Any], *, source: str, folder: str
) -> Interaction | Problem:
    """An e-mail interaction from a Graph ``message``, or why it cannot be one."""
    item_id = str(message.get("id") or "")
    sender = _mailbox(message.get("from")) or _mailbox(message.get("sender"))
    if sender is None:
        return Problem(item_id, problem("no_sender"))
    at = parse_graph_time(message.get("sentDateTime")) or parse_graph_time(
        message.get("receivedDateTime")
    )
    if at is None:
        return Problem(item_id, problem("no_sent_time"))
    raw_headers = message.get("internetMessageHeaders") or []
    headers = header_map(
        (str(h.get("name", "")), str(h.get("value", "")))
        for h in raw_headers
        if isinstance(h, dict)
    )
    in_reply_to = message_ids(" ".join(headers.get("in-reply-to", ())))
    to = _mailboxes(message.get("toRecipients"))
    cc = _mailboxes(message.get("ccRecipients"))
    subject = str(message.get("subject") or "")
    # Graph's headers may be partial or missing (Sent Items): recipients and subject come from
    # the message's own fields, or every header-less message would look like spam.
    noise = classify(headers, sender.address, recipients=(*to, *cc), subject=subject)
    return Interaction(
        source=source,
        item_id=item_id,
        kind=Kind.EMAIL,
        at=at,
        sender=sender,
        to=to,
        cc=cc,
        bcc=_mailboxes(message.get("bccRecipients")),
        subject="" if is_private(headers) or _private_by_property(message) else subject,
        message_id=internet_message_id(message),
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=message_ids(" ".join(headers.get("references", ()))),
        conversation_id=str(message.get("conversationId") or ""),
        flags=noise.flags,
        list_id=noise.list_id,
        folder=folder,
        delivered="received" in headers,
        categories=_categories(message.get("categories")),
    )


def _private_by_property(message: dict[str, Any]) -> bool:
    """Whether PidTagSensitivity, expanded with the message, says private. Graph names the
    property back in its own spelling ("Integer 0x36", lower case, no leading zeros: the
    example in "Get singleValueLegacyExtendedProperty"), so the tag is compared as a number."""
    for prop in message.get("singleValueExtendedProperties") or ():
        if not isinstance(prop, dict):
            continue
        kind, _, tag = str(prop.get("id") or "").partition(" ")
        try:
            if kind.lower() == "integer" and int(tag, 16) == 0x36:
                return int(str(prop.get("value"))) == _PRIVATE
        except ValueError:
            return False
    return False


def is_product_message(message: dict[str, Any]) -> bool:
    """Whether the message is the product's own (it carries the product's record property;
    Graph compares extended property ids case-insensitively, so this does too)."""
    return any(
        isinstance(prop, dict) and str(prop.get("id") or "").lower() == RECORD_PROPERTY.lower()
        for prop in message.get("singleValueExtendedProperties") or ()
    )


def is_partial_message(message: dict[str, Any]) -> bool:
    """Whether a delta entry is an update that names only what changed (see the module
    docstring): a whole message has its sender and times, if only as null."""
    return not ({"from", "sender"} & message.keys()) or not (
        {"sentDateTime", "receivedDateTime"} & message.keys()
    )


def categories_change(message: dict[str, Any]) -> CategoriesChanged | None:
    """What a partial update changes of what the product keeps: the categories, if it has them."""
    if "categories" not in message:
        return None
    return CategoriesChanged(str(message.get("id") or ""), _categories(message["categories"]))


def parse_flag(value: Any) -> FollowUpFlag | None:
    """A ``followupFlag`` (``flagStatus`` and ``dateTimeTimeZone`` dates), None if malformed."""
    if not isinstance(value, dict) or value.get("flagStatus") not in FLAG_STATUSES:
        return None
    return FollowUpFlag(
        str(value["flagStatus"]),
        start=parse_date_time_zone(value.get("startDateTime")),
        due=parse_date_time_zone(value.get("dueDateTime")),
        completed=parse_date_time_zone(value.get("completedDateTime")),
    )


def message_marks(message: dict[str, Any]) -> MessageMarks | None:
    """What a message (whole, or a partial update) shows of the write-back's marks: only what
    it carries, so a partial update keeps the rest as stored."""
    categories = _categories(message["categories"]) if "categories" in message else None
    flag = parse_flag(message.get("flag"))
    version = str(message["changeKey"]) if message.get("changeKey") else None
    if categories is None and flag is None and version is None:
        return None
    return MessageMarks(str(message.get("id") or ""), categories, flag, version)


def needs_series(event: dict[str, Any]) -> str | None:
    """The series master an event needs to be complete, if it came bare (see the module
    docstring); None for a whole event."""
    master = event.get("seriesMasterId")
    if not master or "subject" in event:
        return None
    return str(master)


def with_series(event: dict[str, Any], master: dict[str, Any]) -> dict[str, Any]:
    """An occurrence completed from its series master; what the occurrence carries wins."""
    merged = {k: master[k] for k in SERIES_SELECT.split(",") if k in master}
    merged.update(event)
    return merged


def interaction_from_event(event: dict[str, Any], *, source: str) -> Interaction | Problem | None:
    """A meeting interaction from a Graph ``event``; None for a series master (not a meeting)."""
    item_id = str(event.get("id") or "")
    if event.get("type") == "seriesMaster":
        return None
    start = parse_date_time_zone(event.get("start"))
    end = parse_date_time_zone(event.get("end"))
    if start is None:
        return Problem(item_id, problem("appointment_no_start"))
    attendees: list[Attendee] = []
    seen: set[str] = set()
    for entry in event.get("attendees") or []:
        # A room or equipment booked for the meeting is an attendee of type "resource"
        # (attendeeBase resource type): no person, never a contact.
        if entry.get("type") == "resource":
            continue
        box = _mailbox(entry)
        if box is None or box.address in seen:
            continue
        seen.add(box.address)
        status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
        response = _RESPONSES.get(str(status.get("response", "none")).lower(), Response.NONE)
        attendees.append(Attendee(box, response, optional=entry.get("type") == "optional"))
    duration = int((end - start).total_seconds()) if end is not None and end > start else 0
    return Interaction(
        source=source,
        item_id=item_id,
        kind=Kind.MEETING,
        at=start,
        sender=_mailbox(event.get("organizer")),
        subject="" if event.get("sensitivity") == "private" else str(event.get("subject") or ""),
        folder="calendar",
        attendees=tuple(attendees),
        duration_s=duration,
        cancelled=bool(event.get("isCancelled")),
        categories=_categories(event.get("categories")),
    )


def _addresses(values: Iterable[Any]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        if isinstance(value, dict):
            address = normalise(str(value.get("address") or ""))
            if address and address not in out:
                out.append(address)
    return tuple(out)


def card_from_contact(contact: dict[str, Any], *, source: str) -> ContactCard:
    """A contact card from a Graph ``contact``."""
    given = str(contact.get("givenName") or "").strip()
    surname = str(contact.get("surname") or "").strip()
    composed = f"{given} {surname}".strip()
    full_name = str(contact.get("displayName") or "").strip() or composed
    names = (composed,) if composed and composed != full_name else ()
    # birthday is a DateTimeOffset in UTC (contact resource type); its day is the nearest one.
    born = parse_graph_time(contact.get("birthday"))
    birthday = key_date_from_instant("birthday", born) if born is not None else None
    return ContactCard(
        source=source,
        item_id=str(contact.get("id") or ""),
        full_name=full_name,
        addresses=_addresses(contact.get("emailAddresses") or []),
        organisation=str(contact.get("companyName") or ""),
        categories=_categories(contact.get("categories")),
        names=names,
        key_dates=(birthday,) if birthday is not None else (),
    )
