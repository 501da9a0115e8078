"""The interaction store: one SQLite file, metadata only, safe to re-ingest into.

Every item is keyed by ``(source, item_id)`` and upserted, so reading the same data twice changes
nothing. A batch and the cursor that covers it are written in one transaction
(:meth:`Store.apply_batch`). The schema is versioned with ``PRAGMA user_version`` and migrated
forward on open; a store written by a newer version is refused rather than damaged. The file is
created with mode 0600 and runs in WAL mode so readers (``status``, the add-in) never block the
agent. Message bodies have no column to land in.

Exports: ``Store``, ``BatchResult``, ``default_db_path``, ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .connectors.base import (
    NOT_FLAGGED,
    Batch,
    FollowUpFlag,
    MessageMarks,
    MessageState,
    StoredMessage,
)
from .errors import SchemaTooNew, StoreError
from .model import Attendee, ContactCard, Flag, Interaction, Kind, Mailbox, Response

__all__ = ["SCHEMA_VERSION", "BatchResult", "Store", "default_db_path"]

ENV_DB = "OUTLOOK_NETWORKING_DB"

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
)

SCHEMA_VERSION = len(_MIGRATIONS)

_COLUMNS = (
    "source, item_id, folder, kind, at, sender, sender_name, people, subject, message_id, "
    "in_reply_to, refs, conversation_id, flags, list_id, delivered, duration_s, cancelled, "
    "categories, generation, stream"
)
_UPSERT = f"""
    INSERT INTO interactions ({_COLUMNS}) VALUES ({", ".join("?" * 21)})
    ON CONFLICT (source, item_id) DO UPDATE SET
        folder = excluded.folder, kind = excluded.kind, at = excluded.at, sender = excluded.sender,
        sender_name = excluded.sender_name, people = excluded.people, subject = excluded.subject,
        message_id = excluded.message_id, in_reply_to = excluded.in_reply_to, refs = excluded.refs,
        conversation_id = excluded.conversation_id, flags = excluded.flags,
        list_id = excluded.list_id, delivered = excluded.delivered,
        duration_s = excluded.duration_s, cancelled = excluded.cancelled,
        categories = excluded.categories, generation = excluded.generation,
        stream = excluded.stream
"""
# A partial report (NULL) keeps what is stored; a row is written only when something changes,
# and only for a message the store holds (a partial update may name one it does not keep).
_UPSERT_MARKS = """
    INSERT INTO marks (source, item_id, categories, flag, version)
    SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (
        SELECT 1 FROM interactions WHERE source = ?1 AND item_id = ?2)
    ON CONFLICT (source, item_id) DO UPDATE SET
        categories = coalesce(excluded.categories, marks.categories),
        flag = coalesce(excluded.flag, marks.flag),
        version = coalesce(excluded.version, marks.version)
    WHERE coalesce(excluded.categories, marks.categories) IS NOT marks.categories
        OR coalesce(excluded.flag, marks.flag) IS NOT marks.flag
        OR coalesce(excluded.version, marks.version) IS NOT marks.version
"""
_CARD_COLUMNS = (
    "source, item_id, folder, full_name, organisation, addresses, categories, names, is_me, "
    "generation"
)
_UPSERT_CARD = f"""
    INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({", ".join("?" * 10)})
    ON CONFLICT (source, item_id) DO UPDATE SET
        folder = excluded.folder, full_name = excluded.full_name,
        organisation = excluded.organisation, addresses = excluded.addresses,
        categories = excluded.categories, names = excluded.names, is_me = excluded.is_me,
        generation = excluded.generation
