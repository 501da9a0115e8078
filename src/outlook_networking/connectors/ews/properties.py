"""The product's own extended properties on Exchange items, in the product's property set.

A follow-up task carries the follow-up's stable key (found again by a FindItem restriction on it,
so re-running never duplicates) and a record of what the product last wrote (subject, due, body):
Exchange keeps only the date of a task's due time and may rewrite a plain-text body, so the plan
compares against the record, not the item. A contact the product created carries a marker, so
``undo`` removes exactly those and nothing the user made.

A message's follow-up flag is Exchange's own ``t:Flag`` element (``FlagStatus``, ``StartDate``,
``DueDate``, ``CompleteDate``; "introduced in Exchange Server 2013", web-service-reference/flag),
which exchangelib 5.6 does not model: ``FollowUpFlagElement`` describes it and ``FLAG_FIELD``
(``item:Flag``) is added to exchangelib's Message, so GetItem can ask for it and UpdateItem set
it like any other field.

A contact's birthday and wedding anniversary are read as their MAPI properties, PidTagBirthday
and PidTagWeddingAnniversary ([MS-OXOCNTC] 2.2.1.5), by tag: exchangelib turns the ``Birthday``
and ``WeddingAnniversary`` elements into the UTC date of the stored instant, which for a
birthday entered east of Greenwich (local midnight, ``1980-03-21T23:00:00Z`` for 22 March) is
the day before; the instant itself lets :mod:`outlook_networking.parsing.dates` find the day.
A folder's PidTagAttributeHidden is read by tag too, so hidden folders are left out as Graph
leaves them out.

The morning brief as a message in the Inbox carries the follow-up key and record properties too
(found again, and told from the user's mail, by the key), and is created with PidTagMessageFlags
(0x0E07, ``MESSAGE_FLAGS_FIELD``) set to 0, neither mfUnsent nor mfRead: a message saved with
CreateItem is a draft unless that property is given at creation without mfUnsent, and after the
first save it is read-only ([MS-OXCMSG] 2.2.1.6; exchangelib#716); without mfRead it arrives
unread, as new mail does, so the user sees it in the Inbox's unread count.

exchangelib registers fields on its item classes, process-wide; ``ensure_registered`` does that
once, under a lock.

Exports: ``PRODUCT_PROPERTY_SET``, ``KEY_FIELD``, ``RECORD_FIELD``, ``OWNED_FIELD``,
``FLAG_FIELD``, ``BIRTHDAY_FIELD``, ``ANNIVERSARY_FIELD``, ``HIDDEN_FIELD``,
``MESSAGE_FLAGS_FIELD``, ``MESSAGE_FLAGS_NEW``, ``FollowUpFlagElement``,
``ensure_registered``, ``flags_supported``.
"""

from __future__ import annotations

import threading
from typing import Any

from exchangelib import ExtendedProperty
from exchangelib.fields import (
    Choice,
    ChoiceField,
    DateTimeField,
    EWSElementField,
    ExtendedPropertyField,
)
from exchangelib.folders import Folder
from exchangelib.items import Contact, Message, Task
from exchangelib.properties import EWSElement
from exchangelib.util import TNS
from exchangelib.version import EXCHANGE_2013

__all__ = [
    "ANNIVERSARY_FIELD",
    "BIRTHDAY_FIELD",
    "FLAG_FIELD",
    "HIDDEN_FIELD",
    "KEY_FIELD",
    "MESSAGE_FLAGS_FIELD",
    "MESSAGE_FLAGS_NEW",
    "OWNED_FIELD",
    "PRODUCT_PROPERTY_SET",
    "RECORD_FIELD",
    "FollowUpFlagElement",
    "ensure_registered",
    "flags_supported",
]

# The product's own MAPI property set: a fixed GUID, never reused for anything else.
PRODUCT_PROPERTY_SET = "6f3c1a52-9f0e-4c8e-9d8a-2b7d5e4a1c90"

