"""The product's own messages in the owner's Inbox over Graph (the morning brief as a message).

- **made** with ``POST /mailFolders/inbox/messages`` ("Create message in a mailfolder"): saved in
  the Inbox, never sent, no recipients. Such a message is a draft unless PidTagMessageFlags
  (``Integer 0x0E07``) is given at creation; after that it is read-only ([MS-OXCMSG] 2.2.1.6,
  microsoft-graph-docs-contrib#8631), so it goes with the POST, as 0: neither mfUnsent (a
  draft) nor mfRead, so it arrives unread, as new mail does.
- **marked** with the product's marker property (the one its contacts carry) and a record of
  what it wrote (key, subject, body) in a second property of the product's set: the server may
  rewrite a body, and the planner compares against the record.
- **found** with ``$filter=singleValueExtendedProperties/Any(ep: ep/id eq ... and ep/value eq
  ...)`` on the marker, in the Inbox only (a message the user moved elsewhere is theirs), the
  record ``$expand``-ed.
- **changed** by replacing: "Update message" lets ``subject`` and ``body`` change only while
  ``isDraft`` is true (message-update), so a new message is made and the old one deleted.
- **deleted** only when it carries the marker.

A create whose answer was lost (dropped connection) is looked up by its key before it is sent
again.

Exports: ``InboxMessages``, ``RECORD_PROPERTY``, ``MESSAGE_FLAGS_PROPERTY``.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import ConnectionFailed
from ...ports import InboxMessageState
from .client import GraphClient
from .mapping import RECORD_PROPERTY

__all__ = ["MESSAGE_FLAGS_PROPERTY", "RECORD_PROPERTY", "InboxMessages"]

MESSAGE_FLAGS_PROPERTY = "Integer 0x0E07"  # PidTagMessageFlags
MESSAGE_FLAGS_NEW = 0  # neither mfUnsent (0x8: a draft) nor mfRead (0x1): a new, unread message


def _record(key: str, subject: str, body: str) -> str:
    return json.dumps({"key": key, "subject": subject, "body": body}, sort_keys=True)


def _property(message: dict[str, Any], pid: str) -> str | None:
    # Graph compares extended property ids case-insensitively.
    for entry in message.get("singleValueExtendedProperties") or []:
        if isinstance(entry, dict) and str(entry.get("id", "")).lower() == pid.lower():
            return str(entry.get("value"))
    return None


class InboxMessages:
    """The product's messages in one mailbox's Inbox; ``marker`` is the product's ownership
    property and its value."""

    def __init__(self, client: GraphClient, prefix: str, marker: tuple[str, str]) -> None:
        self._client = client
        self._prefix = prefix
        self._marker = marker

    def read(self) -> list[InboxMessageState]:
        pid, value = self._marker
        params = {
            "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{pid}' "
            f"and ep/value eq '{value}')",
            "$select": "subject",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{RECORD_PROPERTY}')",
        }
        found = []
        for page in self._client.pages(f"{self._prefix}/mailFolders/inbox/messages", params=params):
            for message in page.get("value", []):
                if not isinstance(message, dict) or not message.get("id"):
                    continue
                try:
                    record = json.loads(_property(message, RECORD_PROPERTY) or "{}")
                except ValueError:
                    record = {}
                if not isinstance(record, dict) or not record.get("key"):
                    continue  # marked, but not a message this writer made
                found.append(
                    InboxMessageState(
                        item_id=str(message["id"]),
                        key=str(record["key"]),
                        subject=str(record.get("subject", message.get("subject") or "")),
                        body=str(record.get("body", "")),
                    )
                )
        return found

    def put(self, key: str, subject: str, body: str, old: str = "") -> str:
        """A message under ``key`` (a replacement of ``old``, which is deleted after); one as
        wanted already there (a retry) is kept."""
        new_id = self._find(key, subject, body, old)
        if new_id is None:
            new_id = self._create(key, subject, body, old)
        if old:
            self.delete(old)
        return new_id

    def _find(self, key: str, subject: str, body: str, old: str) -> str | None:
        for message in self.read():
            wanted = (message.subject, message.body) == (subject, body)
            if message.key == key and (not old or (message.item_id != old and wanted)):
                return message.item_id
        return None

    def _create(self, key: str, subject: str, body: str, old: str) -> str:
        pid, value = self._marker
        document = {
            "subject": subject,
            "body": {"contentType": "text", "content": body},
            "singleValueExtendedProperties": [
                {"id": pid, "value": value},
                {"id": RECORD_PROPERTY, "value": _record(key, subject, body)},
                {"id": MESSAGE_FLAGS_PROPERTY, "value": str(MESSAGE_FLAGS_NEW)},
            ],
        }
        url = f"{self._prefix}/mailFolders/inbox/messages"
        try:
            resp = self._client.request("POST", url, json=document)
        except ConnectionFailed:
            # The answer may be lost although the message was made: look before making it again.
            found = self._find(key, subject, body, old)
            if found is not None:
                return found
            resp = self._client.request("POST", url, json=document)
        return str(resp.body["id"])

    def delete(self, item_id: str) -> None:
        """Delete the message if it is the product's (the user's mail is not ours to delete)."""
        url = f"{self._prefix}/messages/{item_id}"
        pid, value = self._marker
        resp = self._client.get(
            url,
            params={
                "$select": "id",
                "$expand": f"singleValueExtendedProperties($filter=id eq '{pid}')",
            },
            ok=(404,),
        )
        if resp.status == 404 or not isinstance(resp.body, dict):
            return
        if _property(resp.body, pid) == value:
            self._client.request("DELETE", url, ok=(404,))
