"""The product's own extended properties on Exchange items, in the product's property set.

A follow-up task carries the follow-up's stable key (found again by a FindItem restriction on it,
so re-running never duplicates) and a record of what the product last wrote (subject, due, body):
Exchange keeps only the date of a task's due time and may rewrite a plain-text body, so the plan
compares against the record, not the item. A contact the product created carries a marker, so
``undo`` removes exactly those and nothing the user made.

A contact's birthday and wedding anniversary are read as their MAPI properties, PidTagBirthday
and PidTagWeddingAnniversary ([MS-OXOCNTC] 2.2.1.5), by tag: exchangelib turns the ``Birthday``
and ``WeddingAnniversary`` elements into the UTC date of the stored instant, which for a
birthday entered east of Greenwich (local midnight, ``1980-03-21T23:00:00Z`` for 22 March) is
the day before; the instant itself lets :mod:`outlook_networking.parsing.dates` find the day.

exchangelib registers extended properties on its item classes, process-wide; ``ensure_registered``
does that once, under a lock.

Exports: ``PRODUCT_PROPERTY_SET``, ``KEY_FIELD``, ``RECORD_FIELD``, ``OWNED_FIELD``,
``BIRTHDAY_FIELD``, ``ANNIVERSARY_FIELD``, ``ensure_registered``.
"""

from __future__ import annotations

import threading

from exchangelib import ExtendedProperty
from exchangelib.items import Contact, Task

__all__ = [
    "ANNIVERSARY_FIELD",
    "BIRTHDAY_FIELD",
    "KEY_FIELD",
    "OWNED_FIELD",
    "PRODUCT_PROPERTY_SET",
    "RECORD_FIELD",
    "ensure_registered",
]

# The product's own MAPI property set: a fixed GUID, never reused for anything else.
PRODUCT_PROPERTY_SET = "6f3c1a52-9f0e-4c8e-9d8a-2b7d5e4a1c90"

KEY_FIELD = "outlook_networking_key"
RECORD_FIELD = "outlook_networking_record"
OWNED_FIELD = "outlook_networking_owned"
BIRTHDAY_FIELD = "outlook_networking_birthday"
ANNIVERSARY_FIELD = "outlook_networking_anniversary"


class FollowUpKey(ExtendedProperty):  # type: ignore[misc]
    property_set_id = PRODUCT_PROPERTY_SET
    property_name = "FollowUpKey"
    property_type = "String"


class WrittenRecord(ExtendedProperty):  # type: ignore[misc]
    property_set_id = PRODUCT_PROPERTY_SET
    property_name = "WrittenRecord"
    property_type = "String"


class OwnedMarker(ExtendedProperty):  # type: ignore[misc]
    property_set_id = PRODUCT_PROPERTY_SET
    property_name = "CreatedBy"
    property_type = "String"


class BirthdayInstant(ExtendedProperty):  # type: ignore[misc]
    property_tag = 0x3A42  # PidTagBirthday
    property_type = "SystemTime"


class AnniversaryInstant(ExtendedProperty):  # type: ignore[misc]
    property_tag = 0x3A41  # PidTagWeddingAnniversary
    property_type = "SystemTime"


_lock = threading.Lock()
_registered = False


def ensure_registered() -> None:
    """Register the product's properties on exchangelib's Task and Contact, once per process."""
    global _registered
    with _lock:
        if _registered:
            return
        Task.register(KEY_FIELD, FollowUpKey)
        Task.register(RECORD_FIELD, WrittenRecord)
        Contact.register(OWNED_FIELD, OwnedMarker)
        Contact.register(BIRTHDAY_FIELD, BirthdayInstant)
        Contact.register(ANNIVERSARY_FIELD, AnniversaryInstant)
        _registered = True
