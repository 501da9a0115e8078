"""``followups``: what needs doing, most pressing first, one row per person; ``followups done KEY``
and ``followups snooze KEY --until DATE``.

The order is the core's (:func:`~outlook_networking.core.followups.by_urgency`), the same the
report, the add-in and the tasks use. Each item shows its short key (seven hex digits; any
unambiguous start of four or more, or the whole key from ``--json``, names it). Done and snoozed
follow-ups are kept in the store, so the next analysis, the tasks ``apply`` writes (a done one's
task is completed, a snoozed one's due date moves) and the add-in's card follow them.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from ..app.answers import Listed, Open, snooze
from ..app.answers import done as mark_done
from ..app.workspace import Workspace
from ..core.followups import URGENCY, matching, short_key
from ..core.views import envelope, iso
from ..errors import UsageError
from ..i18n import Wording
from ..i18n.labels import followup_kind
from ..model import TIERS
from .network import non_negative
from .options import open_workspace
from .output import (
    Column,
    console,
    err_console,
    fit,
    left_out,
    local,
    paged,
    print_json,
    say,
)
from .output import table as render_table
from .parser import add_command

__all__ = ["register"]

KINDS = (*URGENCY,)


def _kind(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _until(w: Wording, text: str) -> datetime:
    """``--until``: a day (its start, local time) or a time (local unless it says its zone)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            w.gettext("not a date: {text}; write it like 2026-12-15 or 2026-12-15T09:00").format(
                text=repr(text)
            )
        ) from None
    return value.astimezone(UTC)  # a naive value is local time


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    followups = add_command(
        commands,
        "followups",
        common,
        words=w,
        help=w.gettext("what needs doing, most pressing first; `done` and `snooze` deal with one"),
        description=w.gettext(
            "Replies you owe, answers you await, favours to return, outreach nobody "
            "answers, the annual review, cooling relationships and people to keep in touch with: "
            "one row per person with every reason, most pressing first (the report's order). "
            "KEY is the short key in the Key column or the key of `followups --json`."
        ),
        examples=[
            "followups",
            "followups --kind owed_reply",
            "followups --tier A --limit 10",
            "followups --addresses",
            "followups done 3f9a2c1",
            "followups snooze 3f9a2c1 --until 2026-12-15",
            "followups --json",
        ],
    )
    followups.add_argument(
        "--kind",
        type=_kind,
        choices=KINDS,
        metavar="KIND",
        help=w.gettext("only this kind, e.g. --kind owed_reply (one of {kinds})").format(
            kinds=", ".join(KINDS)
        ),
    )
    followups.add_argument(
        "--tier", choices=TIERS, type=str.upper,
        help=w.gettext("only contacts of this tier, e.g. --tier A"),
    )
    followups.add_argument(
        "--limit",
        type=partial(non_negative, w),
        default=0,
        metavar="N",
        help=w.gettext("show the N most pressing people, e.g. --limit 10 (default 0: all)"),
    )
    followups.add_argument(
        "--addresses", action="store_true",
        help=w.gettext("show each person's address beside the name"),
    )
    followups.add_argument(
        "--json", action="store_true",
        help=w.gettext("print the follow-ups as JSON (docs/json.md)"),
    )
    followups.set_defaults(handler=_list)
    actions = followups.add_subparsers(
        dest="action", metavar="ACTION", title=w.gettext("dealing with one")
    )
    done = add_command(
        actions,
        "done",
        common,
        words=w,
        help=w.gettext("mark follow-ups done: they stay closed and their tasks are completed"),
        description=w.gettext(
            "Mark each KEY done. It disappears from `followups`, the report and the "
            "add-in, and the next `apply` (or agent cycle) completes its task. It comes back only "
            "if the situation changes (a new message, a new favour)."
        ),
        examples=["followups done 3f9a2c1", "followups done 3f9a2c1 b07e4d2"],
    )
    done.add_argument(
        "keys", nargs="+", metavar="KEY",
        help=w.gettext("short keys or keys, e.g. 3f9a2c1"),
    )
    done.set_defaults(handler=_done)
    snooze = add_command(
        actions,
        "snooze",
        common,
        words=w,
        help=w.gettext("put follow-ups off until a date; their tasks' due dates move"),
        description=w.gettext(
            "Put each KEY off until DATE: it is listed after everything else until "
            "then, and the next `apply` moves its task's due date there."
        ),
        examples=["followups snooze 3f9a2c1 --until 2026-12-15"],
    )
    snooze.add_argument(
        "keys", nargs="+", metavar="KEY",
        help=w.gettext("short keys or keys, e.g. 3f9a2c1"),
    )
    snooze.add_argument(
        "--until",
        type=partial(_until, w),
        required=True,
        metavar="DATE",
        help=w.gettext("when it is due again, e.g. --until 2026-12-15 (local time)"),
    )
    snooze.set_defaults(handler=_snooze)


