"""exchangelib items as the product's values: messages and meetings as ``Interaction``, contacts
as ``ContactCard``, the product's tasks as ``TaskState``.

Addresses are normalised on the way in; Message-IDs lose their angle brackets (as the file source
stores them); meetings carry organizer and attendees with their responses; contacts their
birthday and anniversary (read by MAPI tag, see :mod:`.properties`); a message's noise flags
come from its Internet headers when the server returned them. An item marked private
(``Sensitivity`` = ``Private``) keeps its participants and time but never its subject: it is
replaced by "" here, before anything else sees it.

Exports: ``MESSAGE_FIELDS``, ``MEETING_FIELDS``, ``CONTACT_FIELDS``, ``interaction_from_message``,
``interaction_from_meeting``, ``card_from_contact``, ``message_state``, ``message_marks``,
``task_state``, ``task_record``, ``inbox_message_state``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ...model import Attendee, ContactCard, Interaction, KeyDate, Kind, Mailbox, Response
from ...parsing.addresses import decode_name, normalise
from ...parsing.dates import key_date_from_instant
from ...parsing.headers import message_ids
from ...parsing.noise import classify, header_map
from ...ports import (
    NOT_FLAGGED,
    FollowUpFlag,
    InboxMessageState,
    MessageMarks,
    MessageState,
    TaskState,
)
from .properties import ANNIVERSARY_FIELD, BIRTHDAY_FIELD, FLAG_FIELD, KEY_FIELD, RECORD_FIELD

__all__ = [
    "CONTACT_FIELDS",
    "MEETING_FIELDS",
    "MESSAGE_FIELDS",
    "card_from_contact",
    "inbox_message_state",
    "interaction_from_meeting",
    "interaction_from_message",
    "message_marks",
    "message_state",
    "task_record",
    "task_state",
]

# What GetItem asks for. Sync itself asks only for ids and the received time (for --since):
# recipient lists and threading headers are "complex" fields that only GetItem returns reliably.
# exchangelib reads a response byte by byte (~3 µs a byte), so every field asked costs: Sender
# (the delegate who sent "on behalf of" From) is left out, From is the person.
MESSAGE_FIELDS = (
    "subject",
    "author",
    "to_recipients",
    "cc_recipients",
    "bcc_recipients",
    "datetime_sent",
    "datetime_received",
    "message_id",
    "in_reply_to",
    "references",
    "conversation_id",
    "categories",
    "headers",
    "sensitivity",
)
MEETING_FIELDS = (
    "subject",
    "start",
    "end",
    "organizer",
    "required_attendees",
    "optional_attendees",
    "is_cancelled",
    "categories",
    "uid",
    "type",
    "sensitivity",
)
CONTACT_FIELDS = (
    "display_name",
    "given_name",
    "surname",
    "nickname",
    "company_name",
    "email_addresses",
    "categories",
    BIRTHDAY_FIELD,
    ANNIVERSARY_FIELD,
)

_RESPONSES = {
    "Accept": Response.ACCEPTED,
    "Tentative": Response.TENTATIVE,
    "Decline": Response.DECLINED,
    "Organizer": Response.ORGANIZER,
}


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=UTC)
        # exchangelib's EWSDateTime refuses stdlib tzinfo; go through the timestamp.
        return datetime.fromtimestamp(value.timestamp(), tz=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _mailbox(box: Any) -> Mailbox | None:
    if box is None:
        return None
    address = normalise(getattr(box, "email_address", None) or "")
    if not address:
        return None
    return Mailbox(address, decode_name(getattr(box, "name", None) or ""))


def _mailboxes(boxes: Any) -> tuple[Mailbox, ...]:
    found = (_mailbox(b) for b in boxes or ())
    return tuple(m for m in found if m is not None)


def _subject(item: Any) -> str:
    """The item's subject, or "" for a private one (EWS ``SensitivityChoicesType``)."""
    if getattr(item, "sensitivity", None) == "Private":
        return ""
    return str(item.subject or "")


def _first_id(value: str | None) -> str:
    ids = message_ids(value or "")
    return ids[0] if ids else ""


def interaction_from_message(item: Any, *, source: str, folder: str) -> Interaction | None:
    """The interaction for an exchangelib Message; None when it has no usable date."""
    at = _utc(item.datetime_sent) or _utc(item.datetime_received)
    if at is None:
        return None
    sender = _mailbox(item.author) or _mailbox(item.sender)
    to = _mailboxes(item.to_recipients)
    cc = _mailboxes(item.cc_recipients)
    subject = _subject(item)
    pairs = [(h.name, h.value or "") for h in item.headers or () if h.name]
    headers = header_map(pairs)
    noise = classify(headers, sender.address if sender else "", recipients=to + cc, subject=subject)
    conversation = item.conversation_id
    return Interaction(
        source=source,
        item_id=item.id,
        kind=Kind.EMAIL,
        at=at,
        sender=sender,
        to=to,
        cc=cc,
        bcc=_mailboxes(item.bcc_recipients),
        subject=subject,
        message_id=_first_id(item.message_id),
        in_reply_to=_first_id(item.in_reply_to),
        references=message_ids(item.references or ""),
        conversation_id=getattr(conversation, "id", None) or "",
        flags=noise.flags,
        list_id=noise.list_id,
        folder=folder,
        delivered="received" in headers,
        categories=tuple(item.categories or ()),
    )


