"""The interaction store: one SQLite file, metadata only, safe to re-ingest into, history kept.

Terminology (see also :mod:`outlook_networking.ports`):

- **interaction**: one message or meeting, stored and counted once however many copies exist,
  keyed by :func:`~outlook_networking.model.identity` (the normalised Message-ID, else a digest
  of sender, recipients, time and subject; a meeting by its item id). Its stable name is the
  ``(source, item_id)`` of the first copy stored, kept for good (follow-up keys use it).
- **location**: one copy a source holds now: ``(source, stream, item_id)``, where the stream is
  the source's folder (``Batch.folder``) that reported it. A message in Inbox and in an export,
  or the direct and the list copy, is one interaction with two locations.
- **evidence**: the copy an interaction's fields come from. A better copy replaces it (a copy
  without list headers beats a list copy; fewer noise flags beat more; the sender's own copy,
  without a delivery trace and with its Bcc, beats a delivered one). A copy as good as the
  evidence replaces it only when it is the evidence's own location (an update) or that location
  is gone (the message moved); otherwise the first copy stays.

History is append-only: a deletion or a full resync's sweep removes a **location**, never the
interaction; a message moved or deleted, archived or expired, still happened. A meeting whose
last location goes before it starts is marked cancelled (it will not happen); one that already
took place stays. Cards are the address book as it is now: a deleted card goes. Only ``forget``
(:meth:`Store.forget`) removes interactions, and its tombstones keep every later batch from
storing what was forgotten (:mod:`outlook_networking.core.forgetting`).

Every write is keyed and upserted, so reading the same data twice changes nothing. A batch and
the cursor that covers it are written in one transaction (:meth:`Store.apply_batch`). The schema
is versioned with ``PRAGMA user_version`` and migrated forward on open; a store written by a newer
version is refused rather than damaged. The file is created with mode 0600 and runs in WAL mode so
readers (``status``, the add-in) never block the agent. Message bodies have no column to land in.

Every SQL statement of the product lives here: items and cursors, the owner, identity corrections,
dismissed ledger items, the follow-ups the user marked done or snoozed, the write-back journal,
the annual review's baseline, the introductions ``intro`` proposed, the owner's notes and
hand-entered key dates (the user's own data: never touched by a sync, removed only by ``forget``
or the owner), tombstones, the small documents of the agent (:meth:`Store.get_doc`), the answers
kept from the last analysis and what an analysis derived up to a horizon (:meth:`Store.derived`,
dropped by triggers in the write that changes an interaction before it).

Exports: ``Store``, ``AnswersEdit``, ``BatchResult``, ``ForgetReport``, ``default_db_path``,
``SCHEMA_VERSION``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from . import ports
from .core.followups import Decisions
from .core.forgetting import Tombstones, redact_card, redact_document, redact_interaction
from .errors import SchemaTooNew, StoreError, StoreMissing
from .model import (
    Attendee,
    ContactCard,
    Flag,
    Interaction,
    KeyDate,
    Kind,
    Mailbox,
    Note,
    Response,
    identity,
)
from .parsing.dates import parse_key_date
from .ports import (
    NOT_FLAGGED,
    Action,
    Applied,
    Batch,
    FollowUpFlag,
    MessageMarks,
    MessageState,
    StoredMessage,
)
from .problems import problem
from .writeback.plan import JournalEntry

__all__ = [
    "SCHEMA_VERSION",
    "AnswersEdit",
    "BatchResult",
    "ForgetReport",
    "Store",
    "default_db_path",
]

ENV_DB = "OUTLOOK_NETWORKING_DB"
_REVIEW_DOC = "review:last"  # the review the user kept as next year's baseline
_DECISIONS_DOC = "followups:decisions"  # follow-ups the user marked done or snoozed
_PROPOSALS_DOC = "intro:proposed"  # the introductions `intro` proposed (core.intro)
_T = TypeVar("_T")

# The interactions' columns what is derived (migration 7) is derived from: all but the
# categories and the evidence's bookkeeping, which change with the user's tagging and with copies.
# Part of a released step: a fold that reads more needs a new migration, not an edit here.
_DERIVED_FROM = (
    "key", "source", "item_id", "folder", "kind", "at", "sender", "sender_name", "people",
    "subject", "message_id", "in_reply_to", "refs", "conversation_id", "flags", "list_id",
    "delivered", "duration_s", "cancelled",
)  # fmt: skip

# Each entry migrates from version i to i + 1. Append only; never edit a released step.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE interactions (
        source TEXT NOT NULL,
        item_id TEXT NOT NULL,
        folder TEXT NOT NULL,              -- where the item lived (Interaction.folder)
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,              -- Unix seconds, UTC
        sender TEXT NOT NULL,             -- normalised address, '' if none
        sender_name TEXT NOT NULL,
        people TEXT NOT NULL,             -- JSON: to/cc/bcc/attendees
        subject TEXT NOT NULL,
        message_id TEXT NOT NULL,
        in_reply_to TEXT NOT NULL,
        refs TEXT NOT NULL,               -- space separated Message-IDs
        conversation_id TEXT NOT NULL,
        flags TEXT NOT NULL,              -- comma separated Flag values
        list_id TEXT NOT NULL,
        delivered INTEGER NOT NULL,
        duration_s INTEGER NOT NULL,
        cancelled INTEGER NOT NULL,
        categories TEXT NOT NULL,         -- JSON list
        generation INTEGER NOT NULL DEFAULT 0,
        stream TEXT NOT NULL,             -- the source's folder (Batch.folder) that wrote it
        PRIMARY KEY (source, item_id)
    ) WITHOUT ROWID;
    CREATE INDEX interactions_at ON interactions (at);
    CREATE INDEX interactions_stream ON interactions (source, stream, generation);
    CREATE TABLE cards (
        source TEXT NOT NULL,
        item_id TEXT NOT NULL,
        folder TEXT NOT NULL,              -- the source folder (Batch.folder) that wrote it
        full_name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        addresses TEXT NOT NULL,          -- JSON list
        categories TEXT NOT NULL,         -- JSON list
        names TEXT NOT NULL,              -- JSON list
        is_me INTEGER NOT NULL,
        generation INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (source, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE cursors (
        source TEXT NOT NULL,
        folder TEXT NOT NULL,
        cursor TEXT NOT NULL,
        generation INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (source, folder)
    ) WITHOUT ROWID;
    CREATE TABLE owner (
        address TEXT PRIMARY KEY,
        origin TEXT NOT NULL              -- 'given' (--me) or 'detected'
    ) WITHOUT ROWID;
    CREATE TABLE journal (               -- every write-back action applied, for undo
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        account TEXT NOT NULL,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,             -- JSON: {"type": ..., fields}
        item_id TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,  -- 0: begun (a crash may have cut it short)
        undone INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX journal_account ON journal (account, undone);
    CREATE TABLE identity (              -- the user's corrections: merge and split
        address TEXT PRIMARY KEY,
        person TEXT NOT NULL,             -- merged into this address's person; '' = kept apart
        reason TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE dismissed (             -- ledger items the user marked wrong
        item TEXT PRIMARY KEY,
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE kv (                    -- small documents: agent status, review snapshots
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 2: what each message copy shows (categories, follow-up flag, change key) for the
    # write-back, and the marks the user took off a message, never to be put back.
    """
    CREATE TABLE marks (
        source TEXT NOT NULL,
        item_id TEXT NOT NULL,
        categories TEXT,                  -- JSON list; NULL: not reported yet
        flag TEXT,                        -- JSON follow-up flag; NULL: not reported yet
        version TEXT,                     -- change key; NULL: not reported yet
        PRIMARY KEY (source, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE declined (
        account TEXT NOT NULL,            -- the sink's name (= the source name)
        message TEXT NOT NULL,            -- the Internet Message-ID, else 'id:' + item id
        mark TEXT NOT NULL,               -- 'category:<name>' or 'flag'
        at INTEGER NOT NULL,
        PRIMARY KEY (account, message, mark)
    ) WITHOUT ROWID;
    """,
    # 3: one row per interaction however many copies (locations) hold it; history append-only;
    # tombstones for forget. on_identity/on_rank are this module's _sql_identity/_rank.
    """
    ALTER TABLE interactions RENAME TO interactions_v1;
    DROP INDEX interactions_at;
    DROP INDEX interactions_stream;
    CREATE TABLE interactions (          -- one row per message or meeting, kept for good
        id INTEGER PRIMARY KEY,           -- (rows are appended: new mail lands at the end)
        key TEXT NOT NULL UNIQUE,         -- model.identity(): mid:, dig: or item:
        source TEXT NOT NULL,             -- the first copy stored: the interaction's name
        item_id TEXT NOT NULL,
        folder TEXT NOT NULL,             -- the rest: the evidence copy's fields
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,              -- Unix seconds, UTC
        sender TEXT NOT NULL,             -- normalised address, '' if none
        sender_name TEXT NOT NULL,
        people TEXT NOT NULL,             -- JSON: to/cc/bcc/attendees
        subject TEXT NOT NULL,
        message_id TEXT NOT NULL,
        in_reply_to TEXT NOT NULL,
        refs TEXT NOT NULL,               -- space separated Message-IDs
        conversation_id TEXT NOT NULL,
        flags TEXT NOT NULL,              -- comma separated Flag values
        list_id TEXT NOT NULL,
        delivered INTEGER NOT NULL,
        duration_s INTEGER NOT NULL,
        cancelled INTEGER NOT NULL,
        categories TEXT NOT NULL,         -- JSON list
        rank INTEGER NOT NULL,            -- the evidence's rank (_rank): lower is better
        ev_source TEXT NOT NULL,          -- the location the evidence came from
        ev_stream TEXT NOT NULL,
        ev_item TEXT NOT NULL
    );
    CREATE INDEX interactions_at ON interactions (at);
    CREATE TABLE locations (             -- the copies sources hold now
        source TEXT NOT NULL,
        stream TEXT NOT NULL,             -- the source's folder (Batch.folder) that holds it
        item_id TEXT NOT NULL,
        interaction INTEGER NOT NULL,     -- interactions.id
        generation INTEGER NOT NULL,
        PRIMARY KEY (source, item_id, stream)  -- (source, item_id): a copy's marks, its renames
    ) WITHOUT ROWID;
    CREATE INDEX locations_interaction ON locations (interaction);
    -- A copy whose identity changed (a message that now has a Message-ID) moved to another
    -- interaction: the one it left goes if it was only ever this copy.
    CREATE TRIGGER locations_reidentified AFTER UPDATE OF interaction ON locations
    WHEN old.interaction IS NOT new.interaction
    BEGIN
        DELETE FROM interactions WHERE id = old.interaction
            AND ev_source = old.source AND ev_stream = old.stream AND ev_item = old.item_id
            AND NOT EXISTS (SELECT 1 FROM locations WHERE interaction = old.interaction);
    END;
    INSERT OR IGNORE INTO interactions (key, source, item_id, folder, kind, at, sender,
            sender_name, people, subject, message_id, in_reply_to, refs, conversation_id, flags,
            list_id, delivered, duration_s, cancelled, categories, rank, ev_source, ev_stream,
            ev_item)
        SELECT on_identity(kind, source, item_id, message_id, sender, people, at, subject),
               source, item_id, folder, kind, at, sender, sender_name, people, subject,
               message_id, in_reply_to, refs, conversation_id, flags, list_id, delivered,
               duration_s, cancelled, categories, on_rank(flags, delivered), source, stream,
               item_id
        FROM interactions_v1 ORDER BY on_rank(flags, delivered), source, item_id;
    INSERT INTO locations (source, stream, item_id, interaction, generation)
        SELECT v.source, v.stream, v.item_id, i.id, v.generation
        FROM interactions_v1 AS v JOIN interactions AS i ON i.key = on_identity(v.kind,
            v.source, v.item_id, v.message_id, v.sender, v.people, v.at, v.subject);
    DROP TABLE interactions_v1;
    CREATE TABLE forgotten (             -- tombstones: never store these again
        what TEXT PRIMARY KEY,            -- an address, or a domain (and its subdomains)
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 4: key dates on cards; the owner's notes and hand-entered key dates.
    """
    ALTER TABLE cards ADD COLUMN key_dates TEXT NOT NULL DEFAULT '[]';  -- JSON [[kind, date]]
    CREATE TABLE notes (                 -- what the owner wrote down about a person
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a stale id deletes nothing new
        address TEXT NOT NULL,            -- normalised, as the owner named the person
        at INTEGER NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX notes_address ON notes (address);
    CREATE TABLE key_dates (             -- birthdays and anniversaries the owner entered
        address TEXT NOT NULL,
        kind TEXT NOT NULL,               -- birthday | anniversary
        value TEXT NOT NULL,              -- KeyDate.text: 1980-03-22 or --04-15
        PRIMARY KEY (address, kind)
    ) WITHOUT ROWID;
    """,
    # 5: the store's generation, moved by every write an analysis could see; the answers kept
    # from the last analysis (app.answers), valid while the generation stays.
    """
    CREATE TABLE generation (n INTEGER NOT NULL);
    INSERT INTO generation (n) VALUES (0);
    CREATE TABLE answers (               -- documents rendered from one analysis (app.answers)
        key TEXT PRIMARY KEY,
        tag TEXT NOT NULL,                -- what a listing is filtered by (a contact's tier)
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 6: the interactions in the order an analysis reads them (Store.interactions), so the read
    # walks one index instead of sorting each second's ties in a temporary tree (at a million
    # interactions 3.0 s of SQLite instead of 4.1); it serves every range on ``at`` as before.
    """
    DROP INDEX IF EXISTS interactions_at;
    CREATE INDEX IF NOT EXISTS interactions_order ON interactions (at, source, item_id);
    """,
    # 7: what an analysis derived from every interaction up to a horizon (app.derived), so the
    # next one goes on from there. A row holds only while no interaction at or before its
    # horizon changes in what the analysis reads of it: any such insert, update or delete drops
    # it in the same transaction (the categories and which copy is the evidence it does not
    # read). The first analysis after this migration derives it from every interaction.
    f"""
    CREATE TABLE IF NOT EXISTS derived (
        name TEXT PRIMARY KEY,
        horizon INTEGER NOT NULL,         -- Unix seconds: every interaction up to it is in doc
        basis TEXT NOT NULL,              -- what else it was derived from (app.derived)
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER IF NOT EXISTS derived_insert AFTER INSERT ON interactions
    BEGIN
        DELETE FROM derived WHERE horizon >= new.at;
    END;
    CREATE TRIGGER IF NOT EXISTS derived_update AFTER UPDATE ON interactions
    WHEN {" OR ".join(f"old.{c} IS NOT new.{c}" for c in _DERIVED_FROM)}
    BEGIN
        DELETE FROM derived WHERE horizon >= min(old.at, new.at);
    END;
    CREATE TRIGGER IF NOT EXISTS derived_delete AFTER DELETE ON interactions
    BEGIN
        DELETE FROM derived WHERE horizon >= old.at;
    END;
    """,
)

SCHEMA_VERSION = len(_MIGRATIONS)

# The evidence columns, in the order _Decoder reads them after source and item_id.
_FIELDS = (
    "folder, kind, at, sender, sender_name, people, subject, message_id, in_reply_to, refs, "
    "conversation_id, flags, list_id, delivered, duration_s, cancelled, categories"
)
_EVIDENCE = _FIELDS + ", rank, ev_source, ev_stream, ev_item"
_COLUMNS = "source, item_id, " + _FIELDS
# What the evidence columns become when a copy replaces the evidence. A list's id is kept from
# any copy: the direct copy decides how the message counts, the list copy says which list also
# carried it (a list address is learnt from it).
_NEW_VALUE = {
    c: "coalesce(nullif(excluded.list_id, ''), interactions.list_id)"
    if c == "list_id"
    else f"excluded.{c}"
    for c in _EVIDENCE.split(", ")
}
_UPSERT = f"""
    INSERT INTO interactions (key, source, item_id, {_EVIDENCE}) VALUES ({", ".join("?" * 24)})
    ON CONFLICT (key) DO UPDATE SET
        {", ".join(f"{c} = {v}" for c, v in _NEW_VALUE.items())}
    WHERE (
        excluded.rank < interactions.rank
        OR (excluded.rank = interactions.rank AND interactions.ev_source = excluded.ev_source
            AND interactions.ev_stream = excluded.ev_stream
            AND interactions.ev_item = excluded.ev_item)
        OR (excluded.rank = interactions.rank AND NOT EXISTS (
            SELECT 1 FROM locations AS l WHERE l.source = interactions.ev_source
            AND l.stream = interactions.ev_stream AND l.item_id = interactions.ev_item))
    ) AND ({" OR ".join(f"interactions.{c} IS NOT {v}" for c, v in _NEW_VALUE.items())})
"""
_NEXT_GENERATION = "UPDATE generation SET n = n + 1"
_ANSWERS_WAIT_MS = 2000  # how long keeping answers waits for another writer
_RENEWAL_KEY = "renewing"  # the kept answers' row saying that an analysis renewing them runs
_KEEP_ANSWER = """
    INSERT INTO answers (key, tag, doc) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET tag = excluded.tag, doc = excluded.doc
    WHERE tag IS NOT excluded.tag OR doc IS NOT excluded.doc
"""
# The stored documents an analysis reads (app.analysis): writing one moves the generation.
_ANALYSED_DOCS = frozenset({_REVIEW_DOC, _DECISIONS_DOC, _PROPOSALS_DOC})
# A list copy that is not the evidence still says which list carried the message.
_KEEP_LIST = "UPDATE interactions SET list_id = ? WHERE key = ? AND list_id = ''"
_LIST_AT = 3 + _FIELDS.split(", ").index("list_id")  # its place in _rows()' interaction row
# After the interaction: a location names it by its id. A new copy is inserted (and counted as
# written); a known one is refreshed: the round that saw it (a resync's bookkeeping, not counted)
# and, rarely, the interaction it now belongs to.
_NEW_LOCATION = """
    INSERT OR IGNORE INTO locations (source, stream, item_id, interaction, generation)
    VALUES (?, ?, ?, (SELECT id FROM interactions WHERE key = ?), ?)
"""
_SEEN_LOCATION = """
    UPDATE locations SET interaction = new.id, generation = ?
    FROM (SELECT id FROM interactions WHERE key = ?) AS new
    WHERE source = ? AND stream = ? AND item_id = ?
    AND (interaction IS NOT new.id OR generation IS NOT ?)
"""
# A partial update of a copy's categories: the message takes them when that copy is its evidence
# or its evidence copy is gone (as _UPSERT decides for a whole copy).
_NEW_CATEGORIES = """
    UPDATE interactions SET categories = ?
    WHERE id = (SELECT interaction FROM locations WHERE source = ? AND stream = ? AND item_id = ?)
    AND categories IS NOT ?
    AND (ev_source = ? AND ev_stream = ? AND ev_item = ? OR NOT EXISTS (
        SELECT 1 FROM locations AS l WHERE l.source = interactions.ev_source
        AND l.stream = interactions.ev_stream AND l.item_id = interactions.ev_item))
"""
# A meeting no source holds any more, before it starts: it will not take place.
_CANCEL_UNLOCATED = """
    UPDATE interactions SET cancelled = 1
    WHERE id = ? AND kind = 'meeting' AND cancelled = 0 AND at > ?
    AND NOT EXISTS (SELECT 1 FROM locations WHERE interaction = interactions.id)
"""
# A partial report (NULL) keeps what is stored; a row is written only when something changes,
# and only for a message the store holds (a partial update may name one it does not keep).
_UPSERT_MARKS = """
    INSERT INTO marks (source, item_id, categories, flag, version)
    SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (
        SELECT 1 FROM locations WHERE source = ?1 AND item_id = ?2)
    ON CONFLICT (source, item_id) DO UPDATE SET
        categories = coalesce(excluded.categories, marks.categories),
        flag = coalesce(excluded.flag, marks.flag),
        version = coalesce(excluded.version, marks.version)
    WHERE coalesce(excluded.categories, marks.categories) IS NOT marks.categories
        OR coalesce(excluded.flag, marks.flag) IS NOT marks.flag
        OR coalesce(excluded.version, marks.version) IS NOT marks.version
"""
# The marks of copies no folder of the source holds any more (a sweep, a deletion, a forget).
_DROP_UNLOCATED_MARKS = """
    DELETE FROM marks WHERE source = ? AND NOT EXISTS (
        SELECT 1 FROM locations AS l WHERE l.source = marks.source AND l.item_id = marks.item_id)
"""
_CARD_COLUMNS = (
    "source, item_id, folder, full_name, organisation, addresses, categories, names, is_me, "
    "generation, key_dates"
)
# Upserts write only rows whose content differs, so an unchanged re-ingest writes nothing
# (total_changes stays put and the WAL does not grow).
_UPSERT_CARD = f"""
    INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({", ".join("?" * 11)})
    ON CONFLICT (source, item_id) DO UPDATE SET
        folder = excluded.folder, full_name = excluded.full_name,
        organisation = excluded.organisation, addresses = excluded.addresses,
        categories = excluded.categories, names = excluded.names, is_me = excluded.is_me,
        generation = excluded.generation, key_dates = excluded.key_dates
    WHERE {" OR ".join(f"cards.{c} IS NOT excluded.{c}" for c in _CARD_COLUMNS.split(", ")[2:]
                       if c != "generation")}
"""
# An unchanged card seen again by a resync: only the round that saw it (not counted as written).
_SEEN_CARD = "UPDATE cards SET generation = ? WHERE source = ? AND item_id = ? AND generation != ?"


def default_db_path() -> Path:
    """``$OUTLOOK_NETWORKING_DB``, else ``network.sqlite3`` in the platform's user data dir."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    import platformdirs  # imported here: only the default path needs it

    return Path(platformdirs.user_data_dir("outlook-networking", appauthor=False)) / (
        "network.sqlite3"
    )


@dataclass(frozen=True, slots=True)
class AnswersEdit:
    """The kept answers as a write changes them (``app.answers``): made from the answers kept
    for the store at ``generation`` as of ``as_of``; ``docs`` maps a key to its new tag and
    text, or to None where the answer goes."""

    generation: int
    as_of: str
    docs: Mapping[str, tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one batch did to the store."""

    written: int  # items inserted or changed (a change of a message's marks alone counts too)
    deleted: int
    swept: int  # items a completed full resync did not see again


def _people_json(item: Interaction) -> str:
    doc: dict[str, Any] = {}
    for key, boxes in (("to", item.to), ("cc", item.cc), ("bcc", item.bcc)):
        if boxes:
            doc[key] = [[m.address, m.name] for m in boxes]
    if item.attendees:
        doc["att"] = [
            [a.mailbox.address, a.mailbox.name, a.response.value, int(a.optional)]
            for a in item.attendees
        ]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """What forgetting one address or domain removed or changed (or would, in a dry run)."""

    interactions_removed: int = 0
    interactions_changed: int = 0  # kept without the forgotten: others were on them too
    locations_removed: int = 0  # copies whose own id named them, of interactions kept
    cards_removed: int = 0
    cards_changed: int = 0
    other_removed: int = 0  # identity corrections, journal entries, entries of stored documents,
    # the owner's notes and hand-entered key dates

    @property
    def total(self) -> int:
        return sum(
            (
                self.interactions_removed,
                self.interactions_changed,
                self.locations_removed,
                self.cards_removed,
                self.cards_changed,
                self.other_removed,
            )
        )


def _rank(flags: str, delivered: int) -> int:
    """How good a copy's evidence is, lower is better (see the module docstring).

    ``flags`` as stored (comma separated): a list copy ranks behind any direct copy, each other
    flag behind a copy without it, and a delivered copy behind the sender's own.
    """
    marks = flags.split(",") if flags else []
    listed = Flag.LIST.value in marks
    return 6 * listed + 2 * (len(marks) - listed) + (1 if delivered else 0)


def _rows(
    item: Interaction, source: str, stream: str, generation: int
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The interaction's row (as evidence from this location) and the location's row."""
    key = identity(item)
    flags = ",".join(sorted(f.value for f in item.flags))
    delivered = int(item.delivered)
    row = (
        key,
        item.source,
        item.item_id,
        item.folder,
        item.kind.value,
        int(item.at.timestamp()),
        item.sender.address if item.sender else "",
        item.sender.name if item.sender else "",
        _people_json(item),
        item.subject,
        item.message_id,
        item.in_reply_to,
        " ".join(item.references),
        item.conversation_id,
        flags,
        item.list_id,
        delivered,
        item.duration_s,
        int(item.cancelled),
        json.dumps(list(item.categories), ensure_ascii=False),
        _rank(flags, delivered),
        source,
        stream,
        item.item_id,
    )
    return row, (source, stream, item.item_id, key, generation)


def _sql_identity(
    kind: str,
    source: str,
    item_id: str,
    message_id: str,
    sender: str,
    people: str,
    at: int,
    subject: str,
) -> str:
    """:func:`model.identity` of a stored version 1 row (for migration 2)."""
    doc = json.loads(people)
    return identity(
        Interaction(
            source=source,
            item_id=item_id,
            kind=Kind(kind),
            at=datetime.fromtimestamp(at, UTC),
            sender=Mailbox(sender) if sender else None,
            to=tuple(Mailbox(p[0], p[1]) for p in doc.get("to") or ()),
            cc=tuple(Mailbox(p[0], p[1]) for p in doc.get("cc") or ()),
            subject=subject,
            message_id=message_id,
        )
    )


_KINDS = {kind.value: kind for kind in Kind}
_People = tuple[tuple[Mailbox, ...], tuple[Mailbox, ...], tuple[Mailbox, ...], tuple[Attendee, ...]]


def _prefixed(prefix: str) -> tuple[str, str]:
    """The bounds of the kept answers' keys that start with ``prefix``: the keys are ASCII
    (app.answers), so the prefix with its last character's successor ends them."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _edit_answers(db: sqlite3.Connection, edit: AnswersEdit) -> bool:
    """Write ``edit`` inside a write transaction that has just moved the generation, if the
    kept answers are those it was made from and nothing else moved the generation since."""
    (generation,) = db.execute("SELECT n FROM generation").fetchone()
    row = db.execute("SELECT doc FROM answers WHERE key = ''").fetchone()
    validity = json.loads(row[0]) if row else {}
    if (
        generation != edit.generation + 1
        or validity.get("generation") != edit.generation
        or validity.get("as_of") != edit.as_of
    ):
        return False
    for key, doc in edit.docs.items():
        if doc is None:
            db.execute("DELETE FROM answers WHERE key = ?", (key,))
        else:
            db.execute(_KEEP_ANSWER, (key, *doc))
    validity["generation"] = generation
    db.execute(_KEEP_ANSWER, ("", "", json.dumps(validity)))
    return True


class _Decoder:
    """Rows into interactions, sharing what repeats between them.

    A mailbox, a list of recipients, a set of flags or categories, a source or a folder recurs
    on thousands of rows of a large store, a Message-ID on every reply to it. Decoding each once
    and handing out the same immutable object again saves much of the time and most of the
    memory of reading every row. Each cache is emptied when it reaches ``limit`` entries, so a
    store of values that never repeat costs no more than decoding each row on its own."""

    def __init__(self, limit: int = 1 << 16) -> None:
        self._limit = limit
        self._mailboxes: dict[tuple[str, str], Mailbox] = {}
        self._people: dict[str, _People] = {}
        self._flags: dict[str, frozenset[Flag]] = {"": frozenset()}
        self._categories: dict[str, tuple[str, ...]] = {"[]": ()}
        # conversation ids and Message-IDs: a reply's In-Reply-To and References name its
        # parents, read shortly before it (rows come in time order). (Sources, folders and list
        # ids, a handful of values, are interned: sys.intern is a C call.)
        self._words: dict[str, str] = {}

    def _kept(self, cache: dict[Any, Any], key: Any, value: Any) -> Any:
        if len(cache) >= self._limit:
            cache.clear()
        cache[key] = value
        return value

    def mailbox(self, address: str, name: str) -> Mailbox:
        found = self._mailboxes.get((address, name))
        if found is None:
            found = self._kept(self._mailboxes, (address, name), Mailbox(address, name))
        return found

    def _boxes(self, pairs: Sequence[Sequence[str]] | None) -> tuple[Mailbox, ...]:
        return tuple(self.mailbox(p[0], p[1]) for p in pairs) if pairs else ()

    def people(self, text: str) -> _People:
        found = self._people.get(text)
        if found is None:
            doc = json.loads(text)
            found = (
                self._boxes(doc.get("to")),
                self._boxes(doc.get("cc")),
                self._boxes(doc.get("bcc")),
                tuple(
                    Attendee(self.mailbox(a[0], a[1]), Response(a[2]), bool(a[3]))
                    for a in doc.get("att", ())
                ),
            )
            self._kept(self._people, text, found)
        return found

    def flags(self, text: str) -> frozenset[Flag]:
        found = self._flags.get(text)
        if found is None:
            found = frozenset(Flag(f) for f in text.split(",") if f)
            self._kept(self._flags, text, found)
        return found

    def categories(self, text: str) -> tuple[str, ...]:
        found = self._categories.get(text)
        if found is None:
            found = self._kept(self._categories, text, tuple(json.loads(text)))
        return found

    def word(self, text: str) -> str:
        found = self._words.get(text)
        return self._kept(self._words, text, text) if found is None else found

    def __call__(self, row: Sequence[Any]) -> Interaction:
        item: Any = _new(_Unguarded)  # (filled in below, then made an Interaction)
        item.to, item.cc, item.bcc, item.attendees = self.people(row[7])
        word = self.word
        item.source = _intern(row[0])
        item.item_id = row[1]
        item.kind = _KINDS.get(row[3]) or Kind(row[3])  # (an unknown one: Kind's ValueError)
        item.at = datetime.fromtimestamp(row[4], UTC)
        item.sender = self.mailbox(row[5], row[6]) if row[5] else None
        item.subject = row[8]
        item.message_id = word(row[9])
        item.in_reply_to = word(row[10])
        item.references = tuple(map(word, row[11].split())) if row[11] else ()
        item.conversation_id = word(row[12])
        item.flags = self.flags(row[13])
        item.list_id = _intern(row[14])
        item.folder = _intern(row[2])
        item.delivered = bool(row[15])
        item.duration_s = row[16]
        item.cancelled = bool(row[17])
        item.categories = self.categories(row[18])
        item.__class__ = Interaction
        return cast(Interaction, item)


def _decoded(rows: sqlite3.Cursor) -> Iterator[Interaction]:
    """The interactions of ``rows`` (:data:`_COLUMNS`), fetched a thousand at a time: a row
    at a time through :class:`_Cursor` is a Python call per row (0.4 s of a million)."""
    decode = _Decoder()
    while batch := rows.fetchmany(1024):
        yield from map(decode, batch)


_intern = sys.intern
_new = object.__new__


class _Unguarded:
    """Interaction's layout without the guard that makes it frozen, for :class:`_Decoder`,
    which fills one in and then makes it an Interaction (CPython allows assigning
    ``__class__`` between classes of the same slots). A frozen dataclass sets every field
    through a call of ``object.__setattr__``: 1.6 µs an interaction, against 0.3 µs this way
    (a million built alone; docs/benchmarks.md says what a read saves). What comes out is an
    Interaction like any other, frozen, equal to and hashed as one its constructor builds; a
    field Interaction gains that the decoder does not set would be missing (tests/test_store.py
    checks both)."""

    __slots__ = Interaction.__slots__


def _flag_json(flag: FollowUpFlag) -> str:
    return json.dumps(_plain(flag), sort_keys=True)


def _flag_from_json(text: str | None) -> FollowUpFlag:
    return _flag(json.loads(text)) if text else NOT_FLAGGED


def _flag(doc: Mapping[str, Any]) -> FollowUpFlag:
    """A follow-up flag from its JSON form (in the marks, and in a journalled SetFlag)."""
    return FollowUpFlag(
        str(doc.get("status") or "notFlagged"),
        **{k: datetime.fromisoformat(doc[k]) for k in _DATES if doc.get(k)},
    )


def _marks_row(source: str, marks: MessageMarks) -> tuple[object, ...]:
    categories = marks.categories
    return (
        source,
        marks.item_id,
        None if categories is None else json.dumps(list(categories), ensure_ascii=False),
        None if marks.flag is None else _flag_json(marks.flag),
        marks.version,
    )


def _card_row(card: ContactCard, folder: str, generation: int) -> tuple[object, ...]:
    return (
        card.source,
        card.item_id,
        folder,
        card.full_name,
        card.organisation,
        json.dumps(list(card.addresses), ensure_ascii=False),
        json.dumps(list(card.categories), ensure_ascii=False),
        json.dumps(list(card.names), ensure_ascii=False),
        int(card.is_me),
        generation,
        json.dumps([[k.kind, k.text] for k in card.key_dates]),
    )


def _key_dates(text: str) -> tuple[KeyDate, ...]:
    found = (parse_key_date(kind, value) for kind, value in json.loads(text))
    return tuple(k for k in found if k is not None)


# What SQLite says about the file rather than about a query: a damaged page, a full or failing
# disk, a read-only file, a lock held too long. These become StoreError wherever they surface.
_FILE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR", "SQLITE_FULL",
                "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED",
                "SQLITE_PERM")  # fmt: skip
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _file_error(path: str, exc: sqlite3.DatabaseError) -> StoreError | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_DAMAGED):
        return StoreError(path, problem("store_damaged", detail=str(exc)))
    if name.startswith("SQLITE_READONLY"):
        return StoreError(path, problem("store_read_only"))
    if name.startswith(_FILE_ERRORS):
        return StoreError(path, problem("store_unusable", detail=str(exc)))
    return None


class _Cursor(sqlite3.Cursor):
    """A cursor whose file errors are StoreError, also when a damaged page shows up mid-read."""

    def _mapped(self, exc: sqlite3.DatabaseError) -> BaseException:
        path = getattr(self.connection, "path", "")
        return _file_error(path, exc) or exc

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        try:
            super().execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _Cursor:
        try:
            super().executemany(sql, seq_of_parameters)
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc
        return self

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc


class _Connection(sqlite3.Connection):
    """The store's connection: every cursor is a :class:`_Cursor`."""

    path = ""
    read_only = False

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        return _Cursor(self).execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> _Cursor:
        return _Cursor(self).executemany(sql, parameters)


_SQLITE_MAGIC = b"SQLite format 3\x00"
_NOT_REGULAR = ((stat.S_ISDIR, "folder"), (stat.S_ISCHR, "device"), (stat.S_ISBLK, "device"),
                (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"))  # fmt: skip


def _writable(path: Path) -> bool:
    # The owner's write bit too: a store (or folder) made read-only stays so, even for root.
    try:
        return bool(path.stat().st_mode & stat.S_IWUSR) and os.access(path, os.W_OK)
    except OSError:
        return False


def _connect(target: Path, create: bool) -> _Connection:
    """A connection to the store file ``target``, read-only where the file or folder is."""
    where = str(target)
    try:
        info = target.stat()
    except FileNotFoundError:
        if not create:
            raise StoreMissing(where) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        # Create it 0600 ourselves: sqlite3 would use the umask. Another process opening the
        # same new store may create it between the stat and here: then it is simply there.
        with suppress(FileExistsError):
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        info = target.stat()
    for test, kind in _NOT_REGULAR:
        if test(info.st_mode):
            raise StoreError(where, problem("store_not_regular", what=kind))
    if info.st_size:
        with target.open("rb") as head:
            if head.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                raise StoreError(where, problem("store_not_sqlite"))
    folder_writable = _writable(target.parent)
    read_only = not (folder_writable and _writable(target))
    if read_only:
        # immutable: in a folder nobody may write to, SQLite cannot create its -shm file.
        flags = "mode=ro" if folder_writable else "mode=ro&immutable=1"
        uri = f"{target.absolute().as_uri()}?{flags}"
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, factory=_Connection)
    else:
        db = sqlite3.connect(where, timeout=30, isolation_level=None, factory=_Connection)
    db.path, db.read_only = where, read_only
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        (version,) = db.execute("PRAGMA user_version").fetchone()
    except BaseException:
        db.close()
        raise
    if (version == 0 and tables) or (version > 0 and "interactions" not in tables):
        db.close()
        raise StoreError(where, problem("store_of_another_program"))
    if not read_only and stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(target, stat.S_IMODE(info.st_mode) & 0o700)  # tighten, never loosen
    return db


class Store:
    """The SQLite store. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._holding = False  # a read transaction of :meth:`hold` is open

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only (the file or its folder is not writable)."""
        return bool(getattr(self._db, "read_only", False))

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, create: bool = True) -> Store:
        """Open (creating if needed, mode 0600) and migrate the store at ``path``.

        With ``create`` false a missing store is a :class:`StoreMissing` error, and neither the
        file nor its folder is made.

        Nothing is changed before the file is known to be a store (or absent, or empty): a file
        of anything else is refused untouched. An existing store is tightened to owner-only but
        never made writable; if it or its folder is read-only, it is opened read-only, so reading
        commands work and writing ones fail with a StoreError.
        """
        target = Path(path) if path is not None else default_db_path()
        where = str(target)
        try:
            if where == ":memory:":
                db = sqlite3.connect(where, isolation_level=None, factory=_Connection)
            else:
                db = _connect(target, create)
            try:
                db.path = where
                if not db.read_only:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA foreign_keys=ON")
                store = cls(db, target)
                store._migrate()
            except BaseException:
                db.close()  # a store too new, or a failed migration: nothing left open
                raise
        except sqlite3.DatabaseError as exc:
            unusable = problem("store_unusable", detail=str(exc))
            raise _file_error(where, exc) or StoreError(where, unusable) from exc
        except OSError as exc:
            unusable = problem("store_unusable", detail=exc.strerror or str(exc))
            raise StoreError(where, unusable) from exc
        return store

    def _version(self) -> int:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(str(self.path), version, SCHEMA_VERSION)
        return int(version)

    def _migrate(self) -> None:
        if self._version() == SCHEMA_VERSION:
            return
        # Under the write lock, read the version again: another process opening the same new
        # store may have migrated it meanwhile. Each step is atomic: a crash mid-migration
        # leaves the old version intact.
        self._db.create_function("on_identity", 8, _sql_identity, deterministic=True)
        self._db.create_function("on_rank", 2, _rank, deterministic=True)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for step in range(self._version(), SCHEMA_VERSION):
                for statement in _statements(_MIGRATIONS[step]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {step + 1}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def hold(self) -> None:
        """Read from now on the store as it is at the next read (one read transaction), so that
        what is read in several statements (the kept answers and what they are valid for) comes
        from one moment although another process writes meanwhile. The next write transaction,
        :meth:`release` or closing the store ends it."""
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
            self._holding = True

    def release(self) -> None:
        """End what :meth:`hold` began: later reads see the store as it is then."""
        if self._holding:
            self._holding = False
            if self._db.in_transaction:
                self._db.execute("COMMIT")

    @contextmanager
    def transaction(self, *, analysed: bool = True) -> Iterator[sqlite3.Connection]:
        """One exclusive write transaction; rolled back whole on any exception. It moves the
        store's :meth:`generation` unless ``analysed`` is False: a write no analysis reads (the
        journal, notes, the agent's status). It ends a :meth:`hold` first."""
        self.release()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if analysed:
                self._db.execute(_NEXT_GENERATION)
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- writing ---------------------------------------------------------------------------

    def apply_batch(self, source: str, batch: Batch, *, now: datetime | None = None) -> BatchResult:
        """Store a batch and its cursor in one transaction.

        ``now`` (default: the clock) decides whether a meeting whose last location goes is in
        the future, and so will not happen (see the module docstring).
        """
        moment = int((now or datetime.now(UTC)).timestamp())
        try:
            # The generation moves only when the batch changed what an analysis reads: a quiet
            # sync's batches (a new cursor, copies seen again) leave the kept answers valid and
            # the agent's next cycle quiet (agent/cycle.py).
            with self.transaction(analysed=False) as db:
                result = self._apply(db, source, batch, moment)
                if result.written or result.deleted or result.swept:
                    db.execute(_NEXT_GENERATION)
                return result
        except sqlite3.DatabaseError as exc:
            raise StoreError(str(self.path), problem("store_unusable", detail=str(exc))) from exc

    def _apply(self, db: sqlite3.Connection, source: str, batch: Batch, moment: int) -> BatchResult:
        stream = batch.folder
        row = db.execute(
            "SELECT generation FROM cursors WHERE source = ? AND folder = ?", (source, stream)
        ).fetchone()
        generation = (row[0] if row else 0) + (1 if batch.reset else 0)
        interactions: Iterable[Interaction] = batch.interactions
        cards: Iterable[ContactCard] = batch.cards
        tombs = _tombstones(db)
        if tombs:
            owner = frozenset(r[0] for r in db.execute("SELECT address FROM owner"))
            interactions = _present(redact_interaction(i, tombs, owner) for i in interactions)
            cards = _present(redact_card(c, tombs) for c in cards)
        rows = [_rows(i, source, stream, generation) for i in interactions]
        # (Counted by each statement's own rows, not the connection's total: the rows of what
        # is derived that their triggers drop are no interactions written.)
        changed = db.executemany(_UPSERT, (item for item, _ in rows)).rowcount
        changed += db.executemany(
            _KEEP_LIST, ((item[_LIST_AT], item[0]) for item, _ in rows if item[_LIST_AT])
        ).rowcount
        card_rows = [_card_row(c, stream, generation) for c in cards]
        changed += db.executemany(_UPSERT_CARD, card_rows).rowcount
        db.executemany(_SEEN_CARD, ((generation, r[0], r[1], generation) for r in card_rows))
        start = db.total_changes
        db.executemany(_NEW_LOCATION, (loc for _, loc in rows))
        located = db.total_changes - start
        if located < len(rows):  # some copies were known: refresh them (a first read skips this)
            db.executemany(
                _SEEN_LOCATION, ((g, key, src, st, item, g) for _, (src, st, item, key, g) in rows)
            )
        start = db.total_changes
        db.executemany(
            _NEW_CATEGORIES,
            (
                (cats, source, stream, change.item_id, cats, source, stream, change.item_id)
                for change in batch.categories_changed
                for cats in (json.dumps(list(change.categories), ensure_ascii=False),)
            ),
        )
        # A new copy of a known message writes only its location.
        written = max(changed, located + db.total_changes - start)
        start = db.total_changes
        db.executemany(_UPSERT_MARKS, (_marks_row(source, m) for m in batch.marks))
        # A message's marks change with its row, or alone (the user flagged it): count each
        # message once either way.
        written = max(written, db.total_changes - start)
        deleted = 0
        left: set[int] = set()
        for item_id in batch.deleted:
            gone = db.execute(
                "DELETE FROM locations WHERE source = ? AND stream = ? AND item_id = ? "
                "RETURNING interaction",
                (source, stream, item_id),
            ).fetchall()
            left.update(k for (k,) in gone)
            deleted += len(gone)
            deleted += db.execute(
                "DELETE FROM cards WHERE source = ? AND item_id = ?", (source, item_id)
            ).rowcount
            # (A copy moved elsewhere under the same id keeps its marks.)
            db.execute(
                "DELETE FROM marks WHERE source = ?1 AND item_id = ?2 AND NOT EXISTS ("
                "SELECT 1 FROM locations WHERE source = ?1 AND item_id = ?2)",
                (source, item_id),
            )
        swept = 0
        if batch.complete and generation > 0:
            gone = db.execute(
                "DELETE FROM locations WHERE source = ? AND stream = ? AND generation < ? "
                "RETURNING interaction",
                (source, stream, generation),
            ).fetchall()
            left.update(k for (k,) in gone)
            swept += len(gone)
            swept += db.execute(
                "DELETE FROM cards WHERE source = ? AND folder = ? AND generation < ?",
                (source, stream, generation),
            ).rowcount
        if swept:
            db.execute(_DROP_UNLOCATED_MARKS, (source,))
        if left:
            db.executemany(_CANCEL_UNLOCATED, ((ident, moment) for ident in sorted(left)))
        if batch.cursor is not None or batch.reset:
            db.execute(
                "INSERT INTO cursors (source, folder, cursor, generation, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, folder) DO UPDATE SET "
                "cursor = excluded.cursor, generation = excluded.generation, "
                "updated_at = excluded.updated_at",
                (source, stream, batch.cursor or "", generation, moment),
            )
        return BatchResult(written=written, deleted=deleted, swept=swept)

    def set_owner(self, addresses: Iterable[str], origin: str) -> None:
        """Replace the owner's addresses (``origin``: ``given`` or ``detected``)."""
        with self.transaction() as db:
            db.execute("DELETE FROM owner")
            db.executemany(
                "INSERT OR IGNORE INTO owner (address, origin) VALUES (?, ?)",
                ((a, origin) for a in addresses),
            )

    def rename_items(self, source: str, renamed: Mapping[str, str]) -> int:
        """Give a source's stored items new ids (the source changed how it names them, as Graph
        does for immutable ids): its copies, their marks, the interactions it named first and the
        evidence they point to, and its cards; a copy already stored under its new id keeps that
        row. Returns the copies and cards renamed."""
        count = 0
        with self.transaction() as db:
            for table in ("locations", "cards", "marks"):
                for old, new in renamed.items():
                    changed = db.execute(
                        f"UPDATE OR IGNORE {table} SET item_id = ? "
                        "WHERE source = ? AND item_id = ?",
                        (new, source, old),
                    ).rowcount
                    count += changed if table != "marks" else 0
                    db.execute(
                        f"DELETE FROM {table} WHERE source = ? AND item_id = ?", (source, old)
                    )
            # Names and evidence pointers have no index: one pass through a mapping table.
            db.execute("CREATE TEMP TABLE renamed (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
            try:
                db.executemany("INSERT OR REPLACE INTO temp.renamed VALUES (?, ?)", renamed.items())
                for name, of in (("item_id", "source"), ("ev_item", "ev_source")):
                    db.execute(
                        f"UPDATE interactions SET {name} = r.new FROM temp.renamed AS r "
                        f"WHERE interactions.{of} = ? AND interactions.{name} = r.old",
                        (source,),
                    )
            finally:
                db.execute("DROP TABLE temp.renamed")
        return count

    def restart_source(self, source: str | None = None) -> None:
        """Make the next read of a source (every source: None) start each folder over.

        The saved cursors are dropped but their generations kept, so the full round comes
        back with ``reset`` and its sweep removes the locations it no longer sees. History
        stays: a full resync never erases an interaction.
        """
        with self.transaction() as db:
            if source is None:
                db.execute("UPDATE cursors SET cursor = ''")
            else:
                db.execute("UPDATE cursors SET cursor = '' WHERE source = ?", (source,))

    # --- reading ---------------------------------------------------------------------------

    def cursors(self, source: str) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT folder, cursor FROM cursors WHERE source = ? AND cursor != ''", (source,)
        )
        return dict(rows.fetchall())

    def item_ids(self, source: str) -> list[str]:
        """The ids of every copy, interaction name and card a source has stored."""
        rows = self._db.execute(
            "SELECT item_id FROM locations WHERE source = ? "
            "UNION SELECT item_id FROM interactions WHERE source = ? "
            "UNION SELECT item_id FROM cards WHERE source = ?",
            (source, source, source),
        )
        return [r[0] for r in rows]

    def account_messages(
        self,
        source: str,
        *,
        since: datetime,
        item_ids: Iterable[str] = (),
        interactions: Iterable[str] = (),
    ) -> list[StoredMessage]:
        """The personal e-mail (not noise) a source holds from ``since`` on (each copy it holds:
        a message in two folders is two items to mark), and the copies named in ``item_ids`` and
        every copy of the interactions named in ``interactions`` (``source:item_id``, as
        follow-ups name them) whenever they are from, each with its marks as last synced or
        written (categories as first stored where no marks were reported), oldest first."""
        rows = self._db.execute(
            """SELECT l.item_id, i.message_id, coalesce(m.categories, i.categories), m.flag,
                      coalesce(m.version, ''), i.at, i.sender, i.people,
                      i.source || ':' || i.item_id AS named
               FROM locations AS l JOIN interactions AS i ON i.id = l.interaction
                    LEFT JOIN marks AS m ON m.source = l.source AND m.item_id = l.item_id
               WHERE l.source = ? AND i.kind = 'email' AND i.flags = ''
                 AND (i.at >= ? OR l.item_id IN (SELECT value FROM json_each(?))
                      OR named IN (SELECT value FROM json_each(?)))
               ORDER BY i.at, l.item_id""",
            (
                source,
                int(since.timestamp()),
                json.dumps(sorted(set(item_ids))),
                json.dumps(sorted(set(interactions))),
            ),
        )
        found: list[StoredMessage] = []
        for item_id, message_id, categories, flag, version, at, sender, people, named in rows:
            parties = json.loads(people)
            found.append(
                StoredMessage(
                    state=MessageState(
                        item_id=item_id,
                        message_id=message_id,
                        categories=tuple(json.loads(categories)),
                        flag=_flag_from_json(flag),
                        version=version,
                    ),
                    at=datetime.fromtimestamp(at, UTC),
                    sender=sender,
                    recipients=tuple(
                        pair[0] for key in ("to", "cc", "bcc") for pair in parties.get(key, ())
                    ),
                    interaction=named,
                )
            )
        return found

    def messages_with_categories(self, source: str, names: Iterable[str]) -> list[str]:
        """The item ids of the source's messages that show any of ``names`` (as last synced or
        written): the items a rename of those categories must reach. Reads every message of
        the source, so the write-back asks only while a former name is still in use."""
        rows = self._db.execute(
            """SELECT l.item_id FROM locations AS l JOIN interactions AS i ON i.id = l.interaction
                    LEFT JOIN marks AS m ON m.source = l.source AND m.item_id = l.item_id
               WHERE l.source = ? AND i.kind = 'email'
                 AND EXISTS (SELECT 1 FROM json_each(coalesce(m.categories, i.categories))
                             WHERE value IN (SELECT value FROM json_each(?)))
               ORDER BY l.item_id""",
            (source, json.dumps(sorted(set(names)))),
        )
        return [item_id for (item_id,) in rows]

    def interactions(
        self, *, since: datetime | None = None, located: bool = False
    ) -> Iterator[Interaction]:
        """Every stored interaction, each once, oldest first.

        ``located``: only those some source still holds (a mailbox folder or a file), not
        those that live on as history only.
        """
        conditions: list[str] = []
        args: list[object] = []
        if since is not None:
            conditions.append("at >= ?")
            args.append(int(since.timestamp()))
        if located:
            conditions.append("EXISTS (SELECT 1 FROM locations AS l WHERE l.interaction = i.id)")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT {_COLUMNS} FROM interactions AS i{where} ORDER BY at, source, item_id"
        yield from _decoded(self._db.execute(query, args))

    def meetings(self, start: datetime, end: datetime) -> Iterator[Interaction]:
        """The meetings starting in ``[start, end)`` that a calendar still holds (one removed
        from every calendar before it took place did not), by start time."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM interactions AS i WHERE kind = 'meeting' AND at >= ? "
            "AND at < ? AND EXISTS (SELECT 1 FROM locations AS l WHERE l.interaction = i.id) "
            "ORDER BY at, source, item_id",
            (int(start.timestamp()), int(end.timestamp())),
        )
        yield from _decoded(rows)

    def cards(self) -> Iterator[ContactCard]:
        query = f"SELECT {_CARD_COLUMNS} FROM cards ORDER BY source, item_id"
        for row in self._db.execute(query):
            yield ContactCard(
                source=row[0],
                item_id=row[1],
                full_name=row[3],
                organisation=row[4],
                addresses=tuple(json.loads(row[5])),
                categories=tuple(json.loads(row[6])),
                names=tuple(json.loads(row[7])),
                is_me=bool(row[8]),
                key_dates=_key_dates(row[10]),
            )

    def owner(self) -> tuple[tuple[str, ...], str]:
        """The owner's addresses and how they were set (``given``, ``detected`` or ``""``)."""
        rows = self._db.execute("SELECT address, origin FROM owner ORDER BY address").fetchall()
        return tuple(r[0] for r in rows), (rows[0][1] if rows else "")

    def counts(self, owner: Iterable[str] = ()) -> dict[str, int]:
        """Numbers for summaries: interactions by kind, cards, locations, direct mail, noise.

        ``direct`` counts e-mails of the owner's (the rule of :mod:`.core.personal`): written by
        the owner and not automated, or addressed to the owner in To or Cc and flagged at most
        as list mail. ``noise`` counts the other flagged e-mails (bulk, automated, and list mail
        that reached the owner only through the list).
        """
        db = self._db
        owners = list(owner)
        marks = ", ".join("?" * len(owners))  # no owner: `IN ()`, false (NULL would be unknown)
        personal = f"""(sender IN ({marks}) AND flags NOT LIKE '%automated%'
            OR flags IN ('', 'list') AND (
                EXISTS (SELECT 1 FROM json_each(i.people, '$.to') AS r
                        WHERE json_extract(r.value, '$[0]') IN ({marks}))
                OR EXISTS (SELECT 1 FROM json_each(i.people, '$.cc') AS r
                           WHERE json_extract(r.value, '$[0]') IN ({marks}))))"""
        direct, noise = db.execute(
            f"""SELECT coalesce(sum({personal}), 0),
                       coalesce(sum(flags != '' AND NOT {personal}), 0)
                FROM interactions AS i WHERE kind = 'email'""",
            owners * 6,
        ).fetchone()
        by_kind = dict(db.execute("SELECT kind, count(*) FROM interactions GROUP BY kind"))
        return {
            "emails": by_kind.get(Kind.EMAIL.value, 0),
            "meetings": by_kind.get(Kind.MEETING.value, 0),
            "noise": noise,
            "cards": db.execute("SELECT count(*) FROM cards").fetchone()[0],
            "direct": direct,
            "locations": db.execute("SELECT count(*) FROM locations").fetchone()[0],
        }

    def interaction_count(self) -> int:
        """How many interactions are stored (what :meth:`interactions` yields)."""
        return int(self._db.execute("SELECT count(*) FROM interactions").fetchone()[0])

    def is_empty(self) -> bool:
        """Nothing stored yet: no interaction and no contact card."""
        query = "SELECT EXISTS (SELECT 1 FROM interactions) OR EXISTS (SELECT 1 FROM cards)"
        return not self._db.execute(query).fetchone()[0]

    def digest(self) -> str:
        """A hash of everything stored except bookkeeping, to prove re-ingest changes nothing."""
        h = hashlib.sha256()
        # (Generations are a resync's bookkeeping; interaction ids follow insertion order.)
        card_columns = _CARD_COLUMNS.replace(", generation", "")
        for query in (
            "SELECT * FROM interactions ORDER BY key",
            "SELECT l.source, l.stream, l.item_id, i.key FROM locations AS l "
            "JOIN interactions AS i ON i.id = l.interaction ORDER BY 1, 2, 3",
            f"SELECT {card_columns} FROM cards ORDER BY source, item_id",
            "SELECT * FROM owner ORDER BY address",
            "SELECT * FROM forgotten ORDER BY what",
        ):
            for row in self._db.execute(query):
                h.update(repr(row).encode())
        return h.hexdigest()

    # --- forgetting --------------------------------------------------------------------------

    def forgotten(self) -> tuple[str, ...]:
        """The tombstones: forgotten addresses and domains, sorted."""
        return tuple(r[0] for r in self._db.execute("SELECT what FROM forgotten ORDER BY what"))

    def forget(self, what: str, *, dry_run: bool = False) -> ForgetReport:
        """Remove an address or a domain (lower case) from everything stored, for good.

        Interactions, their locations, cards, identity corrections, journal entries and stored
        documents that name it are removed or cleaned (the rules:
        :mod:`outlook_networking.core.forgetting`), and a tombstone keeps later batches from
        storing it again. Freed space is overwritten. ``dry_run`` only counts.
        """
        tombs = Tombstones.of([what])
        db = self._db
        self.release()
        if not dry_run:
            db.execute("PRAGMA secure_delete = ON")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                report = _forget(db, what, tombs)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("ROLLBACK" if dry_run else "COMMIT")
            if not dry_run:
                # The old pages in the write-ahead log still hold what was removed.
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(str(self.path), problem("store_unusable", detail=str(exc))) from exc
        except ValueError as exc:  # a stored document that is no longer JSON
            raise StoreError(str(self.path), problem("store_damaged", detail=str(exc))) from exc
        finally:
            if not dry_run:
                db.execute("PRAGMA secure_delete = OFF")
        return report

    def unforget(self, what: str) -> bool:
        """Lift a tombstone; every source is read again in full next time, so what a source
        still holds about them comes back. False if there was no such tombstone."""
        with self.transaction() as db:
            lifted = db.execute("DELETE FROM forgotten WHERE what = ?", (what,)).rowcount > 0
            if lifted:
                db.execute("UPDATE cursors SET cursor = ''")
        return lifted

    # --- marks the write-back keeps -----------------------------------------------------------

    def declined_marks(self, account: str) -> frozenset[tuple[str, str]]:
        """``(message, mark)`` pairs the user took off messages of ``account`` (see
        :meth:`decline_marks`)."""
        rows = self._db.execute(
            "SELECT message, mark FROM declined WHERE account = ?", (account,)
        )
        return frozenset((r[0], r[1]) for r in rows)

    def decline_marks(
        self, account: str, declined: Iterable[tuple[str, str]], at: datetime
    ) -> None:
        """Remember that the user took a mark off a message: ``(message, mark)`` with the
        message's Internet Message-ID (else ``id:`` and its item id) and the mark
        (``category:<name>`` or ``flag``); the write-back never puts it back."""
        with self.transaction(analysed=False) as db:
            db.executemany(
                "INSERT OR IGNORE INTO declined (account, message, mark, at) VALUES (?, ?, ?, ?)",
                ((account, message, mark, int(at.timestamp())) for message, mark in declined),
            )

    # --- small documents -------------------------------------------------------------------

    def get_doc(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_doc(self, key: str, value: Any) -> None:
        with self.transaction(analysed=key in _ANALYSED_DOCS) as db:
            _put_doc(db, key, value)

    # --- identity corrections and dismissals -------------------------------------------------

    def identity_overrides(self) -> Mapping[str, tuple[str, str]]:
        """address -> (person address it is merged into, or '' if split off; reason)."""
        rows = self._db.execute("SELECT address, person, reason FROM identity")
        return {r[0]: (r[1], r[2]) for r in rows}

    def set_identity(self, address: str, person: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO identity (address, person, reason) VALUES (?, ?, ?) "
                "ON CONFLICT (address) DO UPDATE SET person = excluded.person, "
                "reason = excluded.reason",
                (address, person, reason),
            )

    def dismissed(self) -> frozenset[str]:
        return frozenset(r[0] for r in self._db.execute("SELECT item FROM dismissed"))

    def dismiss(self, item: str, at: datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO dismissed (item, at) VALUES (?, ?)",
                (item, int(at.timestamp())),
            )

    def generation(self) -> int:
        """A number that moves with every write an analysis could see: items and cards, a sync,
        the owner, identity corrections, dismissals, follow-ups done or snoozed, the review,
        the introductions ``intro`` proposed, key dates, a forget (every :meth:`transaction`
        but those that say otherwise: the journal, notes, declined marks, the agent's status)."""
        (n,) = self._db.execute("SELECT n FROM generation").fetchone()
        return int(n)

    def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever an analysis of the store could (:meth:`generation`)."""
        return (self.generation(),)

    # --- what an analysis derived up to a horizon (app.derived) -----------------------------

    def derived(self, name: str) -> tuple[int, str, str] | None:
        """The horizon, basis and document kept under ``name``, if any still holds (every
        interaction up to the horizon is as it was when it was kept: migration 7)."""
        row = self._db.execute(
            "SELECT horizon, basis, doc FROM derived WHERE name = ?", (name,)
        ).fetchone()
        return (int(row[0]), str(row[1]), str(row[2])) if row else None

    def keep_derived(
        self, name: str, horizon: int, basis: str, doc: str, *, generation: int
    ) -> bool:
        """Keep ``doc``, derived from the interactions up to ``horizon`` of the store at
        ``generation``. False, and nothing kept, when the store has changed since (the
        document might miss what changed) or is too busy: it is only a saving, as the kept
        answers are. It does not move the generation: it changes no analysis."""

        def write(db: sqlite3.Connection) -> bool:
            if self.generation() != generation:
                return False
            db.execute(
                "INSERT INTO derived (name, horizon, basis, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET horizon = excluded.horizon, "
                "basis = excluded.basis, doc = excluded.doc",
                (name, horizon, basis, doc),
            )
            return True

        return self._briefly(write)

    def drop_derived(self) -> None:
        """Forget everything derived (``rebuild``: the next analysis derives it afresh)."""
        with self.transaction(analysed=False) as db:
            db.execute("DELETE FROM derived")

    # --- the answers kept from the last analysis (app.answers) -------------------------------

    def keep_answers(
        self, generation: int, validity: Mapping[str, Any], docs: Iterable[tuple[str, str, str]]
    ) -> bool:
        """Replace the kept answers by ``docs`` (key, tag, text), rendered from an analysis of
        the store at ``generation``, with what they are valid for. False, and nothing kept,
        when the store has changed since: they would describe a store that no longer is."""
        kept: set[str] = {""}

        def rows() -> Iterator[tuple[str, str, str]]:
            yield "", "", json.dumps({**validity, "generation": generation})
            for key, tag, text in docs:
                kept.add(key)
                yield key, tag, text

        def write(db: sqlite3.Connection) -> bool:
            if self.generation() != generation:
                return False
            # Only what changed is written: most answers are the same as a cycle before
            # (the agent keeps them every five minutes), and tens of megabytes rewritten
            # each time would wear the disk for nothing.
            db.executemany(_KEEP_ANSWER, rows())
            gone = [(k,) for (k,) in db.execute("SELECT key FROM answers") if k not in kept]
            db.executemany("DELETE FROM answers WHERE key = ?", gone)  # the renewal among them
            return True

        return self._briefly(write)

    def _briefly(self, write: Callable[[sqlite3.Connection], bool]) -> bool:
        """``write`` the kept answers (or a fold, :meth:`keep_derived`) in a transaction; they
        are a saving, so a store another process is writing to is waited for briefly (the
        connection waits 30 s for anything else), then nothing is written and False returned."""
        (waits,) = self._db.execute("PRAGMA busy_timeout").fetchone()
        self._db.execute(f"PRAGMA busy_timeout = {_ANSWERS_WAIT_MS}")
        try:
            with self.transaction(analysed=False) as db:
                return bool(write(db))
        except StoreError as exc:  # (the cursor's: the file's errors, a busy one among them)
            busy = getattr(exc.__cause__, "sqlite_errorname", "")
            if busy.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                return False
            raise
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(waits)}")

    def renew_answers(self, generation: int | None, since: str = "") -> bool:
        """Say that an analysis of the store at ``generation`` began at ``since`` (an ISO
        moment), or with None that it ended without keeping its answers. Keeping them ends it
        too (:meth:`keep_answers`). False when the store was too busy to say so."""

        def write(db: sqlite3.Connection) -> bool:
            if generation is None:
                db.execute("DELETE FROM answers WHERE key = ?", (_RENEWAL_KEY,))
            else:
                mark = json.dumps({"generation": generation, "since": since})
                db.execute(_KEEP_ANSWER, (_RENEWAL_KEY, "", mark))
            return True

        return self._briefly(write)

    def answers_renewal(self) -> dict[str, Any] | None:
        """The analysis under way that will renew the kept answers (:meth:`renew_answers`)."""
        row = self._db.execute(
            "SELECT doc FROM answers WHERE key = ?", (_RENEWAL_KEY,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def kept_validity(self) -> dict[str, Any] | None:
        """What the kept answers are valid for (``generation`` among it), or None."""
        row = self._db.execute("SELECT doc FROM answers WHERE key = ''").fetchone()
        return json.loads(row[0]) if row else None

    def kept_answer(self, key: str) -> str | None:
        """One kept answer's text (keys: ``app.answers``), or None."""
        if not key or key == _RENEWAL_KEY:  # (rows about the answers, not answers)
            return None
        row = self._db.execute("SELECT doc FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def kept_listing(
        self, prefix: str, tag: str | None = None, limit: int | None = None
    ) -> tuple[Iterator[tuple[str, str]], int]:
        """The tags and texts of the kept answers whose keys start with ``prefix`` (and whose
        tag is ``tag``, if given), in the order of their keys, the first ``limit`` of them,
        read as they are iterated; and how many there are in all."""
        where = "key >= ? AND key < ?" + ("" if tag is None else " AND tag = ?")
        values: tuple[object, ...] = _prefixed(prefix)
        values += () if tag is None else (tag,)
        (total,) = self._db.execute(f"SELECT count(*) FROM answers WHERE {where}", values)
        rows = self._db.execute(
            f"SELECT tag, doc FROM answers WHERE {where} ORDER BY key LIMIT ?",
            (*values, limit or -1),
        )
        return ((str(row[0]), str(row[1])) for row in rows), int(total[0])

    def kept_entries(self, prefix: str) -> Iterator[tuple[str, str, str]]:
        """The keys, tags and texts of the kept answers whose keys start with ``prefix``, in the
        order of their keys."""
        query = "SELECT key, tag, doc FROM answers WHERE key >= ? AND key < ? ORDER BY key"
        for key, tag, doc in self._db.execute(query, _prefixed(prefix)):
            yield str(key), str(tag), str(doc)

    # --- the user's decisions about follow-ups ---------------------------------------------------

    def followup_decisions(self) -> Decisions:
        """The follow-ups the user marked done (key → the item it was done for) or snoozed
        (key → when the snooze ends)."""
        doc = self.get_doc(_DECISIONS_DOC) or {}
        done = {key: str(entry.get("item", "")) for key, entry in doc.get("done", {}).items()}
        snoozed = {
            key: datetime.fromisoformat(entry["until"])
            for key, entry in doc.get("snoozed", {}).items()
        }
        return Decisions(done=done, snoozed=snoozed)

    def mark_followup_done(
        self, key: str, item: str, at: datetime, *, answers: AnswersEdit | None = None
    ) -> bool:
        """The user dealt with the follow-up ``key`` (about ``item``): it stays closed.

        ``answers``: the kept answers as this changes them, written in the same transaction
        if they are still those of the store as it was just before it (nothing else has
        written since they were read); they then hold for the store as it is after it. True
        if they were written."""
        entry = {"item": item, "at": at.astimezone(UTC).isoformat()}
        return self._decide("done", key, entry, answers)

    def snooze_followup(
        self, key: str, until: datetime, at: datetime, *, answers: AnswersEdit | None = None
    ) -> bool:
        """The user put the follow-up ``key`` off until ``until``; ``answers`` and the result
        as for :meth:`mark_followup_done`."""
        entry = {"until": until.astimezone(UTC).isoformat(), "at": at.astimezone(UTC).isoformat()}
        return self._decide("snoozed", key, entry, answers)

    def _decide(
        self, kind: str, key: str, entry: Mapping[str, str], answers: AnswersEdit | None = None
    ) -> bool:
        with self.transaction() as db:
            row = db.execute("SELECT value FROM kv WHERE key = ?", (_DECISIONS_DOC,)).fetchone()
            doc = json.loads(row[0]) if row else {}
            doc.setdefault(kind, {})[key] = dict(entry)
            _put_doc(db, _DECISIONS_DOC, doc)
            return answers is not None and _edit_answers(db, answers)

    # --- the owner's notes and key dates ---------------------------------------------------------

    def add_note(self, address: str, text: str, at: datetime) -> Note:
        """Keep a note about the person at ``address`` (normalised by the caller)."""
        with self.transaction(analysed=False) as db:
            cursor = db.execute(
                "INSERT INTO notes (address, at, text) VALUES (?, ?, ?)",
                (address, int(at.timestamp()), text),
            )
            note_id = int(cursor.lastrowid or 0)
        return Note(note_id, address, datetime.fromtimestamp(int(at.timestamp()), UTC), text)

    def notes(self, addresses: Iterable[str] | None = None) -> list[Note]:
        """The notes about these addresses (all notes when None), oldest first."""
        query = "SELECT id, address, at, text FROM notes"
        args: list[str] = []
        if addresses is not None:
            args = sorted(set(addresses))
            query += f" WHERE address IN ({', '.join('?' * len(args)) or 'NULL'})"
        rows = self._db.execute(query + " ORDER BY at, id", args)
        return [Note(r[0], r[1], datetime.fromtimestamp(r[2], UTC), r[3]) for r in rows]

    def delete_note(self, note_id: int) -> Note | None:
        """Remove one note; the note removed, or None if there was none with that id."""
        with self.transaction(analysed=False) as db:
            row = db.execute(
                "SELECT id, address, at, text FROM notes WHERE id = ?", (note_id,)
            ).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        return Note(row[0], row[1], datetime.fromtimestamp(row[2], UTC), row[3])

    def key_dates(self) -> dict[str, dict[str, KeyDate]]:
        """The key dates the owner entered: address → kind → date."""
        found: dict[str, dict[str, KeyDate]] = {}
        for address, kind, value in self._db.execute(
            "SELECT address, kind, value FROM key_dates ORDER BY address, kind"
        ):
            key_date = parse_key_date(kind, value)
            if key_date is not None:
                found.setdefault(address, {})[kind] = key_date
        return found

    def set_key_date(self, address: str, kind: str, key_date: KeyDate | None) -> None:
        """Enter (or with None remove) the owner's ``kind`` date for ``address``."""
        self.set_key_dates(address, {kind: key_date})

    def set_key_dates(
        self,
        address: str,
        dates: Mapping[str, KeyDate | None],
        *,
        answers: AnswersEdit | None = None,
    ) -> bool:
        """Enter (or with None remove) the owner's dates for ``address``, by kind; ``answers``
        and the result as for :meth:`mark_followup_done`."""
        with self.transaction() as db:
            for kind, key_date in dates.items():
                if key_date is None:
                    db.execute(
                        "DELETE FROM key_dates WHERE address = ? AND kind = ?", (address, kind)
                    )
                else:
                    db.execute(
                        "INSERT INTO key_dates (address, kind, value) VALUES (?, ?, ?) "
                        "ON CONFLICT (address, kind) DO UPDATE SET value = excluded.value",
                        (address, kind, key_date.text),
                    )
            return answers is not None and _edit_answers(db, answers)

    # --- the annual review's baseline ----------------------------------------------------------

    def review_snapshot(self) -> Mapping[str, Any] | None:
        """The review the user kept (``review --save``) as the baseline of the next one."""
        doc = self.get_doc(_REVIEW_DOC)
        return doc if isinstance(doc, dict) else None

    def keep_review_snapshot(
        self, snapshot: Mapping[str, Any], *, answers: AnswersEdit | None = None
    ) -> bool:
        """Keep ``snapshot`` as the saved review; ``answers`` and the result as for
        :meth:`mark_followup_done`."""
        with self.transaction() as db:
            _put_doc(db, _REVIEW_DOC, snapshot)
            return answers is not None and _edit_answers(db, answers)

    # --- the introductions `intro` proposed ----------------------------------------------------

    def intro_proposals(self) -> Mapping[str, Any] | None:
        """The document of the introductions ``intro`` proposed (``core.intro``)."""
        doc = self.get_doc(_PROPOSALS_DOC)
        return doc if isinstance(doc, dict) else None

    def keep_intro_proposals(self, doc: Mapping[str, Any]) -> None:
        self.put_doc(_PROPOSALS_DOC, doc)

    # --- the write-back journal ------------------------------------------------------------------
    # Every action is written (done = 0) in its own transaction before the sink is asked to act,
    # and marked done with the item the sink touched afterwards. A crash between the two leaves a
    # begun entry, which undo treats as possibly applied; with the product's marker on tasks and
    # contacts that makes undo complete after any crash.

    # Message actions go to a sink many at a time: a batch's entries are begun in one transaction
    # before it is sent, and finished in one after, with what the messages show now (the marks),
    # so the journal is never ahead of the marks the planner reads.

    def journal_begin(
        self, account: str, run_id: str, actions: Sequence[Action], at: datetime
    ) -> list[int]:
        """Record that ``actions`` are about to be applied to ``account``; the entries' ids."""
        with self.transaction(analysed=False) as db:
            return [
                int(
                    db.execute(
                        "INSERT INTO journal (run_id, account, at, action, item_id) "
                        "VALUES (?, ?, ?, ?, '')",
                        (run_id, account, int(at.timestamp()), _action_json(action)),
                    ).lastrowid
                    or 0
                )
                for action in actions
            ]

    def journal_finish(self, account: str, done: Sequence[tuple[int, Applied]]) -> None:
        """The begun entries were applied: each with the item the sink touched or created, and
        for a message what it shows now (kept as its marks until the next sync says more)."""
        with self.transaction(analysed=False) as db:
            db.executemany(
                "UPDATE journal SET done = 1, item_id = ? WHERE id = ?",
                ((applied.item_id, entry) for entry, applied in done),
            )
            db.executemany(
                _UPSERT_MARKS,
                (_marks_row(account, a.marks) for _, a in done if a.marks is not None),
            )

    def journal(self, account: str) -> list[JournalEntry]:
        """Every entry of ``account`` not yet undone, oldest first."""
        rows = self._db.execute(
            "SELECT action, item_id, done FROM journal WHERE account = ? AND undone = 0 "
            "ORDER BY id",
            (account,),
        )
        return [JournalEntry(_action_from_json(r[0]), r[1], bool(r[2])) for r in rows]

    def journal_item_ids(self, account: str) -> list[str]:
        """The ids of the Outlook items (contacts, messages) ``account``'s journal names, undone
        entries too; To Do tasks have ids of their own kind."""
        ids: set[str] = set()
        for _, action, item_id in self._outlook_entries(self._db, account):
            ids.update(i for i in (item_id, getattr(action, "item_id", "")) if i)
        return sorted(ids)

    def rename_journal_items(self, account: str, renamed: Mapping[str, str]) -> int:
        """Follow Outlook items to their new ids (see :meth:`rename_items`), undone entries too;
        how many entries changed."""
        count = 0
        with self.transaction(analysed=False) as db:
            for entry, action, item_id in self._outlook_entries(db, account):
                if isinstance(action, ports.SetCategories | ports.SetFlag | ports.DeleteContact):
                    action = dataclasses.replace(
                        action, item_id=renamed.get(action.item_id, action.item_id)
                    )
                new_id = renamed.get(item_id, item_id)
                text = _action_json(action)
                count += db.execute(
                    "UPDATE journal SET action = ?, item_id = ? WHERE id = ? "
                    "AND (action IS NOT ? OR item_id IS NOT ?)",
                    (text, new_id, entry, text, new_id),
                ).rowcount
        return count

    @staticmethod
    def _outlook_entries(
        db: sqlite3.Connection, account: str
    ) -> list[tuple[int, Action, str]]:
        rows = db.execute(
            "SELECT id, action, item_id FROM journal WHERE account = ?", (account,)
        ).fetchall()
        return [
            (r[0], action, r[2])
            for r in rows
            for action in (_action_from_json(r[1]),)
            if isinstance(action, _OUTLOOK_ITEMS)
        ]

    def journal_undone(self, account: str) -> int:
        """Mark every entry of ``account`` undone; how many there were."""
        with self.transaction(analysed=False) as db:
            return db.execute(
                "UPDATE journal SET undone = 1 WHERE account = ? AND undone = 0", (account,)
            ).rowcount


def _put_doc(db: sqlite3.Connection, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
    )


def _forget(db: sqlite3.Connection, what: str, tombs: Tombstones) -> ForgetReport:
    """Forget ``what`` inside the caller's transaction (see :meth:`Store.forget`)."""
    owner = frozenset(r[0] for r in db.execute("SELECT address FROM owner"))
    moment = int(datetime.now(UTC).timestamp())
    db.execute("INSERT OR IGNORE INTO forgotten (what, at) VALUES (?, ?)", (what, moment))
    # The kept answers name them too; they are rendered again from what is left.
    db.execute(_NEXT_GENERATION)
    db.execute("DELETE FROM answers")
    names: set[str] = set()  # how they were called, to find them in journal entries
    removed = changed = 0
    text = (
        "sender || ' ' || people || ' ' || subject || ' ' || message_id || ' ' || "
        "in_reply_to || ' ' || refs || ' ' || item_id"
    )
    candidates = db.execute(
        f"SELECT id, {_COLUMNS} FROM interactions WHERE instr(lower({text}), ?) "
        "OR id IN (SELECT interaction FROM locations WHERE instr(lower(item_id), ?))",
        (what, what),
    ).fetchall()
    decode = _Decoder()
    for row in candidates:
        item = decode(row[1:])
        for box in item.participants():
            if tombs.covers(box.address) and len(box.name.split()) >= 2:
                names.add(box.name.casefold())
        redacted = redact_interaction(item, tombs, owner)
        if redacted is None:
            db.execute("DELETE FROM locations WHERE interaction = ?", (row[0],))
            db.execute("DELETE FROM interactions WHERE id = ?", (row[0],))
            removed += 1
        elif redacted != item:
            _rewrite(db, row[0], redacted)
            changed += 1
    locations = db.execute(
        "DELETE FROM locations WHERE instr(lower(item_id), ?) RETURNING item_id", (what,)
    ).fetchall()
    for (source,) in db.execute("SELECT DISTINCT source FROM marks").fetchall():
        db.execute(_DROP_UNLOCATED_MARKS, (source,))
    cards_removed = cards_changed = 0
    for source, item_id, addresses, full_name in db.execute(
        "SELECT source, item_id, addresses, full_name FROM cards WHERE instr(lower(addresses), ?)",
        (what,),
    ).fetchall():
        kept = [a for a in json.loads(addresses) if not tombs.covers(a)]
        if kept:
            db.execute(
                "UPDATE cards SET addresses = ? WHERE source = ? AND item_id = ?",
                (json.dumps(kept, ensure_ascii=False), source, item_id),
            )
            cards_changed += 1
        else:
            if len(full_name.split()) >= 2:
                names.add(full_name.casefold())
            db.execute("DELETE FROM cards WHERE source = ? AND item_id = ?", (source, item_id))
            cards_removed += 1
    other = 0
    for address, person in db.execute("SELECT address, person FROM identity").fetchall():
        if tombs.covers(address) or (person and tombs.covers(person)):
            other += db.execute("DELETE FROM identity WHERE address = ?", (address,)).rowcount
    for account, message, mark in db.execute("SELECT account, message, mark FROM declined"):
        if tombs.named_in(message):
            other += db.execute(
                "DELETE FROM declined WHERE account = ? AND message = ? AND mark = ?",
                (account, message, mark),
            ).rowcount
    for entry, action in db.execute("SELECT id, action FROM journal").fetchall():
        lowered = action.casefold()
        if tombs.named_in(action) or any(name in lowered for name in names):
            other += db.execute("DELETE FROM journal WHERE id = ?", (entry,)).rowcount
    for table in ("notes", "key_dates"):  # the owner's own words and dates about them
        for (address,) in db.execute(f"SELECT DISTINCT address FROM {table}").fetchall():
            if tombs.covers(address):
                other += db.execute(f"DELETE FROM {table} WHERE address = ?", (address,)).rowcount
    for key, value in db.execute("SELECT key, value FROM kv").fetchall():
        if tombs.named_in(key):
            other += db.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount
            continue
        doc = json.loads(value)
        cleaned = redact_document(doc, tombs)
        if cleaned != doc:
            db.execute(
                "UPDATE kv SET value = ? WHERE key = ?",
                (json.dumps(cleaned, ensure_ascii=False, sort_keys=True), key),
            )
            other += 1
    return ForgetReport(
        interactions_removed=removed,
        interactions_changed=changed,
        locations_removed=len(locations),
        cards_removed=cards_removed,
        cards_changed=cards_changed,
        other_removed=other,
    )


def _rewrite(db: sqlite3.Connection, ident: int, item: Interaction) -> None:
    """Store a redacted interaction in place (its identity follows what is left of it)."""
    key = identity(item)
    clash = db.execute(
        "SELECT id FROM interactions WHERE key = ? AND id != ?", (key, ident)
    ).fetchone()
    if clash is not None:
        # What is left is a message already stored: its copies join that one.
        db.execute("UPDATE locations SET interaction = ? WHERE interaction = ?", (clash[0], ident))
        db.execute("DELETE FROM interactions WHERE id = ?", (ident,))
        return
    db.execute(
        "UPDATE interactions SET key = ?, people = ?, in_reply_to = ?, refs = ? WHERE id = ?",
        (key, _people_json(item), item.in_reply_to, " ".join(item.references), ident),
    )


def _tombstones(db: sqlite3.Connection) -> Tombstones:
    return Tombstones.of(r[0] for r in db.execute("SELECT what FROM forgotten"))


def _present(values: Iterable[_T | None]) -> list[_T]:
    return [v for v in values if v is not None]


def _statements(script: str) -> list[str]:
    """A migration script's statements: split where sqlite3 says a statement is complete."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    if current.strip():
        raise RuntimeError(f"migration: incomplete statement: {current.strip()[:60]}")
    return statements


_ACTIONS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        ports.AddCategory,
        ports.RemoveCategory,
        ports.SetCategories,
        ports.SetFlag,
        ports.CreateTask,
        ports.UpdateTask,
        ports.CompleteTask,
        ports.DeleteTask,
        ports.CreateContact,
        ports.DeleteContact,
        ports.CreateInboxMessage,
        ports.ReplaceInboxMessage,
        ports.DeleteInboxMessage,
    )
}


# The actions whose ids name Outlook items (contacts and messages), not To Do tasks.
_OUTLOOK_ITEMS = (ports.SetCategories, ports.SetFlag, ports.CreateContact, ports.DeleteContact)
_DATES = ("due", "start", "completed")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, FollowUpFlag):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _action_json(action: Action) -> str:
    doc: dict[str, Any] = {"type": type(action).__name__}
    for f in dataclasses.fields(action):
        doc[f.name] = _plain(getattr(action, f.name))
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def _action_from_json(text: str) -> Action:
    doc = json.loads(text)
    cls = _ACTIONS[doc.pop("type")]
    for name, value in list(doc.items()):
        if name in _DATES and value is not None:
            doc[name] = datetime.fromisoformat(value)
        elif isinstance(value, list):
            doc[name] = tuple(value)
        elif isinstance(value, dict):  # a follow-up flag (SetFlag's before and after)
            doc[name] = _flag(value)
    action: Action = cls(**doc)
    return action
