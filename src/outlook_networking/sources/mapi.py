"""The MAPI properties the product reads from Outlook's own files, and how a reader offers them.

Outlook stores every item (a message, an appointment, a contact) as a bag of MAPI properties,
in a ``.pst``/``.ost`` as in a ``.msg``. The two readers (:mod:`.pst` over libpff, :mod:`.msg`
over extract-msg) each wrap their library's item as an :class:`Item`, and :mod:`.outlook` turns
any :class:`Item` into the product's records, so both file kinds are read by one mapping.

Terminology ([MS-OXPROPS], [MS-OXCMSG]):

- **property id**: the 16-bit tag number (``0x0037`` is the subject); a reader returns a
  property's value whatever its stored type (a string property may be ANSI or Unicode).
- **named property**: one identified by a property set GUID and a number (``LID``) or a name,
  mapped to a per-file id above ``0x8000``; the reader resolves :class:`Named` itself.
- **value**: ``str``, ``int`` (32-bit values unsigned), ``bool``, aware UTC ``datetime``,
  ``bytes``, or a tuple of ``str``/``bytes`` for multi-valued properties; ``None`` when absent.

Besides :class:`Item`, :class:`Named` and ``Value``, the module offers the typed accessors
(``decode`` for a single value's stored bytes) and the property ids and named properties used.

Exports: ``Value``, ``Item``, ``Named``, ``text``, ``number``, ``time``, ``binary``, ``texts``,
``binaries``, ``flag``, ``instant``, ``decode``, ``ADDRTYPE``, ``APPOINTMENT_END``,
``APPOINTMENT_RECUR``, ``APPOINTMENT_START``, ``APPOINTMENT_STATE``, ``APPOINTMENT_SUBTYPE``,
``BIRTHDAY``, ``CATEGORIES``,
``CLEAN_GLOBAL_OBJECT_ID``, ``CLIENT_SUBMIT_TIME``, ``COMPANY_NAME``, ``CONVERSATION_INDEX``,
``DISPLAY_NAME``, ``EMAIL_ADDRESS``, ``EMAIL_SLOTS``, ``END_DATE``, ``FILE_UNDER``, ``GIVEN_NAME``,
``GLOBAL_OBJECT_ID``, ``INTERNET_MESSAGE_ID``, ``INTERNET_REFERENCES``, ``IN_REPLY_TO_ID``,
``MESSAGE_CLASS``, ``MESSAGE_DELIVERY_TIME``, ``MESSAGE_FLAGS``, ``NAMED_READ``, ``NICKNAME``,
``PRIVATE``, ``PROPERTIES_READ``, ``RECEIVED_BY_EMAIL_ADDRESS``, ``RECEIVED_BY_NAME``,
``RECIPIENT_FLAGS``, ``RECIPIENT_TRACK_STATUS``, ``RECIPIENT_TYPE``, ``RECURRING``, ``SEARCH_KEY``,
``SENDER_ADDRTYPE``, ``SENDER_EMAIL_ADDRESS``, ``SENDER_NAME``, ``SENDER_SMTP_ADDRESS``,
``SENSITIVITY``, ``SENT_REPRESENTING_ADDRTYPE``, ``SENT_REPRESENTING_EMAIL_ADDRESS``,
``SENT_REPRESENTING_NAME``, ``SENT_REPRESENTING_SMTP_ADDRESS``, ``SMTP_ADDRESS``, ``START_DATE``,
``SUBJECT``, ``SURNAME``, ``TIMEZONE_STRUCT``, ``TRANSPORT_MESSAGE_HEADERS``,
``WEDDING_ANNIVERSARY``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = [
    "ADDRTYPE",
    "APPOINTMENT_END",
    "APPOINTMENT_RECUR",
    "APPOINTMENT_START",
    "APPOINTMENT_STATE",
    "APPOINTMENT_SUBTYPE",
    "BIRTHDAY",
    "CATEGORIES",
    "CLEAN_GLOBAL_OBJECT_ID",
    "CLIENT_SUBMIT_TIME",
    "COMPANY_NAME",
    "CONVERSATION_INDEX",
    "DISPLAY_NAME",
    "EMAIL_ADDRESS",
    "EMAIL_SLOTS",
    "END_DATE",
    "FILE_UNDER",
    "GIVEN_NAME",
    "GLOBAL_OBJECT_ID",
    "INTERNET_MESSAGE_ID",
    "INTERNET_REFERENCES",
    "IN_REPLY_TO_ID",
    "MESSAGE_CLASS",
    "MESSAGE_DELIVERY_TIME",
    "MESSAGE_FLAGS",
    "NAMED_READ",
    "NICKNAME",
    "PRIVATE",
    "PROPERTIES_READ",
    "RECEIVED_BY_EMAIL_ADDRESS",
    "RECEIVED_BY_NAME",
    "RECIPIENT_FLAGS",
    "RECIPIENT_TRACK_STATUS",
    "RECIPIENT_TYPE",
    "RECURRING",
    "SEARCH_KEY",
    "SENDER_ADDRTYPE",
    "SENDER_EMAIL_ADDRESS",
    "SENDER_NAME",
    "SENDER_SMTP_ADDRESS",
    "SENSITIVITY",
    "SENT_REPRESENTING_ADDRTYPE",
    "SENT_REPRESENTING_EMAIL_ADDRESS",
    "SENT_REPRESENTING_NAME",
    "SENT_REPRESENTING_SMTP_ADDRESS",
    "SMTP_ADDRESS",
    "START_DATE",
    "SUBJECT",
    "SURNAME",
    "TIMEZONE_STRUCT",
    "TRANSPORT_MESSAGE_HEADERS",
    "WEDDING_ANNIVERSARY",
    "Item",
    "Named",
    "Value",
    "binaries",
    "binary",
    "decode",
    "flag",
    "instant",
    "number",
    "text",
    "texts",
    "time",
]

Value = str | int | bool | datetime | bytes | tuple[str, ...] | tuple[bytes, ...] | None

# --- property ids ([MS-OXPROPS]) ---------------------------------------------------------------
MESSAGE_CLASS = 0x001A
SENSITIVITY = 0x0036  # 0 normal, 1 personal, 2 private, 3 confidential
SUBJECT = 0x0037
CLIENT_SUBMIT_TIME = 0x0039
RECEIVED_BY_NAME = 0x0040
SENT_REPRESENTING_NAME = 0x0042  # "From": the person the message is from
START_DATE = 0x0060
END_DATE = 0x0061
SENT_REPRESENTING_ADDRTYPE = 0x0064
SENT_REPRESENTING_EMAIL_ADDRESS = 0x0065
CONVERSATION_INDEX = 0x0071
RECEIVED_BY_EMAIL_ADDRESS = 0x0076
TRANSPORT_MESSAGE_HEADERS = 0x007D
RECIPIENT_TYPE = 0x0C15  # 1 To (required), 2 Cc (optional), 3 Bcc (resource)
SENDER_NAME = 0x0C1A  # "Sender": who pressed Send (a delegate, or the same person)
SENDER_ADDRTYPE = 0x0C1E
SENDER_EMAIL_ADDRESS = 0x0C1F
MESSAGE_DELIVERY_TIME = 0x0E06
MESSAGE_FLAGS = 0x0E07
INTERNET_MESSAGE_ID = 0x1035
INTERNET_REFERENCES = 0x1039
IN_REPLY_TO_ID = 0x1042
DISPLAY_NAME = 0x3001
ADDRTYPE = 0x3002
EMAIL_ADDRESS = 0x3003
SEARCH_KEY = 0x300B
SMTP_ADDRESS = 0x39FE  # PidTagSmtpAddress: the SMTP form of an EX recipient
GIVEN_NAME = 0x3A06
SURNAME = 0x3A11
COMPANY_NAME = 0x3A16
WEDDING_ANNIVERSARY = 0x3A41  # PidTagWeddingAnniversary ([MS-OXOCNTC] 2.2.1.5.2)
BIRTHDAY = 0x3A42  # PidTagBirthday ([MS-OXOCNTC] 2.2.1.5.1)
NICKNAME = 0x3A4F
SENDER_SMTP_ADDRESS = 0x5D01
SENT_REPRESENTING_SMTP_ADDRESS = 0x5D02
RECIPIENT_FLAGS = 0x5FFD  # 0x1 sendable, 0x2 the meeting's organizer
RECIPIENT_TRACK_STATUS = 0x5FFF  # an attendee's response


@dataclass(frozen=True, slots=True)
class Named:
    """A named property: its property set and its number (``lid``) or string name."""

    guid: str  # "{00062002-0000-0000-C000-000000000046}", upper case, with braces
    lid: int = 0
    name: str = ""


_PUBLIC_STRINGS = "{00020329-0000-0000-C000-000000000046}"
_APPOINTMENT = "{00062002-0000-0000-C000-000000000046}"
_ADDRESS = "{00062004-0000-0000-C000-000000000046}"
_COMMON = "{00062008-0000-0000-C000-000000000046}"
_MEETING = "{6ED8DA90-450B-101B-98DA-00AA003F1305}"

CATEGORIES = Named(_PUBLIC_STRINGS, name="Keywords")  # PidNameKeywords
APPOINTMENT_START = Named(_APPOINTMENT, 0x820D)  # PidLidAppointmentStartWhole, UTC
APPOINTMENT_END = Named(_APPOINTMENT, 0x820E)
APPOINTMENT_SUBTYPE = Named(_APPOINTMENT, 0x8215)  # all-day
APPOINTMENT_RECUR = Named(_APPOINTMENT, 0x8216)  # the recurrence blob, [MS-OXOCAL] 2.2.1.44
APPOINTMENT_STATE = Named(_APPOINTMENT, 0x8217)  # 0x1 meeting, 0x2 received, 0x4 cancelled
RECURRING = Named(_APPOINTMENT, 0x8223)
TIMEZONE_STRUCT = Named(_APPOINTMENT, 0x8233)  # PidLidTimeZoneStruct
PRIVATE = Named(_COMMON, 0x8506)
GLOBAL_OBJECT_ID = Named(_MEETING, 0x0003)
CLEAN_GLOBAL_OBJECT_ID = Named(_MEETING, 0x0023)
FILE_UNDER = Named(_ADDRESS, 0x8005)
# A contact's three e-mail slots: (address type, address, original display name).
EMAIL_SLOTS = tuple(
    (Named(_ADDRESS, base + 2), Named(_ADDRESS, base + 3), Named(_ADDRESS, base + 4))
    for base in (0x8080, 0x8090, 0x80A0)
)


# Everything the mapping reads, so a reader can leave the rest (bodies, attachments) unread.
PROPERTIES_READ = frozenset(
    value
    for name, value in list(globals().items())
    if name.isupper() and isinstance(value, int) and not isinstance(value, bool)
)
NAMED_READ = (
    CATEGORIES,
    APPOINTMENT_START,
    APPOINTMENT_END,
    APPOINTMENT_SUBTYPE,
    APPOINTMENT_RECUR,
    APPOINTMENT_STATE,
    RECURRING,
    TIMEZONE_STRUCT,
    PRIVATE,
    GLOBAL_OBJECT_ID,
    CLEAN_GLOBAL_OBJECT_ID,
    FILE_UNDER,
    *(prop for slot in EMAIL_SLOTS for prop in slot),
)


class Item(Protocol):
    """One Outlook item (or one row of its recipient table) as a reader offers it."""

    def get(self, prop: int) -> Value:
        """The value of a property id, or None."""
        ...

    def named(self, prop: Named) -> Value:
        """The value of a named property, or None."""
        ...

    def recipients(self) -> Sequence[Item]:
        """The recipient table's rows (empty for a row itself)."""
        ...


