"""The mailboxes the undo state machine runs against, each seen and edited as its user would.

A world gives the machine a sink (a new one on demand, as a restarted process makes), lets the
user edit the mailbox through the backend's own means (the in-memory mailbox's fields, the EWS
test server's stored items, the Graph test server's contacts and its To Do API over HTTP), and
reads back what the user sees without going through the product's sink, so a wrong
``read_state`` cannot hide a wrong write.

Exports: ``World``, ``MemoryWorld``, ``EwsWorld``, ``GraphWorld``.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import httpx
from exchangelib import close_connections

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.ews import EwsSink, open_account
from outlook_networking.connectors.graph import GraphClient, GraphSink, RetryPolicy
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink
from outlook_networking.model import ContactCard, Interaction, Kind
from outlook_networking.model import Mailbox as ModelMailbox
from outlook_networking.ports import MasterCategory, Sink
from servers.ews import SERVER_BUILD, EWSServer
from servers.graph import GraphServer

Seen = tuple[str, tuple[str, ...]]  # a contact as the user sees it: name, categories
TaskSeen = tuple[str, bool]  # a task: subject, completed


class MessageSeen(NamedTuple):
    """A message in the Inbox as the user sees it."""

    subject: str
    body: str
    draft: bool
    recipients: int  # To, Cc and Bcc
    read: bool


class World(Protocol):
    """One backend's mailbox, as the state machine drives and inspects it."""

    user_tasks: bool  # whether the backend keeps tasks the user made (the memory fake does not)

    def sink(self) -> Sink: ...
    def add_contact(self, name: str, address: str, categories: tuple[str, ...]) -> str: ...
    def set_categories(self, item_id: str, categories: tuple[str, ...]) -> None: ...
    def rename_contact(self, item_id: str, name: str) -> None: ...
    def add_task(self, subject: str) -> str: ...
    def complete_task(self, item_id: str) -> None: ...
    def retitle_task(self, item_id: str, subject: str) -> None: ...
    def add_master_category(self, name: str, colour: int) -> None: ...
    def remove_master_category(self, name: str) -> None: ...
    def contacts(self) -> dict[str, Seen]: ...
    def tasks(self) -> dict[str, TaskSeen]: ...
    def master(self) -> dict[str, int]: ...
    def add_message(self, subject: str) -> str: ...
    def inbox(self) -> dict[str, MessageSeen]: ...
    def delete_message(self, item_id: str) -> None: ...
    def close(self) -> None: ...


class MemoryWorld:
    """The in-memory mailbox: the reference the real connectors match."""

    user_tasks = False

    def __init__(self) -> None:
        self.box = MemoryMailbox()

    def sink(self) -> Sink:
        return MemorySink(self.box)

    def add_contact(self, name: str, address: str, categories: tuple[str, ...]) -> str:
        item_id = self.box.new_id("user-contact-")
        self.box.put_card(ContactCard("memory", item_id, name, (address,), categories=categories))
        return item_id

    def set_categories(self, item_id: str, categories: tuple[str, ...]) -> None:
        self.box.contact_categories[item_id] = categories

    def rename_contact(self, item_id: str, name: str) -> None:
        self.box.cards[item_id] = replace(self.box.cards[item_id], full_name=name)

    def add_task(self, subject: str) -> str:  # pragma: no cover - user_tasks is False
        raise NotImplementedError

    def complete_task(self, item_id: str) -> None:
        self.box.tasks[item_id] = replace(self.box.tasks[item_id], complete=True)

    def retitle_task(self, item_id: str, subject: str) -> None:
        self.box.tasks[item_id] = replace(self.box.tasks[item_id], subject=subject)

    def add_master_category(self, name: str, colour: int) -> None:
        self.box.master.append(MasterCategory(name, colour))

    def remove_master_category(self, name: str) -> None:
        self.box.master = [c for c in self.box.master if c.name != name]

    def contacts(self) -> dict[str, Seen]:
        return {
            i: (c.full_name, tuple(self.box.contact_categories.get(i, ())))
            for i, c in self.box.cards.items()
        }

    def tasks(self) -> dict[str, TaskSeen]:
        return {i: (t.subject, t.complete) for i, t in self.box.tasks.items()}

    def master(self) -> dict[str, int]:
        return {c.name: c.color for c in self.box.master}

    def add_message(self, subject: str) -> str:
        item = Interaction(
            "memory", self.box.new_id("msg-"), Kind.EMAIL, datetime(2026, 11, 26, tzinfo=UTC),
            ModelMailbox("ann@partner.example"), (ModelMailbox("me@example.com"),),
            subject=subject,
        )  # fmt: skip
        self.box.put("inbox", item)
        return item.item_id

    def inbox(self) -> dict[str, MessageSeen]:
        seen = {
            i: MessageSeen(m.subject, m.body, False, 0, False)
            for i, m in self.box.inbox_messages.items()
        }
        seen.update(
            (i, MessageSeen(m.subject, "", False, len(m.to) + len(m.cc), False))
            for i, m in self.box.items.items()
            if self.box.folder_of.get(i) == "inbox"
        )
        return seen

    def delete_message(self, item_id: str) -> None:
        self.box.inbox_messages.pop(item_id)

    def close(self) -> None:
        pass