# --- listing --------------------------------------------------------------------------------------


def _chosen(
    followups: list[Listed], args: argparse.Namespace
) -> tuple[list[list[Listed]], int]:
    """The follow-ups the filters let through, grouped by person (most pressing person first),
    the first ``--limit`` people of them; and how many people there were."""
    people: dict[str | None, list[Listed]] = {}
    for followup in followups:
        if args.kind and followup.kind != args.kind:
            continue
        if args.tier and followup.tier != args.tier:
            continue
        people.setdefault(followup.contact, []).append(followup)
    groups = list(people.values())
    return (groups[: args.limit] if args.limit else groups), len(groups)


def _list(args: argparse.Namespace) -> int:
    with open_workspace(args, need="data") as workspace:
        answers = workspace.answers
        every = answers.followups()
        groups, total = _chosen(every, args)
        if args.json:  # most pressing first, not grouped: a script groups as it likes
            chosen = {id(f) for group in groups for f in group}
            items = [f.text for f in every if id(f) in chosen]
            workspace.done_reading()
            print_json(envelope("followups", answers.as_of), listed=("followups", items))
            return 0
        rows = [json.loads(f.text) for group in groups for f in group]
        workspace.done_reading()
        with paged():
            _print(rows, len(groups), total, answers.as_of, args.addresses, workspace.words)
    return 0


def _columns(w: Wording) -> dict[str, Column]:
    """The table's columns by key (the headings are the language's)."""
    return {
        # TRANSLATORS: table headings of `followups`; keep them short
        "who": Column(w.gettext("Who"), rank=0),
        "address": Column(w.gettext("Address"), rank=0),
        "tier": Column(w.gettext("Tier"), rank=4),
        "what": Column(w.gettext("What"), rank=0),
        "due": Column(w.gettext("Due"), rank=2),
        "key": Column(w.gettext("Key"), rank=1),
        "why": Column(w.gettext("Why"), rank=0, flexible=24),
    }


