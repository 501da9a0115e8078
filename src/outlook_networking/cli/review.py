"""``review`` (the annual review, ``--save`` keeps it as next year's baseline) and ``ledger`` (give
and take; ``ledger dismiss ID`` marks a detected item wrong).

Nothing is cut silently: the review lists every name of every tier (long output goes through
$PAGER on a terminal), and the ledger's lists say "15 of 40" and how to see the rest. What a
command changes it confirms: what was saved, what was dismissed, what already was.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

from ..core.ledger import Balance
from ..core.scoring import shown_score
from ..core.views import iso
from ..errors import UsageError
from ..i18n import Wording
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


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    review = add_command(
        commands,
        "review",
        common,
        words=w,
        help=w.gettext(
            "the annual review: each tier's list, the changes since last year, the clean-up"
        ),
        description=w.gettext(
            "The yearly clean-up of the network, done with the Christmas cards: every "
            "person of every tier (A a signed card, B a numbered one, C a print, D drops out), who "
            "moved since the review you saved last year, the D clean-up list, target organisations "
            "without an A or B contact, and who gives the most."
        ),
        examples=["review", "review --save", "review --json"],
    )
    review.add_argument(
        "--save",
        action="store_true",
        help=w.gettext("keep this review as the baseline next year's changes are measured against"),
    )
    review.add_argument(
        "--json", action="store_true", help=w.gettext("print the review as JSON (docs/json.md)")
    )
    review.set_defaults(handler=_review)

    ledger = add_command(
        commands,
        "ledger",
        common,
        words=w,
        help=w.gettext(
            "give and take per contact; `ledger dismiss ID` marks a detected item wrong"
        ),
        description=w.gettext(
            "Who gives the most, whom you give to without return, and who gives to "
            "you while you have given nothing back, over the last year (docs/ledger.md)."
        ),
        examples=["ledger", "ledger --limit 0", "ledger --json", "ledger dismiss intro:3f9a2c"],
    )
    ledger.add_argument(
        "--limit",
        type=partial(non_negative, w),
        default=15,
        metavar="N",
        help=w.gettext("rows per list, e.g. --limit 5 (default 15; 0: all)"),
    )
    ledger.add_argument(
        "--json", action="store_true", help=w.gettext("print the ledger as JSON (docs/json.md)")
    )
    ledger.set_defaults(handler=_ledger)
    actions = ledger.add_subparsers(dest="action", metavar="ACTION", title=w.gettext("corrections"))
    dismiss = add_command(
        actions,
        "dismiss",
        common,
        words=w,
        help=w.gettext("mark detected items wrong, for good"),
        description=w.gettext(
            "Mark each ID (the `id` of an item in `ledger --json`) as detected wrongly: "
            "it no longer counts, now or in any later analysis."
        ),
        examples=["ledger dismiss intro:3f9a2c"],
    )
    dismiss.add_argument(
        "items", nargs="+", metavar="ID",
        help=w.gettext("item ids from `ledger --json`"),
    )
    dismiss.set_defaults(handler=_dismiss)


# --- review ---------------------------------------------------------------------------------------


def _review(args: argparse.Namespace) -> int:
    from ..app.answers import review_saved
    from ..core.views import review_json

    with open_workspace(args, need="data") as workspace:
        previous = workspace.store.review_snapshot()
        doc, snapshot = review_json(workspace.network, previous, workspace.now)
        ledger = workspace.ledger
        doc["top_givers"] = [_short_balance(b) for b in ledger.top_givers(10)]
        doc["one_sided"] = {
            "you_give_without_return": [_short_balance(b) for b in ledger.invests_without_return],
            "they_give_without_return": [_short_balance(b) for b in ledger.gives_without_return],
        }
        if args.save:
            review_saved(workspace.store, snapshot)
        if args.json:
            print_json(doc)
        else:
            with paged():
                _print_review(doc, workspace.words)
        if args.save:
            w = workspace.words
            replaced = previous is not None and previous.get("year") == doc["year"]
            tiers = ", ".join(f"{t} {w.number(n)}" for t, n in doc["counts"].items())
            saved = (
                w.gettext(
                    "Replaced the saved review of {year} ({tiers}) in {store}: next year's "
                    "review shows the changes against it."
                )
                if replaced
                else w.gettext(
                    "Saved the review of {year} ({tiers}) in {store}: next year's review shows "
                    "the changes against it."
                )
            )
            err_console.print(
                saved.format(year=doc["year"], tiers=tiers, store=workspace.db_path),
                markup=False,
            )
    return 0


def _line(text: str = "", *, bold: bool = False) -> None:
    console.print(text, markup=False, highlight=False, style="bold" if bold else "")


def _person(entry: dict[str, Any]) -> str:
    name = entry.get("name") or ""
    return f"{name} <{entry['address']}>" if name else entry["address"]


def _print_review(doc: dict[str, Any], w: Wording) -> None:
    as_of = local(doc["as_of"], w)
    title = (
        w.gettext("Annual review {year} as of {date}, compared with the review saved in {previous}")
        if doc["previous_year"]
        else w.gettext(
            "Annual review {year} as of {date}; no saved review to compare with yet (`review "
            "--save` keeps this one)"
        )
    ).format(year=doc["year"], date=as_of, previous=doc["previous_year"])
    say(title, hang=0, bold=True)
    for tier in TIERS:
        people = doc["tiers"].get(tier, [])
        _line()
        _line(f"{tier} ({w.number(len(people))})", bold=True)
        for entry in people:
            line = w.gettext("{person} · score {score} · last {date}").format(
                person=_person(entry),
                score=w.number(shown_score(entry["score"])),
                date=local(entry["last_contact"], w),
            )
            say(line, indent=2)
        if not people:
            _line("  " + w.gettext("nobody"))
    changes = doc["changes"]
    titles = {
        "moved_up": w.gettext("Moved up"),
        "moved_down": w.gettext("Moved down"),
        # TRANSLATORS: the review's list of people new in the network
        "new": w.gettext("New"),
        # TRANSLATORS: the review's list of people no longer in the network
        "gone": w.gettext("Gone"),
    }
    for key, title in titles.items():
        if changes[key]:
            _line()
            _line(f"{title} ({w.number(len(changes[key]))})", bold=True)
            for change in changes[key]:
                moved = f"{change['before'] or '–'} → {change['after'] or '–'}"
                say(f"{_person(change)}: {moved}", indent=2)
    _line()
    _line(
        w.gettext("Clean-up: D, who fell from a higher tier first ({count})").format(
            count=w.number(len(doc["cleanup"]))
        ),
        bold=True,
    )
    for entry in doc["cleanup"]:
        last = local(entry["last_contact"], w)
        line = (
            w.gettext("{person}, was {tier} · last {date}")
            if entry["previous_tier"]
            else w.gettext("{person} · last {date}")
        ).format(person=_person(entry), tier=entry["previous_tier"], date=last)
        say(line, indent=2)
    if doc["targets_without_ab"]:
        _line()
        _line(w.gettext("Target organisations without an A or B contact"), bold=True)
        say(", ".join(doc["targets_without_ab"]), indent=2)
    if doc["top_givers"]:
        _line()
        _line(w.gettext("Who gave you the most"), bold=True)
        for giver in doc["top_givers"]:
            say(
                w.gettext("{person} · received {received}, given {given}").format(
                    person=_balance_who(giver),
                    received=w.number(giver["received"]),
                    given=w.number(giver["given"]),
                ),
                indent=2,
            )


def _balance_who(balance: dict[str, Any]) -> str:
    return f"{balance['name']} <{balance['contact']}>" if balance["name"] else balance["contact"]


def _short_balance(balance: Balance) -> dict[str, Any]:
    return {
        "contact": balance.contact,
        "name": balance.name or None,
        "given": balance.given_count,
        "received": balance.received_count,
    }


# --- ledger ---------------------------------------------------------------------------------------


def _ledger(args: argparse.Namespace) -> int:
    from ..core.ledger import ledger_json

    with open_workspace(args, need="data") as workspace:
        if args.json:
            print_json(ledger_json(workspace.ledger, workspace.words))
            return 0
        with paged():
            _print_ledger(workspace.ledger, args.limit, workspace.words)
    return 0


def _ledger_columns(w: Wording) -> tuple[Column, ...]:
    return (
        Column(w.gettext("Contact"), rank=0, flexible=20),
        # TRANSLATORS: table headings of `ledger`: what you gave, what you received
        Column(w.gettext("Given"), rank=0, justify="right"),
        Column(w.gettext("Received"), rank=0, justify="right"),
    )


def _print_ledger(ledger: Any, limit: int, w: Wording) -> None:
    lists = (
        (w.gettext("Who gives the most"), ledger.top_givers(len(ledger.balances))),
        (w.gettext("You give, nothing comes back"), ledger.invests_without_return),
        (w.gettext("They give, you have given nothing back"), ledger.gives_without_return),
    )
    since, until = local(iso(ledger.since), w), local(iso(ledger.now), w)
    _line(w.gettext("Give and take, {since} to {until}").format(since=since, until=until),
          bold=True)  # fmt: skip
    columns = _ledger_columns(w)
    for title, balances in lists:
        shown = balances[:limit] if limit else balances
        rows = [
            [f"{b.name} <{b.contact}>" if b.name else b.contact, w.number(b.given_count),
             w.number(b.received_count)]
            for b in shown
        ]  # fmt: skip
        widths = fit(columns, rows, console.width)
        _line()
        if not rows:
            _line(title, bold=True)
            _line("  " + w.gettext("nobody"))
            continue
        console.print(render_table(title, columns, rows, widths))
        if len(shown) < len(balances):
            _line(
                w.ngettext(
                    "{shown} of {total} contact; --limit 0 shows all.",
                    "{shown} of {total} contacts; --limit 0 shows all.",
                    len(balances),
                ).format(shown=w.number(len(shown)), total=w.number(len(balances)))
            )
        note = left_out(columns, widths, w)
        if note:
            _line(note)


def _dismiss(args: argparse.Namespace) -> int:
    with open_workspace(args, need="data") as workspace:
        workspace.keeping = False  # the dismissal ends them
        w = workspace.words
        dismissed = workspace.store.dismissed()
        for item_id in args.items:
            if workspace.ledger.item(item_id) is None and item_id not in dismissed:
                raise UsageError(
                    w.gettext("no ledger item {item}; `ledger --json` lists them").format(
                        item=repr(item_id)
                    )
                )
        fresh = list(dict.fromkeys(i for i in args.items if i not in dismissed))
        for item_id in fresh:
            workspace.store.dismiss(item_id, workspace.now)
        for item_id in dict.fromkeys(i for i in args.items if i in dismissed):
            err_console.print(
                w.gettext("{item} was already dismissed: nothing changed.").format(item=item_id),
                markup=False,
            )
        if fresh:
            err_console.print(
                w.ngettext(
                    "Dismissed {count} item ({items}); they stay dismissed in every later "
                    "analysis.",
                    "Dismissed {count} items ({items}); they stay dismissed in every later "
                    "analysis.",
                    len(fresh),
                ).format(count=w.number(len(fresh)), items=", ".join(fresh)),
                markup=False,
            )
    return 0