_USER_LIST = (
    '<?xml version="1.0"?><categories default="Red category" lastSavedSession="3" '
    'lastSavedTime="2026-01-05T10:00:00.000" xmlns="CategoryList.xsd"></categories>'
)
_CATEGORY = "{CategoryList.xsd}category"


class EwsWorld:
    """The EWS test server; the user's edits change its stored items as Outlook's would."""

    user_tasks = True

    def __init__(self) -> None:
        self.server = EWSServer().start()
        self.box = self.server.mailbox
        self._config = AccountConfig(
            name="test", address="me@example.com", endpoint=self.server.url, auth="basic"
        )

    def sink(self) -> Sink:
        account = open_account(self._config, password="secret", build=SERVER_BUILD, max_wait_s=5)
        return EwsSink(account, "ews:test")

    def add_contact(self, name: str, address: str, categories: tuple[str, ...]) -> str:
        return self.box.add_contact(display_name=name, emails=[address], categories=categories)

    def set_categories(self, item_id: str, categories: tuple[str, ...]) -> None:
        self.box.set_fields(item_id, Categories=list(categories) or None)

    def rename_contact(self, item_id: str, name: str) -> None:
        self.box.set_fields(item_id, DisplayName=name, Subject=name)

    def add_task(self, subject: str) -> str:
        return self.box.add_task(subject=subject)

    def complete_task(self, item_id: str) -> None:
        self.box.set_fields(item_id, Status="Completed", PercentComplete=100)

    def retitle_task(self, item_id: str, subject: str) -> None:
        self.box.set_fields(item_id, Subject=subject)

    def add_master_category(self, name: str, colour: int) -> None:
        # As Outlook writes an entry, with attributes the product does not know.
        entry = (
            f'<category name="{name}" color="{colour}" keyboardShortcut="0" usageCount="9" '
            'lastTimeUsedNotes="1601-01-01T00:00:00.000" '
            f'guid="{{{uuid.uuid4()}}}"/>'
        )
        xml = (self.box.category_list() or _USER_LIST.encode()).decode()
        self.box.set_category_list(xml.replace("</categories>", entry + "</categories>").encode())

    def remove_master_category(self, name: str) -> None:
        xml = (self.box.category_list() or _USER_LIST.encode()).decode()
        cut = re.sub(r'<category name="' + re.escape(name) + r'"[^>]*/>', "", xml)
        self.box.set_category_list(cut.encode())

    def contacts(self) -> dict[str, Seen]:
        return {
            i: (str(item["fields"].get("DisplayName", "")), tuple(item["categories"]))
            for i, item in self.box.snapshot().items()
            if item["type"] == "Contact"
        }

    def tasks(self) -> dict[str, TaskSeen]:
        return {
            i: (str(item["fields"].get("Subject", "")), item["fields"]["Status"] == "Completed")
            for i, item in self.box.snapshot().items()
            if item["type"] == "Task"
        }

    def master(self) -> dict[str, int]:
        xml = self.box.category_list()
        if xml is None:
            return {}
        return {
            str(c.get("name")): int(c.get("color", "-1"))
            for c in ET.fromstring(xml).iter(_CATEGORY)
        }

    def add_message(self, subject: str) -> str:
        return self.box.add_message(
            "inbox", subject=subject, sender="ann@partner.example", to=["me@example.com"]
        )

    def inbox(self) -> dict[str, MessageSeen]:
        return {
            i: MessageSeen(
                str(f.get("Subject", "")),
                str(f.get("Body", "")),
                f.get("IsDraft") == "true",
                sum(len(f.get(n) or ()) for n in ("ToRecipients", "CcRecipients", "BccRecipients")),
                f.get("IsRead") == "true",
            )
            for i, item in self.box.snapshot().items()
            if item["folder"] == "inbox"
            for f in (item["fields"],)
        }

    def delete_message(self, item_id: str) -> None:
        self.box.move(item_id, "deleteditems")  # Outlook's Delete: to Deleted Items

    def file_message(self, item_id: str, folder: str) -> str:
        """The user files a message in a mail folder of their own, made for it; returns the
        folder's id."""
        folder_id = self.box.add_folder(folder, parent="msgfolderroot")
        self.box.move(item_id, folder_id)
        return folder_id

    def folder_subjects(self, folder_id: str) -> list[str]:
        return sorted(
            str(item["fields"].get("Subject", ""))
            for item in self.box.snapshot().values()
            if item["folder"] == folder_id
        )

    def close(self) -> None:
        self.server.close()
        close_connections()
        assert self.server.schema_errors == [], self.server.schema_errors
        assert self.server.unsupported == [], self.server.unsupported


