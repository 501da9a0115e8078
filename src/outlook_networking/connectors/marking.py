"""How a sink marks messages, whatever it speaks: the change on a message as it is now, and one
more try for the messages that changed since the planner saw them.

A batch of message actions (:class:`~.base.SetCategories` on messages, :class:`~.base.SetFlag`)
is written first on the messages as the planner saw them, each guarded by the version the planner
saw (a Graph ``If-Match``, an EWS change key). A message the server says changed since, or one
of no known version, is read again and its change applied to it as it is now: the categories the
action adds and drops, the user's own kept; the flag only if it still shows the status the
planner saw (else the user changed it, and theirs stands). A second lost race is a
:class:`~outlook_networking.errors.Conflict` for that message; the others are done.

Exports: ``MessageChange``, ``Written``, ``change_on``, ``mark_messages``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ..errors import Conflict, ConnectorError, problem
from ..ports import (
    Action,
    Applied,
    BatchApplied,
    FollowUpFlag,
    MessageMarks,
    MessageState,
    SetCategories,
    SetFlag,
    is_message_action,
)

__all__ = ["MessageChange", "Written", "change_on", "mark_messages"]


@dataclass(frozen=True, slots=True)
class MessageChange:
    """What to write on one message: new categories, a new flag (``None``: leave as is)."""

    state: MessageState  # the message the change was computed on (its version guards it)
    categories: tuple[str, ...] | None = None
    flag: FollowUpFlag | None = None

    def after(self, version: str) -> MessageState:
        """The message once written, at its new version."""
        return replace(
            self.state,
            categories=self.state.categories if self.categories is None else self.categories,
            flag=self.state.flag if self.flag is None else self.flag,
            version=version,
        )


@dataclass
class Written:
    """What a sink's write of some messages did: the messages done (``None``: gone), those the
    server says changed since, and the first other error."""

    done: dict[str, MessageState | None] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)
    error: ConnectorError | None = None


def change_on(actions: Sequence[SetCategories | SetFlag], state: MessageState) -> MessageChange:
    """The change one message's actions make on ``state``; no categories and no flag when
    there is nothing (left) to do."""
    categories: tuple[str, ...] | None = None
    flag: FollowUpFlag | None = None
    for action in actions:
        if isinstance(action, SetCategories):
            new = action.applied_to(state.categories)
            if new != tuple(state.categories):
                categories = new
        elif state.flag.status == action.before.status != action.after.status:
            flag = action.after
        # else: the flag is already so, or the user changed it since the plan: theirs stands
    return MessageChange(state, categories, flag)


def _as_planned(item_id: str, actions: Sequence[SetCategories | SetFlag]) -> MessageState:
    """The message as the planner saw it (what the actions' ``before`` say)."""
    state = MessageState(item_id, version=actions[0].version)
    for action in actions:
        if isinstance(action, SetCategories):
            state = replace(state, categories=action.before)
        else:
            state = replace(state, flag=action.before)
    return state


def mark_messages(
    actions: Sequence[Action],
    *,
    account: str,
    write: Callable[[dict[str, MessageChange]], Written],
    read: Callable[[list[str]], dict[str, MessageState]],
) -> BatchApplied:
    """Carry out message actions through a sink's ``write`` (changes by item id; the sink
    guards each by its state's version) and ``read`` (messages by id as they are now)."""
    marking: list[SetCategories | SetFlag] = []
    for action in actions:
        if not is_message_action(action):
            raise TypeError(f"not a message action: {type(action).__name__}")
        assert isinstance(action, SetCategories | SetFlag)
        marking.append(action)
    groups: dict[str, list[SetCategories | SetFlag]] = {}
    for action in marking:
        groups.setdefault(action.item_id, []).append(action)

    done: dict[str, MessageState | None] = {}

    def attempt(states: dict[str, MessageState]) -> Written:
        changes: dict[str, MessageChange] = {}
        for item_id, state in states.items():
            change = change_on(groups[item_id], state)
            if change.categories is None and change.flag is None:
                done[item_id] = state  # nothing (left) to do
            else:
                changes[item_id] = change
        written = write(changes) if changes else Written()
        done.update(written.done)
        return written

    first = attempt({i: _as_planned(i, a) for i, a in groups.items() if a[0].version})
    error = first.error
    stale = first.stale + [i for i in groups if not groups[i][0].version]
    if error is None and stale:
        now = read(stale)
        done.update((i, None) for i in stale if i not in now)
        second = attempt({i: now[i] for i in stale if i in now})
        error = second.error
        if error is None and second.stale:
            error = Conflict(account, problem("message_changed_twice"), item_id=second.stale[0])
    applied = []
    for action in marking:
        if action.item_id in done:
            state = done[action.item_id]
            marks = None if state is None else MessageMarks(
                state.item_id, state.categories, state.flag, state.version
            )  # fmt: skip
            applied.append(Applied(action, action.item_id, marks))
    return BatchApplied(tuple(applied), error)
