"""Which mail folders of an Exchange mailbox a connector reads, the same for EWS and Graph.

Every mail folder that can hold the owner's correspondence is read: the Inbox and its
subfolders, Sent Items, Archive (Outlook's Archive button moves mail there) and the user's own
folders anywhere in the tree. Left out, with everything below them: Junk Email, Drafts, Outbox,
Deleted Items, Conversation History, Sync Issues (and its Conflicts, Local Failures, Server
Failures), hidden folders, search folders, and folders of another kind (Calendar, Contacts,
Tasks, RSS Feeds, whose folder class is not a mail class). Folders are recognised by their
well-known name (the server resolves it to the folder's id, whatever the mailbox's language),
their folder class and their hidden mark, never by display name, which is localised.

``[folders]`` in the config (``include`` / ``exclude``, shell-style patterns, case-insensitive,
tried on each level's display name and on the path from the top, ``Inbox/Newsletters``) adjusts
that: ``exclude`` always wins, ``include`` reads a folder that is left out by default (a mail
folder below Deleted Items, say). A folder of another kind is never read.

Each read folder gets a cursor key: ``inbox`` and ``sent`` for the Inbox and Sent Items,
``inbox/<id>`` for a folder below the Inbox, ``folder/<id>`` for any other. Its messages carry
the folder hint ``inbox`` (Inbox and below), ``sent`` (Sent Items) or ``""`` (anywhere else:
who sent a filed message is read from the message).

The ids of the well-known folders never change, so a connector asks for them once and keeps
them as the cursor of the key ``folders`` (:func:`well_known_ids`); a folder no longer read
gets an empty round (:func:`dropped`).

Exports: ``MailFolder``, ``Selected``, ``SKIPPED``, ``select``, ``is_mail_class``,
``dropped``, ``well_known_ids``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..config import folder_matches
from ..ports import Batch

__all__ = [
    "SKIPPED",
    "MailFolder",
    "Selected",
    "dropped",
    "is_mail_class",
    "select",
    "well_known_ids",
]

# Well-known folder names (EWS DistinguishedFolderIdNameType, Graph's well-known folder names)
# of folders that hold no correspondence; everything below them is left out too.
SKIPPED = (
    "junkemail",
    "drafts",
    "outbox",
    "deleteditems",
    "conversationhistory",
    "syncissues",
    "conflicts",
    "localfailures",
    "serverfailures",
    "searchfolders",
)
_PREFIXES = ("inbox/", "folder/")


@dataclass(frozen=True, slots=True)
class MailFolder:
    """One folder as the server lists it. ``mail``: its class is a mail class (and it is not a
    search folder). ``hidden``: the folder is hidden from the user (PidTagAttributeHidden; Graph
    does not list such folders unless asked)."""

    id: str
    parent: str | None
    name: str
    mail: bool = True
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Selected:
    """A folder to read: its cursor key, the hint its messages carry, its path of names."""

    folder: MailFolder
    key: str
    hint: str
    path: tuple[str, ...]


def is_mail_class(folder_class: str | None) -> bool:
    """Whether a folder class (EWS ``FolderClass``, MAPI PidTagContainerClass) is a mail
    folder's: ``IPF.Note`` (what Outlook gives the Inbox, Archive and the folders a user makes),
    ``IPF.Imap``, or none given. Its sub-classes are Outlook's own folders: RSS Feeds
    (``IPF.Note.OutlookHomepage``), Social Activity Notifications
    (``IPF.Note.SocialConnector.FeedItems``) and the like."""
    return (folder_class or "IPF.Note").casefold() in ("ipf.note", "ipf.imap")


def select(
    folders: Iterable[MailFolder],
    *,
    top: str,
    well_known: Mapping[str, str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[Selected]:
    """The folders to read, in a stable order (by path).

    ``folders``: every folder below ``top`` (the id of the message folder root), in any order;
    ``well_known``: well-known name -> folder id, for ``inbox``, ``sentitems`` and the
    :data:`SKIPPED` ones the server has.
    """
    by_id = {f.id: f for f in folders}
    skipped = {well_known[n] for n in SKIPPED if n in well_known}
    inbox, sent = well_known.get("inbox"), well_known.get("sentitems")
    out: list[Selected] = []
    for folder in by_id.values():
        chain = [folder]
        while chain[-1].parent != top and len(chain) <= len(by_id):
            parent = by_id.get(chain[-1].parent or "")
            if parent is None:
                break
            chain.append(parent)
        if chain[-1].parent != top or not folder.mail:
            continue  # not below the top (an orphan in a listing), or not a mail folder
        chain.reverse()
        path = tuple(f.name for f in chain)
        if folder_matches(exclude, path):
            continue
        left_out = any(f.id in skipped or f.hidden for f in chain)
        if left_out and not folder_matches(include, path):
            continue
        ids = [f.id for f in chain]
        if folder.id == inbox:
            key, hint = "inbox", "inbox"
        elif folder.id == sent:
            key, hint = "sent", "sent"
        elif inbox in ids:
            key, hint = f"inbox/{folder.id}", "inbox"
        else:
            key, hint = f"folder/{folder.id}", ""
        out.append(Selected(folder, key, hint, path))
    out.sort(key=lambda s: ([p.casefold() for p in s.path], s.folder.id))
    return out


def _folder_keys(cursors: Mapping[str, str]) -> set[str]:
    """The cursor keys of folders found in an earlier sync below Inbox or elsewhere (those a
    folder that is gone now leaves behind)."""
    return {k for k in cursors if k.startswith(_PREFIXES)}


def dropped(cursors: Mapping[str, str], chosen: Iterable[Selected]) -> Iterator[Batch]:
    """For every folder read before and not chosen now (deleted, moved to Deleted Items,
    excluded), an empty round: its cursor is cleared (should it turn up again it is read from
    its start) and the store lets go of the copies it held there. What happened stays in the
    history: a location is removed, never an interaction."""
    keys = {c.key for c in chosen}
    for gone in sorted(_folder_keys(cursors) - keys):
        yield Batch(folder=gone, cursor="", reset=True, complete=True)


def well_known_ids(
    cursors: Mapping[str, str], ask: Callable[[], dict[str, str]]
) -> tuple[dict[str, str], Batch | None]:
    """The well-known folder ids (name -> id) kept under the cursor ``folders``; when there are
    none, ``ask()`` the server, and the batch that keeps the answer."""
    known = _load(cursors.get("folders"))
    if known is not None:
        return known, None
    known = ask()
    return known, Batch(folder="folders", cursor=json.dumps(known, sort_keys=True))


def _load(cursor: str | None) -> dict[str, str] | None:
    try:
        data = json.loads(cursor or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("msgfolderroot"), str):
        return None
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
