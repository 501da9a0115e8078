"""Writing the network back into the mailbox: plan, apply with a journal, undo.

Actions run in plan order. Consecutive message actions (categories and flags on messages) go to a
:class:`~outlook_networking.connectors.base.MessageSink` many at a time, ``batch_size`` per call:
all entries of such a batch are journalled before it is sent, and finished, together with what
the messages show now, in one transaction after it.

Exports: ``apply_plan``, ``undo``, ``ApplyReport``, and from :mod:`.plan` the plan types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..connectors.base import (
    Action,
    Applied,
    BatchApplied,
    MessageSink,
    RemoveCategory,
    SetCategories,
    SetFlag,
    Sink,
    is_message_action,
)
from ..errors import ConnectorError
from ..store import Store
from .journal import Journal
from .messages import plan_message_undo
from .plan import CategoryScheme, Desired, WritebackPlan, plan, plan_undo

__all__ = [
    "ApplyReport",
    "CategoryScheme",
    "Desired",
    "WritebackPlan",
    "apply_plan",
    "plan",
    "plan_undo",
    "undo",
]


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
    if len(run) > 1 or (isinstance(sink, MessageSink) and is_message_action(run[0])):
        assert isinstance(sink, MessageSink)
        return sink.apply_batch(run)
    try:
        return BatchApplied((sink.apply(run[0]),))
    except ConnectorError as exc:
        return BatchApplied((), exc)


def _execute(
    sink: Sink,
    actions: Sequence[Action],
    report: ApplyReport,
    *,
    journal: Journal | None = None,
    run_id: str = "",
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    for run in _runs(actions, sink):
        if should_stop():
            return
        entries = journal.begin_many(run_id, run) if journal is not None else []
        outcome = _carry_out(sink, run)
        if journal is not None:
            entry_of = {id(action): entry for action, entry in zip(run, entries, strict=True)}
            done: list[tuple[int, Applied]] = [
                (entry_of[id(a.action)], a) for a in outcome.applied
            ]
            journal.finish_many(done)
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
    """Apply the plan, journaling each action before and after it runs, and remember the marks
    the plan saw the user take off messages.

    Stops at the first connector error (the rest is planned again next run) or when
    ``should_stop`` says so between actions or batches (the agent's safe point).
    """
    journal = Journal(store, sink.name)
    if actions.declined:
        store.decline_marks(sink.name, actions.declined, datetime.now(UTC))
    report = ApplyReport(planned=len(actions))
    _execute(sink, actions.actions, report, journal=journal, run_id=run_id, should_stop=should_stop)
    return report


def undo(store: Store, sink: Sink, scheme: CategoryScheme) -> ApplyReport:
    """Remove everything the product wrote to this sink's mailbox, and nothing else."""
    journal = Journal(store, sink.name)
    entries = journal.entries()
    base = plan_undo(entries, sink.read_state(), scheme).actions
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
    actions = (
        [a for a in base if not isinstance(a, RemoveCategory)]
        + marked
        + [a for a in base if isinstance(a, RemoveCategory)]
    )
    report = ApplyReport(planned=len(actions))
    _execute(sink, actions, report)
    if report.error is None:
        journal.mark_undone()  # on an error the entries stay: running undo again finishes it
    return report
