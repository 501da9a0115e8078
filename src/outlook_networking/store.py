"""The interaction store: one SQLite file, metadata only, safe to re-ingest into.

Every item is keyed by ``(source, item_id)`` and upserted, so reading the same data twice changes
nothing. A batch and the cursor that covers it are written in one transaction
(:meth:`Store.apply_batch`). The schema is versioned with ``PRAGMA user_version`` and migrated
forward on open; a store written by a newer version is refused rather than damaged. The file is
created with mode 0600 and runs in WAL mode so readers (``status``, the add-in) never block the
agent. Message bodies have no column to land in.

Every SQL statement of the product lives here: items and cursors, the owner, identity corrections,
dismissed ledger items, the write-back journal, the annual review's baseline, the introductions
``intro`` proposed and the small documents of the agent (:meth:`Store.get_doc`).

Exports: ``Store``, ``BatchResult``, ``default_db_path``, ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import ports
from .errors import SchemaTooNew, StoreError
from .model import Attendee, ContactCard, Flag, Interaction, Kind, Mailbox, Response
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
from .writeback.plan import JournalEntry

__all__ = ["SCHEMA_VERSION", "BatchResult", "Store", "default_db_path"]

ENV_DB = "OUTLOOK_NETWORKING_DB"
_REVIEW_DOC = "review:last"  # the review the user kept as next year's baseline
_PROPOSALS_DOC = "intro:proposed"  # the introductions `intro` proposed (core.intro)

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
    )


# What SQLite says about the file rather than about a query: a damaged page, a full or failing
# disk, a read-only file, a lock held too long. These become StoreError wherever they surface.
_FILE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR", "SQLITE_FULL",
                "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED",
                "SQLITE_PERM")  # fmt: skip
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _file_error(path: str, exc: sqlite3.DatabaseError) -> StoreError | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_DAMAGED):
        return StoreError(path, f"the store is damaged ({exc}); restore a copy or ingest again")
    if name.startswith("SQLITE_READONLY"):
        return StoreError(path, "the store or its folder is read-only, and this command writes")
    if name.startswith(_FILE_ERRORS):
        return StoreError(path, str(exc))
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

    def fetchmany(self, size: int | None = None) -> list[Any]:
        try:
            return super().fetchmany(self.arraysize if size is None else size)
        except sqlite3.DatabaseError as exc:
            raise self._mapped(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
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
_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))  # fmt: skip


def _writable(path: Path) -> bool:
    # The owner's write bit too: a store (or folder) made read-only stays so, even for root.
    try:
        return bool(path.stat().st_mode & stat.S_IWUSR) and os.access(path, os.W_OK)
    except OSError:
        return False


def _connect(target: Path) -> _Connection:
    """A connection to the store file ``target``, read-only where the file or folder is."""
    where = str(target)
    try:
        info = target.stat()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Create it 0600 ourselves: sqlite3 would use the umask.
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        info = target.stat()
    for test, kind in _NOT_REGULAR:
        if test(info.st_mode):
            raise StoreError(where, f"not a store: it is {kind}")
    if info.st_size:
        with target.open("rb") as head:
            if head.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                raise StoreError(where, "not a store: not an SQLite database")
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
        raise StoreError(where, "not a store: an SQLite database of another program")
    if not read_only and stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(target, stat.S_IMODE(info.st_mode) & 0o700)  # tighten, never loosen
    return db


class Store:
    """The SQLite store. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed, mode 0600) and migrate the store at ``path``.

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
                db = _connect(target)
            db.path = where
            if not db.read_only:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            store = cls(db, target)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise _file_error(where, exc) or StoreError(where, str(exc)) from exc
        except OSError as exc:
            raise StoreError(where, exc.strerror or str(exc)) from exc
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

    def messages_with_categories(self, source: str, names: Iterable[str]) -> list[str]:
        """The item ids of the source's messages that show any of ``names`` (as last synced or
        written): the items a rename of those categories must reach. Reads every message of
        the source, so the write-back asks only while a former name is still in use."""
        rows = self._db.execute(
            """SELECT i.item_id FROM interactions AS i LEFT JOIN marks AS m
                    ON m.source = i.source AND m.item_id = i.item_id
               WHERE i.source = ? AND i.kind = 'email'
                 AND EXISTS (SELECT 1 FROM json_each(coalesce(m.categories, i.categories))
                             WHERE value IN (SELECT value FROM json_each(?)))
               ORDER BY i.item_id""",
            (source, json.dumps(sorted(set(names)))),
        )
        return [item_id for (item_id,) in rows]

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

    def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever an analysis of the store could: new or deleted items, a sync, the
        owner, identity corrections, dismissals, the introductions ``intro`` proposed (the ledger
        recognises the one asked for). Cheap: no table is read in full."""
        return tuple(
            self._db.execute(query).fetchone()
            for query in (
                "SELECT count(*), max(at) FROM interactions",
                "SELECT max(updated_at), count(*) FROM cursors",
                "SELECT group_concat(address) FROM owner",
                "SELECT count(*) FROM identity",
                "SELECT count(*) FROM dismissed",
                f"SELECT length(value) FROM kv WHERE key = '{_PROPOSALS_DOC}'",
            )
        )

    # --- the annual review's baseline ----------------------------------------------------------

    def review_snapshot(self) -> Mapping[str, Any] | None:
        """The review the user kept (``review --save``) as the baseline of the next one."""
        doc = self.get_doc(_REVIEW_DOC)
        return doc if isinstance(doc, dict) else None

    def keep_review_snapshot(self, snapshot: Mapping[str, Any]) -> None:
        self.put_doc(_REVIEW_DOC, snapshot)

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
        with self.transaction() as db:
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
        with self.transaction() as db:
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
        with self.transaction() as db:
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
        with self.transaction() as db:
            return db.execute(
                "UPDATE journal SET undone = 1 WHERE account = ? AND undone = 0", (account,)
            ).rowcount


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