_STATUSES = {"NotFlagged": "notFlagged", "Flagged": "flagged", "Complete": "complete"}


def _flag(element: Any) -> FollowUpFlag:
    """A ``t:Flag`` as the product's value (no element: not flagged)."""
    status = _STATUSES.get(getattr(element, "flag_status", None) or "", "notFlagged")
    if element is None or status == "notFlagged":
        return NOT_FLAGGED
    return FollowUpFlag(
        status,
        start=_utc(element.start_date),
        due=_utc(element.due_date),
        completed=_utc(element.complete_date),
    )


def message_state(item: Any) -> MessageState:
    """A message's ids, categories, flag and change key, as the write-back sees them."""
    return MessageState(
        item_id=item.id,
        message_id=_first_id(item.message_id),
        categories=tuple(item.categories or ()),
        flag=_flag(getattr(item, FLAG_FIELD, None)),
        version=item.changekey or "",
    )


def message_marks(item: Any) -> MessageMarks:
    """What a message read in full shows of the write-back's marks."""
    state = message_state(item)
    return MessageMarks(state.item_id, state.categories, state.flag, state.version)


def interaction_from_meeting(item: Any, *, source: str) -> Interaction | None:
    """The interaction for one calendar item (a single meeting or one occurrence)."""
    start, end = _utc(item.start), _utc(item.end)
    if start is None:
        return None
    attendees = [
        Attendee(m, _RESPONSES.get(a.response_type or "", Response.NONE), optional)
        for optional, group in ((False, item.required_attendees), (True, item.optional_attendees))
        for a in group or ()
        if (m := _mailbox(a.mailbox)) is not None
    ]
    duration = int((end - start).total_seconds()) if end is not None else 0
    return Interaction(
        source=source,
        item_id=item.id,
        kind=Kind.MEETING,
        at=start,
        sender=_mailbox(item.organizer),
        subject=_subject(item),
        folder="calendar",
        attendees=tuple(attendees),
        duration_s=max(duration, 0),
        cancelled=bool(item.is_cancelled),
        categories=tuple(item.categories or ()),
    )


def card_from_contact(item: Any, *, source: str) -> ContactCard:
    """The contact card for an exchangelib Contact."""
    addresses = tuple(
        dict.fromkeys(
            a for a in (normalise(e.email or "") for e in item.email_addresses or ()) if a
        )
    )
    given = " ".join(p for p in (item.given_name, item.surname) if p)
    full = item.display_name or given
    names = tuple(n for n in dict.fromkeys((given, item.nickname or "")) if n and n != full)
    return ContactCard(
        source=source,
        item_id=item.id,
        full_name=full or "",
        addresses=addresses,
        organisation=item.company_name or "",
        categories=tuple(item.categories or ()),
        names=names,
        key_dates=_key_dates(item),
    )


def _key_dates(item: Any) -> tuple[KeyDate, ...]:
    """The contact's birthday and anniversary, from the instants Exchange stored."""
    found = (
        key_date_from_instant(kind, at)
        for kind, name in (("birthday", BIRTHDAY_FIELD), ("anniversary", ANNIVERSARY_FIELD))
        if (at := _utc(getattr(item, name, None))) is not None
    )
    return tuple(k for k in found if k is not None)


def task_record(subject: str, due: datetime | None, body: str) -> str:
    """What the product wrote into a task, as stored in its record property."""
    return json.dumps(
        {"subject": subject, "due": due.isoformat() if due else None, "body": body}, sort_keys=True
    )


def _record(item: Any) -> dict[str, Any]:
    try:
        record = json.loads(getattr(item, RECORD_FIELD, None) or "{}")
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def inbox_message_state(item: Any) -> InboxMessageState:
    """A product message in the Inbox as the planner sees it: what we wrote."""
    record = _record(item)
    return InboxMessageState(
        item_id=item.id,
        key=getattr(item, KEY_FIELD, None) or "",
        subject=record.get("subject", item.subject or ""),
        body=record.get("body", ""),
    )


def task_state(item: Any) -> TaskState:
    """A product task as the planner sees it: what we wrote, and whether it is done."""
    record = _record(item)
    due_text = record.get("due")
    due = datetime.fromisoformat(due_text) if due_text else _utc(item.due_date)
    return TaskState(
        item_id=item.id,
        key=getattr(item, KEY_FIELD, None) or "",
        subject=record.get("subject", item.subject or ""),
        due=due,
        body=record.get("body", item.text_body or ""),
        complete=item.status == "Completed" or bool(item.is_complete),
    )
