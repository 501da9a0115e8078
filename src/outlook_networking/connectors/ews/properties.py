"""The product's own extended properties on Exchange items, in the product's property set.

A follow-up task carries the follow-up's stable key (found again by a FindItem restriction on it,
so re-running never duplicates) and a record of what the product last wrote (subject, due, body):
Exchange keeps only the date of a task's due time and may rewrite a plain-text body, so the plan
compares against the record, not the item. A contact the product created carries a marker, so
``undo`` removes exactly those and nothing the user made.

exchangelib registers extended properties on its item classes, process-wide; ``ensure_registered``
does that once, under a lock.

Exports: ``PRODUCT_PROPERTY_SET``, ``KEY_FIELD``, ``RECORD_FIELD``, ``OWNED_FIELD``,
``ensure_registered``.
"""

from __future__ import annotations

import threading

from exchangelib import ExtendedProperty
from exchangelib.items import Contact, Task

__all__ = ["KEY_FIELD", "OWNED_FIELD", "PRODUCT_PROPERTY_SET", "RECORD_FIELD", "ensure_registered"]

# The product's own MAPI property set: a fixed GUID, never reused for anything else.
PRODUCT_PROPERTY_SET = "6f3c1a52-9f0e-4c8e-9d8a-2b7d5e4a1c90"

KEY_FIELD = "outlook_networking_key"
RECORD_FIELD = "outlook_networking_record"
OWNED_FIELD = "outlook_networking_owned"


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
        _registered = True
