"""The pipeline's steps: sync or ingest, record the owner, plan, apply, undo.

The command line, the agent and the add-in call these functions, so a command typed by hand and
a cycle of the background agent do exactly the same work. Nothing here prints: progress reaches a
front end through callbacks (``on_batch``), errors as the product's exceptions.

- :func:`sync_source` drains a Source into the store, one batch and its cursor per transaction;
  :func:`sync_account` does it for a configured account, :func:`ingest_files` for exported files.
- :func:`claim_owner` and :func:`settle_owner` record whose mailbox this is.
- :func:`desired_state` turns the analysed network into what a mailbox should show (with
  :func:`extra_tasks`, the morning brief when it is configured); :func:`plan_account` compares
  it with the mailbox as it is. Of the product's tasks it reads only those the plan needs
  (:func:`~outlook_networking.writeback.plan.tasks_to_read`: at a million interactions reading
  all 4,306 was a tenth of the agent's cycle), and every one once a day, after a crash, and
  where one it asked for is gone.
- :func:`write_back` plans and applies (``apply`` and the agent's cycle both call it),
  :func:`apply_plan` runs a plan with the journal, :func:`undo` reverts everything written.
  Actions run in plan order; consecutive message actions (categories and flags on messages) go
  to a :class:`~outlook_networking.ports.MessageSink` many at a time, ``batch_size`` messages
  per call: all entries of such a batch are journalled before it is sent, and finished, together
  with what the messages show now, in one transaction after it.
- :func:`preview_plan` is ``apply --dry-run`` without an account: the same planner against a
  mailbox that holds only the address-book cards the store read from files.

Exports: ``SyncReport``, ``ApplyReport``, ``sync_source``, ``sync_account``, ``ingest_files``,
``claim_owner``, ``settle_owner``, ``desired_state``, ``extra_tasks``, ``plan_account``,
``preview_plan``, ``apply_plan``, ``write_back``, ``undo``, ``apply_account``, ``undo_account``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import AccountConfig, Config, FileLimits, FoldersConfig
from ..core.network import Network
from ..core.owner import OwnerTally, detect_owner
from ..core.phrase import Phrase, phrase
from ..errors import ConnectorError, UsageError
from ..i18n import Wording, category_scheme, wording_for
from ..parsing.addresses import normalise
from ..ports import (
    Action,
    AddCategory,
    Applied,
    Batch,
    BatchApplied,
    ContactState,
    MailboxState,
    MessageSink,
    Problem,
    RemoveCategory,
    SetCategories,
    SetFlag,
    Sink,
    Source,
    TaskState,
    is_message_action,
)
from ..store import Store
from ..writeback.inbox import plan_inbox, plan_inbox_undo
from ..writeback.messages import DesiredMessages, WantedFlag, plan_message_undo, plan_messages
from ..writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    DesiredTask,
    JournalEntry,
    WritebackPlan,
    plan,
    plan_undo,
    tasks_to_read,
)
from .brief import morning_brief_message, morning_brief_task
from .workspace import Workspace

if TYPE_CHECKING:
    from ..sources import Unit

__all__ = [
    "ApplyReport",
    "SyncReport",
    "apply_account",
    "apply_plan",
    "claim_owner",
    "desired_state",
    "extra_tasks",
    "ingest_files",
    "plan_account",
    "preview_plan",
    "settle_owner",
    "sync_account",
    "sync_source",
    "undo",
    "undo_account",
    "write_back",
]

OnBatch = Callable[[Batch], None]
# What ingest_files counts the folders it leaves out as (a code: the front end words it).
SKIPPED_FOLDERS = "folders_without_correspondence"
FileProgress = Callable[["Unit", int, int | None], None]  # a file, items read, their total


# --- reading -------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What one sync of one source did."""

    source: str
    batches: int = 0
    interactions: int = 0
    cards: int = 0
    written: int = 0
    deleted: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # left out on purpose, by what
    stopped: bool = False  # asked to stop at a safe point before the round finished

    @property
    def items(self) -> int:
        """Interactions and contact cards read."""
        return self.interactions + self.cards

    @property
    def unreadable(self) -> list[Problem]:
        """Whole files that could not be read (the others were)."""
        return [p for p in self.problems if p.whole]