def _print(
    items: list[dict[str, Any]],
    people: int,
    total: int,
    now: datetime,
    addresses: bool,
    w: Wording,
) -> None:
    """A table where the reasons get room enough, else (a narrow terminal) one block per
    person with each reason under its follow-up."""
    grouped: dict[str | None, list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(item["contact"], []).append(item)
    title = w.gettext("Follow-ups as of {time}, most pressing first").format(
        time=local(iso(now), w, time=True)
    )
    chosen = {k: c for k, c in _columns(w).items() if addresses or k != "address"}
    keys, columns = tuple(chosen), tuple(chosen.values())
    unwrapped = [_cells(group, keys, 10_000, w) for group in grouped.values()]
    widths = fit(columns, unwrapped, console.width)
    why = keys.index("why")
    if widths[why] >= _WHY_IN_A_TABLE:
        rows = [_cells(group, keys, widths[why], w) for group in grouped.values()]
        console.print(render_table(title, columns, rows, widths))
        notes = [left_out(columns, widths, w)]
    else:
        console.print(title, style="bold", markup=False, highlight=False)
        for group in grouped.values():
            _block(group, addresses, w)
        notes = []
    if not items:
        console.print(w.gettext("Nothing to follow up."), markup=False)
        return
    things = w.ngettext("{count} follow-up", "{count} follow-ups", len(items))
    persons = w.ngettext("{count} person", "{count} people", total)
    values = {"count": w.number(total)}
    summary = (
        w.gettext("{shown} of {people} shown ({things}); --limit 0 shows all.")
        if people < total
        else w.gettext("{people}, {things}.")
    ).format(
        shown=w.number(people),
        people=persons.format(**values),
        things=things.format(count=w.number(len(items))),
    )
    for line in (
        summary,
        *notes,
        w.gettext(
            "Done with one? `followups done KEY`. Later? `followups snooze KEY --until DATE`."
        ),
    ):
        if line:
            console.print(line, markup=False, highlight=False)


_WHY_IN_A_TABLE = 50  # narrower, and a reason takes four lines: blocks read better


def _who(item: dict[str, Any], w: Wording) -> str:
    return str(item["name"] or item["contact"] or w.gettext("everyone"))


def _what(item: dict[str, Any], w: Wording) -> str:
    label = followup_kind(w, item["kind"])
    return label + (w.gettext(" (snoozed)") if item["snoozed"] else "")


def _cells(
    group: list[dict[str, Any]], keys: tuple[str, ...], wrap: int, w: Wording
) -> list[str]:
    """One person's row: each follow-up's lines, the reasons wrapped to ``wrap``, the other
    columns padded so every follow-up starts on the same line in each column."""
    lines: dict[str, list[str]] = {"what": [], "due": [], "key": [], "why": []}
    for item in group:
        reason = textwrap.wrap(item["reason"], max(wrap, 10)) or [""]
        pad = [""] * (len(reason) - 1)
        lines["what"] += [_what(item, w), *pad]
        lines["due"] += [local(item["due"], w), *pad]
        lines["key"] += [item["short_key"], *pad]
        lines["why"] += reason
    first = group[0]
    row = {
        "who": _who(first, w),
        "address": first["contact"] or "",
        "tier": first["tier"] or "",
        **{key: "\n".join(text) for key, text in lines.items()},
    }
    return [row[key] for key in keys]


def _block(group: list[dict[str, Any]], addresses: bool, w: Wording) -> None:
    first = group[0]
    who = _who(first, w)
    if addresses and first["contact"]:
        who += f" <{first['contact']}>"
    if first["tier"]:
        who += f" · {first['tier']}"
    console.print()
    console.print(who, style="bold", markup=False, highlight=False)
    for item in group:
        due = (
            w.gettext("until {date}") if item["snoozed"] else w.gettext("due {date}")
        ).format(date=local(item["due"], w))
        console.print(
            f"  {_what(item, w)} · {due} · {item['short_key']}", markup=False, highlight=False
        )
        say(item["reason"], indent=4, hang=4)


# --- done and snooze ----------------------------------------------------------------------------


def _resolve(
    followups: list[Open], done: dict[str, str], keys: list[str], w: Wording
) -> list[Open | str]:
    """Each key's follow-up, or the key itself when it names one already done."""
    found: list[Open | str] = []
    for text in keys:
        hits = matching(followups, text)
        if len(hits) > 1:
            listed = ", ".join(f.key for f in hits)
            raise UsageError(
                w.gettext("{text} names {count} follow-ups ({listed}); give more of it").format(
                    text=repr(text), count=len(hits), listed=listed
                )
            )
        if hits:
            found.append(hits[0])
            continue
        closed = [k for k in done if k == text or short_key(k).startswith(text.lower())]
        if len(text) >= 4 and closed:
            found.append(closed[0])
            continue
        raise UsageError(
            w.gettext("no open follow-up {text}; `outlook-networking followups` lists them").format(
                text=repr(text)
            )
        )
    return found


def _described(followup: Open, w: Wording) -> str:
    label, key = followup_kind(w, followup.kind), short_key(followup.key)
    if followup.tier is None:  # no contact's (the annual review), or no contact any more
        return f"{label} ({key})"
    return w.gettext("{label} for {name} ({key})").format(
        label=label, name=followup.name or followup.contact, key=key
    )


def _decide(args: argparse.Namespace, act: Callable[[Workspace, Open | str], None]) -> int:
    """Run ``act`` on each KEY's follow-up (or on the key, when it names one already done),
    found among the open follow-ups the answers list (kept from the last analysis while the
    store is unchanged: at a million interactions, no minute's analysis to mark one done)."""
    with open_workspace(args, need="data") as workspace:
        done = dict(workspace.store.followup_decisions().done)
        listed = [Open.of(listed) for listed in workspace.answers.followups()]
        for found in _resolve(listed, done, args.keys, workspace.words):
            act(workspace, found)
    return 0


def _done(args: argparse.Namespace) -> int:
    def mark(workspace: Workspace, found: Open | str) -> None:
        w = workspace.words
        if isinstance(found, str):
            err_console.print(
                w.gettext("{key} was already done: nothing changed.").format(key=short_key(found)),
                markup=False,
            )
            return
        mark_done(workspace.store, workspace.answers, found, workspace.now)
        err_console.print(
            w.gettext(
                "Done: {what}. It stays closed; the next `apply` completes its task."
            ).format(what=_described(found, w)),
            markup=False,
        )

    return _decide(args, mark)


def _snooze(args: argparse.Namespace) -> int:
    def put_off(workspace: Workspace, found: Open | str) -> None:
        w = workspace.words
        until = local(iso(args.until), w, time=True)
        if args.until <= workspace.now:
            raise UsageError(
                w.gettext("--until {until} is not after now ({now})").format(
                    until=until, now=local(iso(workspace.now), w, time=True)
                )
            )
        if isinstance(found, str):
            raise UsageError(
                w.gettext("{key} is done; there is nothing to snooze").format(key=found)
            )
        what = _described(found, w)
        if args.until <= found.due and not found.snoozed:
            raise UsageError(
                w.gettext("{what} is not due before {date} anyway").format(
                    what=what, date=local(iso(found.due), w)
                )
            )
        snooze(workspace.store, workspace.answers, found, args.until, workspace.now)
        err_console.print(
            w.gettext(
                "Snoozed until {until}: {what}. The next `apply` moves its task's due date."
            ).format(until=until, what=what),
            markup=False,
        )

    return _decide(args, put_off)
