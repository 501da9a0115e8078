"""Seeding helpers of the Graph test server: put mail, events, contacts and categories in.

Mixed into ``GraphServer``; each helper takes the mailbox's lock, so tests may seed while the
server serves. Items change as a user's Outlook would change them: a new change key and a new
entry in the delta log on every update.

Exports: ``Seeding``.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from .deltas import property_name
from .mailbox import Collection, Item, Mailbox, iso
from .resources import new_contact, new_event, new_message


class Seeding:
    """The seeding half of ``GraphServer`` (see the module docstring)."""

    _now: Callable[[], datetime]
    _clock: Callable[[], int]

    def mailbox(self, upn: str | None = None) -> Mailbox:
        raise NotImplementedError

    def add_message(
        self,
        folder: str = "inbox",
        *,
        subject: str = "",
        sender: str | tuple[str, str] = "someone@example.com",
        to: Iterable[str | tuple[str, str]] = (),
        cc: Iterable[str | tuple[str, str]] = (),
        bcc: Iterable[str | tuple[str, str]] = (),
        sent: datetime | None = None,
        received: datetime | None = None,
        internet_message_id: str | None = None,
        conversation_id: str | None = None,
        in_reply_to: str | None = None,
        references: Iterable[str] = (),
        headers: list[dict[str, str]] | str | None = "auto",
        categories: Iterable[str] = (),
        is_read: bool = True,
        mailbox: str | None = None,
        sensitivity: int = 0,
    ) -> str:
        """Add a message; returns its id.

        ``sensitivity`` is PidTagSensitivity (0 normal, 1 personal, 2 private, 3 confidential;
        [MS-OXPROPS]), which Exchange keeps on every message and Graph shows only as the
        extended property ``Integer 0x36``.

        ``headers="auto"`` synthesises ``internetMessageHeaders`` (Message-ID, In-Reply-To,
        References, ...) for every folder but Sent Items, where Graph often has none.
        """
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.folder_id(folder)
            if folder_id is None:
                raise KeyError(folder)
            item_id = mb.new_id("message")
            moment = sent or self._now()
            mid = internet_message_id or f"<{item_id[4:20]}@example.com>"
            refs = list(references)
            if headers == "auto":
                if folder.lower() == "sentitems" or folder_id == mb.folder_alias["sentitems"]:
                    header_list = None
                else:
                    address = sender if isinstance(sender, str) else sender[0]
                    header_list = [
                        {"name": "Received", "value": "from mx.example.com by example.com"},
                        {"name": "Message-ID", "value": mid},
                        {"name": "From", "value": address},
                        {"name": "Subject", "value": subject},
                        {"name": "Date", "value": moment.strftime("%a, %d %b %Y %H:%M:%S +0000")},
                    ]
                    if in_reply_to:
                        header_list.append({"name": "In-Reply-To", "value": in_reply_to})
                    if refs or in_reply_to:
                        chain = refs or [in_reply_to or ""]
                        header_list.append({"name": "References", "value": " ".join(chain)})
            else:
                header_list = headers  # type: ignore[assignment]
            item = new_message(
                item_id=item_id,
                folder_id=folder_id,
                subject=subject,
                sender=sender,
                to=to,
                cc=cc,
                bcc=bcc,
                sent=moment,
                received=received or moment,
                internet_message_id=mid,
                conversation_id=conversation_id or mb.new_id("conversation"),
                headers=header_list,
                categories=categories,
                is_read=is_read,
                created=received or moment,
            )
            item["_ext"] = {property_name("Integer", 0x36): str(sensitivity)}
            mb.messages[folder_id].put(item)
            mb.message_folder[item_id] = folder_id
        return item_id

    def update_message(self, message_id: str, mailbox: str | None = None, **fields: Any) -> None:
        """Change stored fields (Graph names, e.g. ``categories=[...]``) as a user would."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_message(message_id)
            if found is None:
                raise KeyError(message_id)
            coll, item = found
            item.update(fields)
            changed = set(fields)
            if changed != {"isRead"}:
                # A read-state change leaves the modification time alone (alcionai/corso#1866).
                item["lastModifiedDateTime"] = iso(self._now())
                changed.add("lastModifiedDateTime")
            coll.put(item, changed)

    def delete_message(self, message_id: str, mailbox: str | None = None) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            message_id = mb.ids.resolve(message_id)
            folder_id = mb.message_folder.pop(message_id)
            mb.messages[folder_id].remove(message_id)

    def move_message(self, message_id: str, folder: str, mailbox: str | None = None) -> str:
        """Move as Exchange does: removed from the source folder, added to the target, and a
        new REST id; the immutable id (returned) stays (outlook-immutable-id)."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            message_id = mb.ids.resolve(message_id)
            source = mb.message_folder.pop(message_id)
            item = mb.messages[source].remove(message_id)
            target = mb.folder_id(folder)
            if item is None or target is None:
                raise KeyError(message_id)
            mb.ids.moved(message_id)
            mb.messages[target].put({**item, "parentFolderId": target})
            mb.message_folder[message_id] = target
        return message_id

    def copy_message(self, message_id: str, folder: str, mailbox: str | None = None) -> str:
        """A copy in another folder is a new message with ids of its own ("message: copy":
        the response is the new message); returns its immutable id."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_message(message_id)
            target = mb.folder_id(folder)
            if found is None or target is None:
                raise KeyError(message_id)
            copy_id = mb.new_id("message")
            mb.messages[target].put({**copy.deepcopy(found[1]), "id": copy_id,
                                     "parentFolderId": target})  # fmt: skip
            mb.message_folder[copy_id] = target
            return copy_id

    def add_folder(
        self,
        name: str,
        parent: str = "msgfolderroot",
        *,
        hidden: bool = False,
        search: bool = False,
        folder_class: str = "IPF.Note",
        mailbox: str | None = None,
    ) -> str:
        """A folder below ``parent`` (a well-known name or an id); returns its id. ``hidden``:
        isHidden, set only when a folder is created ("Hidden mail folders"); ``search``: a
        mailSearchFolder; ``folder_class`` e.g. ``IPF.Note.OutlookHomepage`` for RSS Feeds."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            parent_id = mb.folder_id(parent)
            if parent_id is None:
                raise KeyError(parent)
            folder_id = mb.new_id("folder")
            mb.add_folder(folder_id, name, parent_id, hidden=hidden, search=search,
                          folder_class=folder_class)  # fmt: skip
            return folder_id

    def move_folder(self, folder: str, parent: str, mailbox: str | None = None) -> None:
        """Move a folder below another (as Outlook does when the user deletes one: to Deleted
        Items); the folder and its messages keep their ids ("mailFolder: move")."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id, parent_id = mb.folder_id(folder), mb.folder_id(parent)
            if folder_id is None or parent_id is None:
                raise KeyError(folder)
            mb.folders[folder_id]["parentFolderId"] = parent_id

    def delete_folder(self, folder: str, mailbox: str | None = None) -> None:
        """Delete a folder for good with its subfolders and messages; its id then finds
        nothing (404)."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            gone = [mb.folder_id(folder) or folder]
            while gone:
                folder_id = gone.pop()
                gone.extend(f["id"] for f in mb.child_folders(folder_id))
                mb.folders.pop(folder_id)
                for message_id in mb.messages.pop(folder_id).items:
                    mb.message_folder.pop(message_id, None)

    def rest_id(self, item_id: str, mailbox: str | None = None) -> str:
        """The regular REST id an item has now (what a request without the header sees)."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            return mb.ids.rest_id(item_id)

    def messages(self, folder: str = "inbox", mailbox: str | None = None) -> list[Item]:
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.folder_id(folder)
            assert folder_id is not None
            return [copy.deepcopy(m) for m in mb.messages[folder_id]]

    def add_event(
        self,
        *,
        subject: str = "",
        start: datetime,
        end: datetime | None = None,
        organizer: str | tuple[str, str] | None = None,
        attendees: Iterable[tuple[str, str] | tuple[str, str, str]] = (),
        is_cancelled: bool = False,
        event_type: str = "singleInstance",
        series_master_id: str | None = None,
        ical_uid: str | None = None,
        categories: Iterable[str] = (),
        is_all_day: bool = False,
        mailbox: str | None = None,
    ) -> str:
        """Add an event; ``attendees`` are ``(address, response[, type])``; returns its id."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            item_id = mb.new_id("event")
            org = organizer or mb.upn
            org_address = org if isinstance(org, str) else org[0]
            item = new_event(
                item_id=item_id,
                subject=subject,
                start=start,
                end=end or start + timedelta(hours=1),
                organizer=org,
                attendees=attendees,
                is_cancelled=is_cancelled,
                event_type=event_type,
                series_master_id=series_master_id,
                ical_uid=ical_uid or "040000008200E00074C5B7101A82E008" + item_id[4:36].upper(),
                is_organizer=org_address.lower() == mb.upn.lower(),
                categories=categories,
                is_all_day=is_all_day,
                created=self._now(),
            )
            mb.events.put(item)
        return item_id

    def update_event(self, event_id: str, mailbox: str | None = None, **fields: Any) -> None:
        """Change an event; ``start``/``end`` take datetimes, other keys are Graph names."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            item = mb.events.items[mb.ids.resolve(event_id)]
            for key, value in fields.items():
                if key in ("start", "end"):
                    item["_" + key] = value.astimezone(UTC)
                else:
                    item[key] = value
            if item["type"] == "occurrence" and "type" not in fields:
                # An occurrence changed on its own is an exception of its series (event
                # resource, property type).
                item["type"] = "exception"
            item["lastModifiedDateTime"] = iso(self._now())
            mb.events.put(item)

    def delete_event(self, event_id: str, mailbox: str | None = None) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            mb.events.remove(mb.ids.resolve(event_id))

    def add_contact(
        self,
        *,
        display_name: str,
        emails: Iterable[str | tuple[str, str]] = (),
        given_name: str | None = None,
        surname: str | None = None,
        company: str | None = None,
        job_title: str | None = None,
        categories: Iterable[str] = (),
        folder: str | None = None,
        mailbox: str | None = None,
        birthday: datetime | None = None,
    ) -> str:
        """Add a contact (``emails`` as addresses or ``(address, name)``); returns its id."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            coll = mb.contact_folder(folder)
            if coll is None:
                raise KeyError(folder)
            folder_id = coll.key.split(":", 1)[1]
            item_id = mb.new_id("contact")
            coll.put(
                new_contact(
                    item_id=item_id,
                    folder_id=folder_id,
                    display_name=display_name,
                    emails=emails,
                    given_name=given_name,
                    surname=surname,
                    company=company,
                    job_title=job_title,
                    categories=categories,
                    created=self._now(),
                    birthday=birthday,
                )
            )
        return item_id

    def add_contact_folder(self, name: str, mailbox: str | None = None) -> str:
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.new_id("contactfolder")
            mb.contacts[folder_id] = Collection(f"contacts:{folder_id}", self._clock, mb.ids)
            mb.contact_folder_names[folder_id] = name
        return folder_id

    def update_contact(self, contact_id: str, mailbox: str | None = None, **fields: Any) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_contact(contact_id)
            if found is None:
                raise KeyError(contact_id)
            coll, item = found
            item.update(fields)
            item["lastModifiedDateTime"] = iso(self._now())
            coll.put(item)

    def delete_contact(self, contact_id: str, mailbox: str | None = None) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_contact(contact_id)
            if found is None:
                raise KeyError(contact_id)
            found[0].remove(contact_id)

    def add_category(self, name: str, color: str = "preset0", mailbox: str | None = None) -> str:
        """A category the user made themselves (the product must keep it)."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            cat_id = str(uuid.uuid4())
            mb.categories[cat_id] = {"id": cat_id, "displayName": name, "color": color}
        return cat_id

    def move_task(self, task_id: str, to_list: str, mailbox: str | None = None) -> str:
        """The user drags a To Do task into another list (by display name or id): the task keeps
        its fields and linked resources but gets a new id ("By default, this value changes when
        the item is moved from one list to another", todoTask resource, property id)."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            source = next(t for t in mb.todo.values() if task_id in t.tasks)
            target = next(
                t for t in mb.todo.values() if to_list in (t.data["id"], t.data["displayName"])
            )
            task = source.tasks.pop(task_id)
            links = source.linked.pop(task_id, {})
            new_id = mb.new_id("task")
            target.tasks[new_id] = {**task, "id": new_id}
            target.linked[new_id] = links
        return new_id
