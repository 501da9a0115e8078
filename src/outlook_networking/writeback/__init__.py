"""Writing the network back into the mailbox: plan, apply with a journal, undo.

Exports: ``apply_plan``, ``undo``, ``ApplyReport``, and from :mod:`.plan` the plan types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..connectors.base import Action, Sink
from ..errors import ConnectorError
from ..store import Store
from .journal import Journal
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


def apply_plan(
    store: Store,
    sink: Sink,
    actions: WritebackPlan,
    run_id: str,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> ApplyReport:
    """Apply the plan action by action, journaling each before and after it runs.

    Stops at the first connector error (the rest is planned again next run) or when
    ``should_stop`` says so between actions (the agent's safe point).
    """
    journal = Journal(store, sink.name)
    report = ApplyReport(planned=len(actions))
    for action in actions.actions:
        if should_stop():
            break
        entry = journal.begin(run_id, action)
        try:
            applied = sink.apply(action)
        except ConnectorError as exc:
            report.error = exc
            break
        journal.finish(entry, applied.item_id)
        report.applied.append(action)
    return report


def undo(store: Store, sink: Sink, scheme: CategoryScheme) -> ApplyReport:
    """Remove everything the product wrote to this sink's mailbox, and nothing else.

    Undo's own actions are journalled like any other: if it stops early, the entries stay (running
    undo again finishes the job), and the names it already put back count as the product's doing,
    so a change the user makes before that second run is still told apart from ours.
    """
    journal = Journal(store, sink.name)
    actions = plan_undo(journal.entries(), sink.read_state(), scheme)
    report = apply_plan(store, sink, actions, "undo")
    if report.complete:
        journal.mark_undone()
    return report