"""


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


def _row(item: Interaction, stream: str, generation: int) -> tuple[object, ...]:
    return (
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
        ",".join(sorted(f.value for f in item.flags)),
        item.list_id,
        int(item.delivered),
        item.duration_s,
        int(item.cancelled),
        json.dumps(list(item.categories), ensure_ascii=False),
        generation,
        stream,
    )


def _boxes(pairs: Sequence[Sequence[str]] | None) -> tuple[Mailbox, ...]:
    return tuple(Mailbox(p[0], p[1]) for p in pairs) if pairs else ()


def _interaction(row: Sequence[Any]) -> Interaction:
    people = json.loads(row[7])
    return Interaction(
        source=row[0],
        item_id=row[1],
        folder=row[2],
        kind=Kind(row[3]),
        at=datetime.fromtimestamp(row[4], UTC),
        sender=Mailbox(row[5], row[6]) if row[5] else None,
        to=_boxes(people.get("to")),
        cc=_boxes(people.get("cc")),
        bcc=_boxes(people.get("bcc")),
        subject=row[8],
        message_id=row[9],
        in_reply_to=row[10],
        references=tuple(row[11].split()),
        conversation_id=row[12],
        flags=frozenset(Flag(f) for f in row[13].split(",") if f),
        list_id=row[14],
        delivered=bool(row[15]),
        duration_s=row[16],
        cancelled=bool(row[17]),
        categories=tuple(json.loads(row[18])),
        attendees=tuple(
            Attendee(Mailbox(a[0], a[1]), Response(a[2]), bool(a[3])) for a in people.get("att", ())
        ),
    )


def _flag_json(flag: FollowUpFlag) -> str:
    doc = {"status": flag.status}
    for name in ("start", "due", "completed"):
        value = getattr(flag, name)
        if value is not None:
            doc[name] = value.astimezone(UTC).isoformat()
    return json.dumps(doc, sort_keys=True)


def _flag_from_json(text: str | None) -> FollowUpFlag:
    if not text:
        return NOT_FLAGGED
    doc = json.loads(text)
    dates = {
        name: datetime.fromisoformat(doc[name])
        for name in ("start", "due", "completed")
        if doc.get(name)
    }
    return FollowUpFlag(str(doc.get("status") or "notFlagged"), **dates)


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
    )


class Store:
    """The SQLite store. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed, mode 0600) and migrate the store at ``path``."""
        target = Path(path) if path is not None else default_db_path()
        try:
            if str(target) != ":memory:":
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    # Create it 0600 ourselves: sqlite3 would use the umask.
                    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
                else:
                    os.chmod(target, 0o600)
            db = sqlite3.connect(str(target), timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            store = cls(db, target)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(str(target), str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(target), exc.strerror or str(exc)) from exc
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

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One exclusive write transaction; rolled back whole on any exception."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- writing ---------------------------------------------------------------------------

    def apply_batch(self, source: str, batch: Batch) -> BatchResult:
        """Store a batch and its cursor in one transaction."""
        try:
            with self.transaction() as db:
                return self._apply(db, source, batch)
        except sqlite3.DatabaseError as exc:
            raise StoreError(str(self.path), str(exc)) from exc

    def _apply(self, db: sqlite3.Connection, source: str, batch: Batch) -> BatchResult:
        row = db.execute(
            "SELECT generation FROM cursors WHERE source = ? AND folder = ?",
            (source, batch.folder),
        ).fetchone()
        generation = (row[0] if row else 0) + (1 if batch.reset else 0)
        before = db.total_changes
        db.executemany(
            _UPSERT + " WHERE " + _changed_clause("interactions"),
            (_row(i, batch.folder, generation) for i in batch.interactions),
        )
        db.executemany(
            _UPSERT_CARD + " WHERE " + _changed_clause("cards"),
            (_card_row(c, batch.folder, generation) for c in batch.cards),
        )
        db.executemany(
            "UPDATE interactions SET categories = ? WHERE source = ? AND item_id = ? "
            "AND categories IS NOT ?",
            (
                (cats, source, change.item_id, cats)
                for change in batch.categories_changed
                for cats in (json.dumps(list(change.categories), ensure_ascii=False),)
            ),
        )
        written = db.total_changes - before
        before = db.total_changes
        db.executemany(_UPSERT_MARKS, (_marks_row(source, m) for m in batch.marks))
        # A message's marks change with its row, or alone (the user flagged it): count each
        # message once either way.
        written = max(written, db.total_changes - before)
        deleted = 0
        for item_id in batch.deleted:
            deleted += db.execute(
                "DELETE FROM interactions WHERE source = ? AND item_id = ?", (source, item_id)
            ).rowcount
            deleted += db.execute(
                "DELETE FROM cards WHERE source = ? AND item_id = ?", (source, item_id)
            ).rowcount
            db.execute("DELETE FROM marks WHERE source = ? AND item_id = ?", (source, item_id))
        swept = 0
        if batch.complete and generation > 0:
            for table, stream in (("interactions", "stream"), ("cards", "folder")):
                swept += db.execute(
                    f"DELETE FROM {table} WHERE source = ? AND {stream} = ? AND generation < ?",
                    (source, batch.folder, generation),
                ).rowcount
            if swept:
                db.execute(
                    "DELETE FROM marks WHERE source = ? AND NOT EXISTS (SELECT 1 FROM interactions "
                    "AS i WHERE i.source = marks.source AND i.item_id = marks.item_id)",
                    (source,),
                )
        if batch.cursor is not None or batch.reset:
            db.execute(
                "INSERT INTO cursors (source, folder, cursor, generation, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, folder) DO UPDATE SET "
                "cursor = excluded.cursor, generation = excluded.generation, "
                "updated_at = excluded.updated_at",
                (
                    source,
                    batch.folder,
                    batch.cursor or "",
                    generation,
                    int(datetime.now(UTC).timestamp()),
                ),
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
        does for immutable ids); an item already stored under its new id keeps that row."""
        count = 0
        with self.transaction() as db:
            for table in ("interactions", "cards", "marks"):
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
        return count

    def forget_source(self, source: str) -> None:
        """Drop every item and cursor of a source (used by a full re-ingest of an account)."""
        with self.transaction() as db:
            for table in ("interactions", "cards", "cursors", "marks"):
                db.execute(f"DELETE FROM {table} WHERE source = ?", (source,))

    # --- reading ---------------------------------------------------------------------------

    def cursors(self, source: str) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT folder, cursor FROM cursors WHERE source = ? AND cursor != ''", (source,)
        )
        return dict(rows.fetchall())

    def item_ids(self, source: str) -> list[str]:
        """The ids of every interaction and card a source has stored."""
        rows = self._db.execute(
            "SELECT item_id FROM interactions WHERE source = ? "
            "UNION SELECT item_id FROM cards WHERE source = ?",
            (source, source),
        )
        return [r[0] for r in rows]

    def account_messages(
        self, source: str, *, since: datetime, item_ids: Iterable[str] = ()
    ) -> list[StoredMessage]:
        """The personal e-mail (not noise) a source holds from ``since`` on, and the messages
        named in ``item_ids`` whenever they are from, each with its marks as last synced or
        written (categories as first stored where no marks were reported), oldest first."""
        rows = self._db.execute(
            """SELECT i.item_id, i.message_id, coalesce(m.categories, i.categories), m.flag,
                      coalesce(m.version, ''), i.at, i.sender, i.people
               FROM interactions AS i LEFT JOIN marks AS m
                    ON m.source = i.source AND m.item_id = i.item_id
               WHERE i.source = ? AND i.kind = 'email' AND i.flags = ''
                 AND (i.at >= ? OR i.item_id IN (SELECT value FROM json_each(?)))
               ORDER BY i.at, i.item_id""",
            (source, int(since.timestamp()), json.dumps(sorted(set(item_ids)))),
        )
        found: list[StoredMessage] = []
        for item_id, message_id, categories, flag, version, at, sender, people in rows:
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
                )
            )
        return found

    def interactions(self, *, since: datetime | None = None) -> Iterator[Interaction]:
        """Every stored interaction, oldest first."""
        query = f"SELECT {_COLUMNS} FROM interactions"
        args: tuple[object, ...] = ()
        if since is not None:
            query += " WHERE at >= ?"
            args = (int(since.timestamp()),)
        for row in self._db.execute(query + " ORDER BY at, source, item_id", args):
            yield _interaction(row)

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
            )

    def owner(self) -> tuple[tuple[str, ...], str]:
        """The owner's addresses and how they were set (``given``, ``detected`` or ``""``)."""
        rows = self._db.execute("SELECT address, origin FROM owner ORDER BY address").fetchall()
        return tuple(r[0] for r in rows), (rows[0][1] if rows else "")

    def counts(self, owner: Iterable[str] = ()) -> dict[str, int]:
        """Numbers for summaries: interactions by kind, noise, cards, and direct mail.

        ``direct`` counts e-mails that are not noise and were written by the owner or addressed
        to the owner in To or Cc (a list delivery is flagged, so it never counts).
        """
        db = self._db
        owners = list(owner)
        marks = ", ".join("?" * len(owners)) or "NULL"
        direct = db.execute(
            f"""SELECT count(*) FROM interactions AS i
                WHERE kind = 'email' AND flags = '' AND (sender IN ({marks})
                OR EXISTS (SELECT 1 FROM json_each(i.people, '$.to') AS r
                           WHERE json_extract(r.value, '$[0]') IN ({marks}))
                OR EXISTS (SELECT 1 FROM json_each(i.people, '$.cc') AS r
                           WHERE json_extract(r.value, '$[0]') IN ({marks})))""",
            owners * 3,
        ).fetchone()[0]
        result: dict[str, int] = {
            "emails": db.execute(
                "SELECT count(*) FROM interactions WHERE kind = 'email'"
            ).fetchone()[0],
            "meetings": db.execute(
                "SELECT count(*) FROM interactions WHERE kind = 'meeting'"
            ).fetchone()[0],
            "noise": db.execute("SELECT count(*) FROM interactions WHERE flags != ''").fetchone()[
                0
            ],
            "cards": db.execute("SELECT count(*) FROM cards").fetchone()[0],
            "direct": direct,
        }
        return result

    def digest(self) -> str:
        """A hash of everything stored except bookkeeping, to prove re-ingest changes nothing."""
        import hashlib

        h = hashlib.sha256()
        for table, order in (
            ("interactions", "source, item_id"),
            ("cards", "source, item_id"),
            ("owner", "address"),
        ):
            for row in self._db.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                h.update(repr(row).encode())
        return h.hexdigest()

    # --- marks the write-back keeps -----------------------------------------------------------

    def record_marks(
        self, source: str, marks: Iterable[MessageMarks], *, db: sqlite3.Connection | None = None
    ) -> None:
        """Keep what the write-back just wrote to messages, until the next sync says more;
        inside the caller's transaction ``db`` when given (the journal's, so both land or
        neither)."""
        rows = [_marks_row(source, m) for m in marks]
        if db is not None:
            db.executemany(_UPSERT_MARKS, rows)
            return
        with self.transaction() as own:
            own.executemany(_UPSERT_MARKS, rows)

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
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO declined (account, message, mark, at) VALUES (?, ?, ?, ?)",
                ((account, message, mark, int(at.timestamp())) for message, mark in declined),
            )

    # --- small documents -------------------------------------------------------------------

    def get_doc(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_doc(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
            )

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

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for the journal and agent modules that own their own tables."""
        return self._db


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
        raise StoreError("<migration>", f"incomplete statement: {current.strip()[:60]}")
    return statements


def _changed_clause(table: str) -> str:
    # Upsert only rows whose content differs, so an unchanged re-ingest writes nothing
    # (total_changes stays put and the WAL does not grow).
    columns = (_COLUMNS if table == "interactions" else _CARD_COLUMNS).split(", ")
    return " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in columns[2:])