# --- typed accessors: a value of an unexpected type reads as absent ----------------------------


def text(value: Value) -> str:
    """A string value without the NULs some writers leave in, or ``""``."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def number(value: Value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def flag(value: Value) -> bool:
    return value is True or (isinstance(value, int) and value != 0)


def time(value: Value) -> datetime | None:
    """An aware UTC time; MAPI's "no time" (the year 4501) reads as None."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value.year >= 4500 or value.year < 1971:
        return None
    return value.astimezone(UTC)


def instant(value: Value) -> datetime | None:
    """An aware UTC time of any year (a birthday may be long before 1971); MAPI's "no time"
    (the year 4501) reads as None."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return None if value.year >= 4500 else value.astimezone(UTC)


def binary(value: Value) -> bytes:
    return value if isinstance(value, bytes) else b""


def texts(value: Value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, tuple):
        return ()
    return tuple(t for t in (text(v) for v in value if isinstance(v, str)) if t)


def binaries(value: Value) -> tuple[bytes, ...]:
    if not isinstance(value, tuple):
        return ()
    return tuple(v for v in value if isinstance(v, bytes))


_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def decode(kind: int, data: bytes, codepage: str) -> Value:
    """A single value of MAPI type ``kind`` from its stored bytes (a .pst's property, a .msg's
    stream); None for a type the mapping does not read or bytes that do not fit it."""
    try:
        if kind == 0x001F:
            return data.decode("utf-16-le", "replace")
        if kind == 0x001E:
            return data.decode(codepage, "replace")
        if kind == 0x0102:
            return data
        if kind == 0x0003 and len(data) >= 4:
            return int(struct.unpack_from("<I", data)[0])
        if kind == 0x0002 and len(data) >= 2:
            return int(struct.unpack_from("<H", data)[0])
        if kind == 0x0014 and len(data) >= 8:
            return int(struct.unpack_from("<Q", data)[0])
        if kind == 0x000B and data:
            return data[0] != 0
        if kind == 0x0040 and len(data) >= 8:
            ticks = struct.unpack_from("<Q", data)[0]
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except (OverflowError, LookupError):
        return None
    return None