KEY_FIELD = "outlook_networking_key"
RECORD_FIELD = "outlook_networking_record"
OWNED_FIELD = "outlook_networking_owned"
BIRTHDAY_FIELD = "outlook_networking_birthday"
HIDDEN_FIELD = "outlook_networking_hidden"
ANNIVERSARY_FIELD = "outlook_networking_anniversary"
MESSAGE_FLAGS_FIELD = "outlook_networking_message_flags"
MESSAGE_FLAGS_NEW = 0  # neither mfUnsent (0x8: a draft) nor mfRead (0x1): a new, unread message


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


class MessageFlags(ExtendedProperty):  # type: ignore[misc]
    property_tag = 0x0E07  # PidTagMessageFlags
    property_type = "Integer"


class HiddenFolder(ExtendedProperty):  # type: ignore[misc]
    # PidTagAttributeHidden ([MS-OXPROPS] 2.602): set on folders the user is not shown. EWS has
    # no element for it (Graph's mailFolder has isHidden), so it is asked for by tag.
    property_tag = 0x10F4
    property_type = "Boolean"


class _FindFolderProperty(ExtendedPropertyField):  # type: ignore[misc]
    # exchangelib marks every extended property complex and so refuses it in find_folders(),
    # but FindFolder returns extended properties: Microsoft's "Work with hidden folders by using
    # EWS in Exchange" finds hidden folders with FindFolder and PidTagAttributeHidden.
    is_complex = False


FLAG_FIELD = "flag"
FLAG_STATUSES = ("NotFlagged", "Flagged", "Complete")


class FollowUpFlagElement(EWSElement):  # type: ignore[misc]
    """``t:FlagType``: the status, and the dates that go with it."""

    ELEMENT_NAME = "Flag"
    NAMESPACE = TNS

    flag_status = ChoiceField(
        field_uri="FlagStatus", choices={Choice(c) for c in FLAG_STATUSES}, is_required=True
    )
    start_date = DateTimeField(field_uri="StartDate")
    due_date = DateTimeField(field_uri="DueDate")
    complete_date = DateTimeField(field_uri="CompleteDate")


def flags_supported(account: Any) -> bool:
    """Whether the server knows ``t:Flag`` (Exchange 2013 and later)."""
    version = account.version
    return version is None or version.build >= EXCHANGE_2013


class FlagField(EWSElementField):  # type: ignore[misc]
    """``item:Flag``: its value is the ``t:Flag`` element itself (exchangelib's
    EWSElementField would wrap it in a second ``t:Flag``, which the schema refuses)."""

    def to_xml(self, value: Any, version: Any) -> Any:
        return value.to_xml(version=version)


_lock = threading.Lock()
_registered = False


def ensure_registered() -> None:
    """Register the product's properties on exchangelib's Task, Message, Contact and Folder,
    once per process."""
    global _registered
    with _lock:
        if _registered:
            return
        Task.register(KEY_FIELD, FollowUpKey)
        Task.register(RECORD_FIELD, WrittenRecord)
        Message.register(KEY_FIELD, FollowUpKey)
        Message.register(RECORD_FIELD, WrittenRecord)
        Message.register(MESSAGE_FLAGS_FIELD, MessageFlags)
        Contact.register(OWNED_FIELD, OwnedMarker)
        Contact.register(BIRTHDAY_FIELD, BirthdayInstant)
        Contact.register(ANNIVERSARY_FIELD, AnniversaryInstant)
        HiddenFolder.validate_cls()
        Folder.add_field(
            _FindFolderProperty(HIDDEN_FIELD, value_cls=HiddenFolder),
            insert_after=Folder.INSERT_AFTER_FIELD,
        )
        # Schema order: ItemType has Flag right after ConversationId and UniqueBody.
        Message.add_field(
            FlagField(
                FLAG_FIELD,
                field_uri="item:Flag",
                value_cls=FollowUpFlagElement,
                supported_from=EXCHANGE_2013,
            ),
            insert_after="unique_body",
        )
        _registered = True
