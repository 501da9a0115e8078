"""The shape of every EWS reply the test server sends, and the errors that go into them.

``response(op)`` starts an ``m:<op>Response``; ``response_message`` adds one success, warning or
error message in the order Exchange uses (MessageText, ResponseCode, DescriptiveLinkKey);
``ItemError`` is a per-item failure with its EWS response code; ``resolve_folder`` maps a
``t:FolderId`` or ``t:DistinguishedFolderId`` to a folder or raises ``ErrorFolderNotFound`` (or
``ErrorAccessDenied`` when the caller may not open the mailbox, see ``access``).

Exports: ``ItemError``, ``response``, ``response_message``, ``resolve_folder``, ``check_access``,
``tm``, ``mm``, ``INVALID_SYNC_STATE``, ``NOT_FOUND``.
"""

from __future__ import annotations

from lxml import etree

from .access import ACCESS_DENIED
from .mailbox import Folder, Mailbox
from .schema import NS_M, NS_T
from .xmlfields import m

INVALID_SYNC_STATE = "Synchronization state data is corrupt or otherwise invalid."
NOT_FOUND = "The specified object was not found in the store."


class ItemError(Exception):
    """A per-item error: becomes one error response message with this code."""

    def __init__(self, code: str, text: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.text = text or code


def tm(name: str) -> str:
    return f"{{{NS_T}}}{name}"


def mm(name: str) -> str:
    return f"{{{NS_M}}}{name}"


def response(op: str) -> tuple[etree._Element, etree._Element]:
    root = m(f"{op}Response")
    messages = etree.SubElement(root, mm("ResponseMessages"))
    return root, messages


def response_message(
    parent: etree._Element, op: str, error: ItemError | None = None, *, warning: bool = False
) -> etree._Element:
    msg = etree.SubElement(parent, mm(f"{op}ResponseMessage"))
    if error is None:
        msg.set("ResponseClass", "Success")
        etree.SubElement(msg, mm("ResponseCode")).text = "NoError"
    else:
        msg.set("ResponseClass", "Warning" if warning else "Error")
        etree.SubElement(msg, mm("MessageText")).text = error.text
        etree.SubElement(msg, mm("ResponseCode")).text = error.code
        etree.SubElement(msg, mm("DescriptiveLinkKey")).text = "0"
    return msg


def check_access(box: Mailbox) -> None:
    """``ErrorAccessDenied`` unless the current caller may open ``box`` (see ``access``)."""
    if not box.may_open():
        raise ItemError("ErrorAccessDenied", ACCESS_DENIED)


def resolve_folder(box: Mailbox, elem: etree._Element) -> Folder:
    """A folder from ``t:FolderId`` or ``t:DistinguishedFolderId``."""
    check_access(box)
    local = etree.QName(elem).localname
    key = elem.get("Id", "")
    if local == "DistinguishedFolderId":
        mailbox = elem.findtext(f"{tm('Mailbox')}/{tm('EmailAddress')}")
        if mailbox and mailbox.lower() != box.address.lower():
            raise ItemError("ErrorNonExistentMailbox", f"No mailbox {mailbox}")
        if key not in box.distinguished:
            raise ItemError("ErrorFolderNotFound", f"No distinguished folder {key}")
        return box.folder(key)
    if key not in box.folders:
        raise ItemError("ErrorFolderNotFound", "The specified folder could not be found.")
    return box.folders[key]