def sync_source(
    store: Store,
    source: Source,
    *,
    on_batch: OnBatch | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SyncReport:
    """Read everything new from ``source`` into ``store``; each batch with its cursor.

    ``on_batch`` hears of every batch once it is stored; ``should_stop`` is asked after each,
    the safe point where stopping leaves nothing half-written.
    """
    report = SyncReport(source.name)
    batches = source.read(store.cursors(source.name))
    try:
        for batch in batches:
            result = store.apply_batch(source.name, batch)
            report.batches += 1
            report.interactions += len(batch.interactions)
            report.cards += len(batch.cards)
            report.written += result.written
            report.deleted += result.deleted + result.swept
            report.problems.extend(batch.problems)
            report.skipped.update({s.what: s.count for s in batch.skipped})
            if on_batch is not None:
                on_batch(batch)
            if should_stop():
                report.stopped = True
                break
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    return report


def sync_account(
    workspace: Workspace,
    account: AccountConfig,
    *,
    since_months: int | None = None,
    full: bool = False,
    on_batch: OnBatch | None = None,
) -> SyncReport:
    """``outlook-networking sync`` for one account: its mail into the store, its address as the
    owner's (a shared mailbox's own address, not the reader's)."""
    connection = workspace.connect(account, since_months=since_months)
    try:
        if full:
            # Every folder starts over; the sweep removes copies gone meanwhile, never history.
            workspace.store.restart_source(connection.source.name)
        report = sync_source(workspace.store, connection.source, on_batch=on_batch)
    finally:
        connection.close()
    claim_owner(workspace.store, [account.mailbox_address])
    return report


def ingest_files(
    store: Store,
    paths: Sequence[Path],
    *,
    now: datetime,
    on_batch: OnBatch | None = None,
    on_file: FileProgress | None = None,
    folders: FoldersConfig | None = None,
    limits: FileLimits | None = None,
) -> tuple[SyncReport, OwnerTally]:
    """``outlook-networking ingest``: exported files into the store, and the owner evidence they
    hold (for :func:`settle_owner`). ``on_file`` hears how far the file being read is;
    ``folders`` are the ``[folders]`` rules for folder trees (default: skip by name only; the
    folders left out are counted in the report's ``skipped``); ``limits`` (the ``[files]`` table)
    bound what one hostile file may cost."""
    from ..sources import FileSource  # icalendar, vobject, pff: only an ingest needs them
    from ..sources.mailfiles import DEFAULT_FOLDERS, FolderRules

    tally = OwnerTally()

    def stored(batch: Batch) -> None:
        tally.feed(batch.interactions, batch.cards)
        if on_batch is not None:
            on_batch(batch)

    rules = FolderRules(folders.include, folders.exclude) if folders else DEFAULT_FOLDERS
    source = FileSource(paths, now=now, progress=on_file, folders=rules, limits=limits)
    report = sync_source(store, source, on_batch=stored)
    if source.skipped:
        report.skipped[SKIPPED_FOLDERS] += len(source.skipped)
    return report, tally


# --- the owner -----------------------------------------------------------------------------------


def claim_owner(store: Store, addresses: Collection[str]) -> None:
    """The configured mailboxes are the owner's: the configuration says so, no guess needed.

    Addresses given before (``ingest --me``, other accounts) stay; a detected guess gives way.
    Written only when something changes.
    """
    wanted = {a.lower() for a in addresses}
    owner, origin = store.owner()
    if origin == "given" and wanted <= set(owner):
        return
    keep = set(owner) if origin == "given" else set()
    store.set_owner(sorted(keep | wanted), "given")


def settle_owner(
    store: Store,
    given: Sequence[str],
    tally: OwnerTally | None = None,
    *,
    words: Wording | None = None,
) -> tuple[tuple[str, ...], Phrase | None]:
    """The owner's addresses after an ingest, and how they were found (a phrase; None when no
    owner is known): as given now (``--me`` replaces the owner), as given before, or detected.

    Detection uses what this ingest read (``tally``) when that is conclusive, and only then
    reads the whole store again. ``words`` words the refusal of a ``--me`` that is no address
    (default: English).
    """
    if given:
        normalised = [normalise(g) for g in given]
        wrong = [g for g, address in zip(given, normalised, strict=True) if not address]
        if wrong:
            w = words or Wording()
            raise UsageError(
                w.gettext("--me: not an e-mail address: {values}").format(values=", ".join(wrong))
            )
        addresses = tuple(dict.fromkeys(normalised))  # one address given twice is one
        store.set_owner(addresses, "given")
        return addresses, phrase("owner_given")
    current, origin = store.owner()
    if origin == "given":
        return current, phrase("owner_given")
    guess = tally.guess() if tally is not None else None
    if guess is None or not guess.addresses:
        guess = detect_owner(store.interactions(), store.cards())
    if guess.addresses:
        store.set_owner(guess.addresses, "detected")
        return tuple(guess.addresses), guess.evidence
    return current, phrase("owner_detected_earlier") if current else None


# --- writing back --------------------------------------------------------------------------------


def extra_tasks(store: Store, network: Network, config: Config) -> tuple[DesiredTask, ...]:
    """The tasks besides the follow-ups: today's morning brief, if ``[brief] write = "task"``."""
    brief = morning_brief_task(store, network, config)
    return (brief,) if brief is not None else ()


def desired_state(
    network: Network,
    account: AccountConfig | None,
    words: Wording,
    *,
    flagged: frozenset[str] = frozenset(),
    extra: Sequence[DesiredTask] = (),
) -> Desired:
    """What the mailbox should show: each person's tier category, a task per open follow-up
    (but for those in ``flagged``: their message's flag stands for them instead), its title and
    text (``FollowUp.task_text``: days, not ages) in ``words``'s language, and the ``extra``
    tasks (:func:`extra_tasks`); ``account`` None: an account with the defaults, for a preview."""
    contacts = tuple(
        DesiredContact(tuple(view.addresses), view.name, view.tier.tier)
        for view in network.contacts
    )
    tasks = tuple(
        DesiredTask(f.key, words.phrase(f.subject), f.due, words.phrase(f.task_text))
        for f in network.followups
        if f.key not in flagged
    )
    tasks += tuple(extra)
    return Desired(
        contacts=contacts,
        tasks=tasks,
        create_contacts_for=frozenset(account.create_contacts_for_tiers if account else ()),
    )


def _wanted_flags(network: Network, account: AccountConfig) -> dict[str, WantedFlag]:
    """The open follow-ups that flag their message, by the interaction they are about (its
    ``source:item_id``: a message stored first from a file or another folder is flagged in this
    account all the same, where the account holds a copy)."""
    return {
        f.item: WantedFlag(f.item, f.key, f.contact, f.due)
        for f in network.followups
        if f.kind in account.flag_kinds and f.item
    }


def _inbox_actions(
    store: Store, network: Network, config: Config, sink: Sink, state: MailboxState
) -> tuple[Action, ...]:
    """The morning brief as a message in the Inbox, if ``[brief] write = "message"`` (and
    yesterday's gone): see :mod:`..writeback.inbox`."""
    brief = morning_brief_message(store, network, config)
    wanted = (brief,) if brief is not None else ()
    return plan_inbox(wanted, state.inbox, store.journal(sink.name) if wanted else ())


def plan_account(
    store: Store, network: Network, config: Config, account: AccountConfig, sink: Sink
) -> WritebackPlan:
    """The write-back plan for one account's mailbox as it is now: contacts and tasks against
    the mailbox's state, the messages' categories and flags against the store's messages and
    the journal (see :mod:`outlook_networking.writeback.messages`), in the configured language.

    After a language change the plan renames the product's categories: the master list's
    former names go last, once every contact and message carrying them has the new name.
    """
    words = wording_for(config)
    scheme = category_scheme(config, words)
    state = sink.read_state(tasks=False)
    extra = extra_tasks(store, network, config)
    inbox = _inbox_actions(store, network, config, sink, state)
    written = store.journal(sink.name)
    if not isinstance(sink, MessageSink):
        desired = desired_state(network, account, words, extra=extra)
        state = replace(state, tasks=_tasks_for(desired, written, store, sink, network.now))
        base = plan(desired, state, scheme, written)
        return WritebackPlan(_master_list_last(base.actions, inbox), base.declined)
    journal = [e for e in written if is_message_action(e.action)]
    flags = _wanted_flags(network, account)
    since = network.now - timedelta(days=account.tag_message_days)
    former = scheme.former_names & {c.name for c in state.master_categories}
    messages = store.account_messages(
        sink.name,
        since=since if account.tag_messages else network.now,
        item_ids=[
            *(e.action.item_id for e in journal if isinstance(e.action, SetCategories | SetFlag)),
            *(store.messages_with_categories(sink.name, former) if former else ()),
        ],
        interactions=flags,
    )
    marked = plan_messages(
        DesiredMessages(
            owner=network.owner,
            person_of=network.identities.person_of,
            tier={c.person.key: c.tier.tier for c in network.contacts},
            tag_tiers=frozenset(account.tag_message_tiers),
            since=since if account.tag_messages else None,
            flags=flags,
        ),
        messages,
        journal,
        store.declined_marks(sink.name),
        scheme,
        network.now,
    )
    # A flag stands for its follow-up; a task too where the kind says "both", or where this
    # mailbox does not hold the message.
    flaggable = {w.key for named, w in flags.items() if named not in marked.unflagged}
    flagged = frozenset(
        f.key
        for f in network.followups
        if f.key in flaggable and account.followup_mode(f.kind) == "flag"
    )
    desired = desired_state(network, account, words, flagged=flagged, extra=extra)
    state = replace(state, tasks=_tasks_for(desired, written, store, sink, network.now))
    base = plan(desired, state, scheme, written)
    return WritebackPlan(
        _master_list_last(base.actions, (*marked.actions, *inbox)), marked.declined
    )


# How long the product's tasks go without a read of every one. Reading only those the journal
# cannot vouch for misses a task of the product's the journal does not name (another
# installation's, or one made before the store was lost): it is found within a day.
WHOLE_TASK_READ_EVERY = timedelta(days=1)


def _tasks_for(
    desired: Desired,
    journal: Sequence[JournalEntry],
    store: Store,
    sink: Sink,
    now: datetime,
) -> tuple[TaskState, ...]:
    """The product's tasks the plan for ``desired`` needs (:func:`tasks_to_read`); every task
    where the journal cannot vouch for the rest, where one asked for is gone (deleted, or moved
    to another list), and when the last read of every task is a day old."""
    ids = tasks_to_read(desired, journal)
    stamp = f"tasks_read_whole:{sink.name}"
    if ids is not None and _within(store.get_doc(stamp), now, WHOLE_TASK_READ_EVERY):
        found = sink.read_tasks(ids)
        if len(found) == len(ids):
            return found
    found = sink.read_tasks(None)
    if not store.read_only:  # (a dry run on a store it cannot write: the next run reads all)
        store.put_doc(stamp, now.isoformat())
    return found


def _within(stamp: object, now: datetime, span: timedelta) -> bool:
    """Whether ``stamp`` (a time the store kept, as ISO text) is at most ``span`` before
    ``now``; anything else (no stamp, a later one, text that is no time) is not."""
    try:
        then = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
        return then is not None and timedelta(0) <= now - then < span
    except (ValueError, TypeError):
        return False


def _master_list_last(items: Sequence[Action], messages: Sequence[Action]) -> tuple[Action, ...]:
    """The actions in the order they must run: a category leaves the master list only after
    the items that carry it (contacts, then messages) have lost it; an entry removed and added
    again (undo giving a user's entry back its colour) is added after its removal."""
    removals = [a for a in items if isinstance(a, RemoveCategory)]
    gone = {a.name for a in removals}
    again = [a for a in items if isinstance(a, AddCategory) and a.name in gone]
    rest = [a for a in items if not isinstance(a, RemoveCategory) and a not in again]
    return (*rest, *messages, *removals, *again)


def preview_plan(store: Store, config: Config, network: Network) -> WritebackPlan:
    """What ``apply`` would write to a mailbox that has none of the product's categories and
    tasks yet and whose contacts are the address-book cards read from files (their item ids are
    the cards')."""
    contacts = tuple(
        ContactState(card.item_id, card.full_name, card.addresses, card.categories)
        for card in store.cards()
        if not card.is_me
    )
    state = MailboxState(contacts=contacts)
    words = wording_for(config)
    desired = desired_state(network, None, words, extra=extra_tasks(store, network, config))
    base = plan(desired, state, category_scheme(config, words))
    brief = morning_brief_message(store, network, config)
    return WritebackPlan((*base.actions, *plan_inbox((brief,) if brief else (), (), ())))


@dataclass
class ApplyReport:
    """What an apply or undo did; ``error`` is set when it stopped early."""

    applied: list[Action] = field(default_factory=list)
    planned: int = 0
    error: ConnectorError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None and len(self.applied) == self.planned


def _runs(actions: Sequence[Action], sink: Sink) -> Iterator[list[Action]]:
    """The actions in order: consecutive message actions in batches of ``batch_size``
    messages (a message's actions stay together) for a message sink, every other action on its
    own."""
    size = sink.batch_size if isinstance(sink, MessageSink) else 1
    batch: list[Action] = []
    messages: set[str] = set()
    for action in actions:
        if size > 1 and isinstance(action, SetCategories | SetFlag) and is_message_action(action):
            if action.item_id not in messages and len(messages) == size:
                yield batch
                batch, messages = [], set()
            batch.append(action)
            messages.add(action.item_id)
            continue
        if batch:
            yield batch
            batch, messages = [], set()
        yield [action]
    if batch:
        yield batch


def _carry_out(sink: Sink, run: list[Action]) -> BatchApplied:
    if isinstance(sink, MessageSink) and is_message_action(run[0]):
        return sink.apply_batch(run)
    try:
        return BatchApplied((sink.apply(run[0]),))
    except ConnectorError as exc:
        return BatchApplied((), exc)


def _execute(
    store: Store,
    sink: Sink,
    actions: Sequence[Action],
    report: ApplyReport,
    *,
    run_id: str | None,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run ``actions`` in runs (see :func:`_runs`); journalled unless ``run_id`` is None."""
    for run in _runs(actions, sink):
        if should_stop():
            return
        entries = [] if run_id is None else store.journal_begin(
            sink.name, run_id, run, datetime.now(UTC)
        )  # fmt: skip
        outcome = _carry_out(sink, run)
        if run_id is not None:
            entry_of = {id(action): entry for action, entry in zip(run, entries, strict=True)}
            done: list[tuple[int, Applied]] = [
                (entry_of[id(a.action)], a) for a in outcome.applied
            ]
            store.journal_finish(sink.name, done)
        report.applied.extend(a.action for a in outcome.applied)
        if outcome.error is not None:
            report.error = outcome.error
            return


def apply_plan(
    store: Store,
    sink: Sink,
    actions: WritebackPlan,
    run_id: str,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> ApplyReport:
    """Apply the plan, journalling each action before and after it runs, and remember the marks
    the plan saw the user take off messages.

    Stops at the first connector error (the rest is planned again next run) or when
    ``should_stop`` says so between actions or batches (the agent's safe point).
    """
    if actions.declined:
        store.decline_marks(sink.name, actions.declined, datetime.now(UTC))
    report = ApplyReport(planned=len(actions))
    _execute(store, sink, actions.actions, report, run_id=run_id, should_stop=should_stop)
    return report


def write_back(
    store: Store,
    config: Config,
    network: Network,
    account: AccountConfig,
    sink: Sink,
    *,
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[WritebackPlan, ApplyReport | None]:
    """Plan the account's write-back against its mailbox and, unless ``dry_run``, apply it.

    ``apply`` and the agent's cycle both write back through here, so they plan alike.
    """
    actions = plan_account(store, network, config, account, sink)
    if dry_run:
        return actions, None
    return actions, apply_plan(store, sink, actions, uuid.uuid4().hex, should_stop=should_stop)


def undo(store: Store, sink: Sink, scheme: CategoryScheme) -> ApplyReport:
    """Remove everything the product wrote to this sink's mailbox, and nothing else.

    Undo's own actions are journalled like any other (run ``undo``): if it stops early, the
    entries stay (running undo again finishes the job), and the names it already put back count
    as the product's doing, so a change the user makes before that second run is still told
    apart from ours.
    """
    entries = store.journal(sink.name)
    state = sink.read_state()
    base = (*plan_undo(entries, state, scheme).actions, *plan_inbox_undo(state.inbox))
    message_entries = [e for e in entries if is_message_action(e.action)]
    marked: list[Action] = []
    if message_entries and isinstance(sink, MessageSink):
        refs = sorted(
            {
                (e.action.item_id, e.action.message_id)
                for e in message_entries
                if isinstance(e.action, SetCategories | SetFlag)
            }
        )
        marked = plan_message_undo(message_entries, sink.read_messages(refs))
    # The master list last: the items that use a category are cleared before it goes.
    actions = _master_list_last(base, marked)
    report = ApplyReport(planned=len(actions))
    _execute(store, sink, actions, report, run_id="undo")
    if report.error is None:
        store.journal_undone(sink.name)  # on an error the entries stay: undo again finishes it
    return report


def apply_account(
    workspace: Workspace, account: AccountConfig, *, dry_run: bool
) -> tuple[WritebackPlan, ApplyReport | None]:
    """``outlook-networking apply [--dry-run]`` for one account."""
    connection = workspace.connect(account)
    try:
        return write_back(
            workspace.store,
            workspace.config,
            workspace.network,
            account,
            connection.sink,
            dry_run=dry_run,
        )
    finally:
        connection.close()


def undo_account(workspace: Workspace, account: AccountConfig) -> ApplyReport:
    """``outlook-networking undo`` for one account."""
    connection = workspace.connect(account)
    try:
        config = workspace.config
        return undo(
            workspace.store, connection.sink, category_scheme(config, wording_for(config))
        )
    finally:
        connection.close()
