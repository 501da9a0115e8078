"""Graph v1.0 resource shapes: building stored items and rendering them as JSON.

Shapes follow Microsoft's documented resources (message, event, contact, outlookCategory,
todoTaskList, todoTask, linkedResource). Stored items keep private fields under keys starting
with ``_`` (e.g. an event's UTC start) that are never rendered.

Exports: ``new_message``, ``new_event``, ``new_contact``, ``render``, ``parse_select``,
``SelectError``, ``MESSAGE_PROPS``, ``EVENT_PROPS``, ``CONTACT_PROPS``, ``CATEGORY_COLORS``,
``TASK_STATUSES``, ``email_address``, ``graph_datetime``, ``parse_graph_datetime``,
``zone_named``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

from .mailbox import IdRegistry, Item, iso

MESSAGE_PROPS = (
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories",
    "receivedDateTime", "sentDateTime", "hasAttachments", "internetMessageId", "subject",
    "bodyPreview", "importance", "parentFolderId", "conversationId", "conversationIndex",
    "isDeliveryReceiptRequested", "isReadReceiptRequested", "isRead", "isDraft", "webLink",
    "inferenceClassification", "body", "sender", "from", "toRecipients", "ccRecipients",
    "bccRecipients", "replyTo", "flag", "internetMessageHeaders", "uniqueBody",
)  # fmt: skip
# Graph leaves these out unless $select names them.
MESSAGE_ON_REQUEST = frozenset({"internetMessageHeaders", "uniqueBody"})

EVENT_PROPS = (
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "iCalUId",
    "subject", "bodyPreview", "importance", "sensitivity", "isAllDay", "isCancelled",
    "isOrganizer", "responseRequested", "seriesMasterId", "showAs", "type", "webLink",
    "responseStatus", "start", "end", "location", "attendees", "organizer",
    "originalStartTimeZone", "originalEndTimeZone",
)  # fmt: skip

CONTACT_PROPS = (
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories",
    "parentFolderId", "displayName", "givenName", "surname", "middleName", "nickName",
    "title", "companyName", "department", "jobTitle", "emailAddresses", "businessPhones",
    "homePhones", "mobilePhone", "personalNotes", "birthday", "imAddresses",
)  # fmt: skip

CATEGORY_COLORS = frozenset({"none", *(f"preset{i}" for i in range(25))})
TASK_STATUSES = frozenset({"notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"})
IMPORTANCE = frozenset({"low", "normal", "high"})


class SelectError(ValueError):
    """A ``$select`` names a property the resource does not have (Graph answers 400)."""

    def __init__(self, prop: str, type_name: str) -> None:
        super().__init__(f"Could not find a property named '{prop}' on type '{type_name}'.")
        self.prop = prop


def parse_select(raw: str | None, props: Sequence[str], type_name: str) -> list[str] | None:
    """Canonical property names of a ``$select`` (Graph matches them case-insensitively)."""
    if not raw:
        return None
    canonical = {p.lower(): p for p in props}
    out: list[str] = []
    for part in raw.split(","):
        name = part.strip()
        if not name:
            continue
        prop = canonical.get(name.lower())
        if prop is None:
            raise SelectError(name, type_name)
        if prop not in out:
            out.append(prop)
    return out


def email_address(address: str, name: str | None = None) -> dict[str, Any]:
    return {"emailAddress": {"name": name if name is not None else address, "address": address}}


def _recipients(values: Iterable[str | tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for value in values:
        if isinstance(value, tuple):
            out.append(email_address(value[0], value[1]))
        else:
            out.append(email_address(value))
    return out


def graph_datetime(moment: datetime, tz_name: str) -> dict[str, str]:
    """A dateTimeTimeZone value as Graph renders it for the given zone."""
    local = moment.astimezone(zone_named(tz_name))
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": tz_name}


def zone_named(name: str) -> tzinfo:
    """A zone Graph accepts by name: IANA (``Europe/Berlin``) or Windows (``W. Europe Standard
    Time``, mapped by CLDR's windowsZones table); ValueError for anything else."""
    if name.upper() in ("UTC", "GMT"):
        return UTC
    try:
        return ZoneInfo(win_tz.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(name) from None


def parse_graph_datetime(value: str) -> datetime:
    """An ISO date-time from a query or a body; naive values are UTC, like Graph's."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python's parser accepts at most six fractional digits; Graph writes seven.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        rest = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{rest}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def new_message(
    *,
    item_id: str,
    folder_id: str,
    subject: str,
    sender: str | tuple[str, str],
    to: Iterable[str | tuple[str, str]],
    cc: Iterable[str | tuple[str, str]],
    bcc: Iterable[str | tuple[str, str]],
    sent: datetime,
    received: datetime,
    internet_message_id: str,
    conversation_id: str,
    headers: list[dict[str, str]] | None,
    categories: Iterable[str],
    is_read: bool,
    created: datetime,
) -> Item:
    sender_value = _recipients([sender])[0]
    item: Item = {
        "id": item_id,
        "createdDateTime": iso(created),
        "lastModifiedDateTime": iso(created),
        "categories": list(categories),
        "receivedDateTime": iso(received),
        "sentDateTime": iso(sent),
        "hasAttachments": False,
        "internetMessageId": internet_message_id,
        "subject": subject,
        "bodyPreview": "",
        "importance": "normal",
        "parentFolderId": folder_id,
        "conversationId": conversation_id,
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": is_read,
        "isDraft": False,
        "webLink": f"https://outlook.office365.com/owa/?ItemID={item_id}",
        "inferenceClassification": "focused",
        "body": {"contentType": "text", "content": ""},
        "sender": sender_value,
        "from": sender_value,
        "toRecipients": _recipients(to),
        "ccRecipients": _recipients(cc),
        "bccRecipients": _recipients(bcc),
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"},
    }
    if headers is not None:
        item["internetMessageHeaders"] = headers
    return item


def new_event(
    *,
    item_id: str,
    subject: str,
    start: datetime,
    end: datetime,
    organizer: str | tuple[str, str],
    attendees: Iterable[tuple[str, str] | tuple[str, str, str]],
    is_cancelled: bool,
    event_type: str,
    series_master_id: str | None,
    ical_uid: str,
    is_organizer: bool,
    categories: Iterable[str],
    is_all_day: bool,
    created: datetime,
) -> Item:
    attendee_list = []
    for entry in attendees:
        address, response = entry[0], entry[1]
        kind = entry[2] if len(entry) > 2 else "required"
        attendee_list.append(
            {
                "type": kind,
                "status": {"response": response, "time": "0001-01-01T00:00:00Z"},
                **email_address(address),
            }
        )
    return {
        "id": item_id,
        "createdDateTime": iso(created),
        "lastModifiedDateTime": iso(created),
        "categories": list(categories),
        "iCalUId": ical_uid,
        "subject": subject,
        "bodyPreview": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": is_all_day,
        "isCancelled": is_cancelled,
        "isOrganizer": is_organizer,
        "responseRequested": True,
        "seriesMasterId": series_master_id,
        "showAs": "busy",
        "type": event_type,
        "webLink": f"https://outlook.office365.com/owa/?itemid={item_id}&path=/calendar/item",
        "responseStatus": {
            "response": "organizer" if is_organizer else "accepted",
            "time": "0001-01-01T00:00:00Z",
        },
        "location": {"displayName": "", "locationType": "default"},
        "attendees": attendee_list,
        "organizer": _recipients([organizer])[0],
        "originalStartTimeZone": "UTC",
        "originalEndTimeZone": "UTC",
        "_start": start.astimezone(UTC),
        "_end": end.astimezone(UTC),
    }


def new_contact(
    *,
    item_id: str,
    folder_id: str,
    display_name: str,
    emails: Iterable[str | tuple[str, str]],
    given_name: str | None,
    surname: str | None,
    company: str | None,
    job_title: str | None,
    categories: Iterable[str],
    created: datetime,
    birthday: datetime | None = None,
) -> Item:
    email_list = []
    for value in emails:
        if isinstance(value, tuple):
            email_list.append({"name": value[1], "address": value[0]})
        else:
            email_list.append({"name": value, "address": value})
    return {
        "id": item_id,
        "createdDateTime": iso(created),
        "lastModifiedDateTime": iso(created),
        "categories": list(categories),
        "parentFolderId": folder_id,
        "displayName": display_name,
        "givenName": given_name,
        "surname": surname,
        "middleName": None,
        "nickName": None,
        "title": None,
        "companyName": company,
        "department": None,
        "jobTitle": job_title,
        "emailAddresses": email_list,
        "businessPhones": [],
        "homePhones": [],
        "mobilePhone": None,
        "personalNotes": "",
        # "The contact's birthday ... always in UTC time" (contact resource type): the instant
        # Outlook stored, which is local midnight (or 11:59) of the day, not the UTC date.
        "birthday": iso(birthday) if birthday is not None else None,
        "imAddresses": [],
    }


def render(
    item: Item,
    select: list[str] | None,
    *,
    odata_type: str,
    hidden: frozenset[str] = frozenset(),
    time_zone: str = "UTC",
    rest_ids: IdRegistry | None = None,
) -> dict[str, Any]:
    """The JSON object Graph returns for a stored item, honouring ``$select``.

    Items are stored under their immutable ids; ``rest_ids`` (for a request without
    ``Prefer: IdType="ImmutableId"``) shows the regular REST ids instead.
    """
    out: dict[str, Any] = {"@odata.type": odata_type}
    etag = item.get("changeKey") or item.get("_etag")
    if etag:
        out["@odata.etag"] = f'W/"{etag}"'
    if select is None:
        keys: Iterable[str] = [k for k in item if k[0] != "_" and k not in hidden]
        if "_start" in item:
            keys = [*keys, "start", "end"]
    else:
        keys = ["id", *[k for k in select if k != "id"]]
    for key in keys:
        if key in ("start", "end") and "_start" in item:
            out[key] = graph_datetime(item["_" + key], time_zone)
        elif key in item:
            value = item[key]
            # Copy lists and dicts one level so a caller mutating the page cannot mutate us.
            if isinstance(value, list):
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            elif isinstance(value, dict):
                value = dict(value)
            out[key] = value
    if rest_ids is not None:
        for key in ("id", "seriesMasterId"):
            if out.get(key):
                out[key] = rest_ids.rest_id(out[key])
    return out