class GraphWorld:
    """The Graph test server; the user edits contacts as Outlook does and tasks through To Do."""

    user_tasks = True

    def __init__(self) -> None:
        self.server = GraphServer(concurrency_retry_after=0).start()
        self._clients: list[GraphClient] = []
        self._user = httpx.Client(base_url=self.server.url, headers=self.server.auth_headers())

    def sink(self) -> Sink:
        client = GraphClient(
            self.server.url,
            lambda: self.server.token,
            account="work",
            retry=RetryPolicy(max_wait_s=30, backoff_s=0.5),
            sleep=lambda _seconds: None,
        )
        self._clients.append(client)
        return GraphSink(client, name="graph:work")

    def add_contact(self, name: str, address: str, categories: tuple[str, ...]) -> str:
        return self.server.add_contact(display_name=name, emails=[address], categories=categories)

    def set_categories(self, item_id: str, categories: tuple[str, ...]) -> None:
        self.server.update_contact(item_id, categories=list(categories))

    def rename_contact(self, item_id: str, name: str) -> None:
        self.server.update_contact(item_id, displayName=name)

    def _task_url(self, item_id: str) -> str:
        for list_id, entry in self.server.snapshot()["todo"].items():
            if item_id in entry["tasks"]:
                return f"/me/todo/lists/{list_id}/tasks/{item_id}"
        raise KeyError(item_id)

    def add_task(self, subject: str) -> str:
        lists = self._user.get("/me/todo/lists").raise_for_status().json()["value"]
        default = next(entry["id"] for entry in lists if entry["displayName"] == "Tasks")
        made = self._user.post(f"/me/todo/lists/{default}/tasks", json={"title": subject})
        return str(made.raise_for_status().json()["id"])

    def complete_task(self, item_id: str) -> None:
        self._user.patch(self._task_url(item_id), json={"status": "completed"}).raise_for_status()

    def retitle_task(self, item_id: str, subject: str) -> None:
        self._user.patch(self._task_url(item_id), json={"title": subject}).raise_for_status()

    def add_master_category(self, name: str, colour: int) -> None:
        self.server.add_category(name, f"preset{colour}")

    def remove_master_category(self, name: str) -> None:
        url = "/me/outlook/masterCategories"
        for entry in self._user.get(url).raise_for_status().json()["value"]:
            if entry["displayName"] == name:
                self._user.delete(f"{url}/{entry['id']}").raise_for_status()

    def contacts(self) -> dict[str, Seen]:
        return {
            i: (str(c.get("displayName") or ""), tuple(c.get("categories") or ()))
            for i, c in self.server.snapshot()["contacts"].items()
        }

    def tasks(self) -> dict[str, TaskSeen]:
        return {
            i: (str(t.get("title") or ""), t.get("status") == "completed")
            for entry in self.server.snapshot()["todo"].values()
            for i, t in entry["tasks"].items()
        }

    def master(self) -> dict[str, int]:
        colours = {f"preset{n}": n for n in range(25)}
        return {
            str(c["displayName"]): colours.get(str(c["color"]), -1)
            for c in self.server.snapshot()["masterCategories"]
        }

    def add_message(self, subject: str) -> str:
        return self.server.add_message(
            "inbox", subject=subject, sender="ann@partner.example", to=["me@example.com"]
        )

    def inbox(self) -> dict[str, MessageSeen]:
        return {
            i: MessageSeen(
                str(m.get("subject") or ""),
                str((m.get("body") or {}).get("content") or ""),
                bool(m.get("isDraft")),
                sum(len(m.get(n) or ()) for n in ("toRecipients", "ccRecipients", "bccRecipients")),
                bool(m.get("isRead")),
            )
            for i, m in self.server.snapshot()["messages"]["inbox"].items()
        }

    def delete_message(self, item_id: str) -> None:
        self._user.delete(f"/me/messages/{item_id}").raise_for_status()

    def file_message(self, item_id: str, folder: str) -> str:
        """The user files a message in a mail folder of their own, made for it; returns the
        folder's id."""
        folder_id = self.server.add_folder(folder)
        self.server.move_message(item_id, folder_id)
        return folder_id

    def folder_subjects(self, folder_id: str) -> list[str]:
        messages = self.server.snapshot()["messages"].get(folder_id, {})
        return sorted(str(m.get("subject") or "") for m in messages.values())

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._user.close()
        self.server.stop()
