"""Commands that show and correct the people of the network: ``contacts`` (and ``contacts merge``,
``contacts split``) and ``contact ADDR`` (``contact ADDR --birthday DAY | --anniversary DAY`` also
enters a key date by hand); and ``rebuild``, which analyses the store afresh and keeps the answers.

Tables are rendered from the same JSON documents ``--json`` prints (``docs/json.md``), so what a
person reads and what a script reads cannot drift apart. Corrections check first: an address
that is no contact, a merge of one person with themselves and a split of an address that was
never merged are said, not done.

Exports: ``register``, ``print_contacts``, ``days_ago``, ``non_negative``, ``address_arg``.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ..app.workspace import Workspace
from ..core.scoring import shown_score
from ..core.views import iso
from ..errors import UsageError
from ..i18n import Wording
from ..i18n.labels import followup_kind, key_date_kind
from ..model import KEY_DATE_KINDS, TIERS
from ..parsing.addresses import normalise
from ..parsing.dates import parse_key_date
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
    table,
)
from .parser import add_command

__all__ = ["address_arg", "days_ago", "non_negative", "print_contacts", "register"]


def non_negative(w: Wording, text: str) -> int:
    """An argparse type (``partial(non_negative, w)``): a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            w.gettext("not a whole number: {text}").format(text=repr(text))
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(
            w.gettext("must be 0 or more, not {value}").format(value=value)
        )
    return value


def address_arg(w: Wording, text: str) -> str:
    """An argparse type (``partial(address_arg, w)``): an e-mail address, normalised."""
    address = normalise(text)
    if not address:
        raise argparse.ArgumentTypeError(
            w.gettext("not an e-mail address: {text}").format(text=repr(text))
        )
    return address


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    contacts = add_command(
        commands,
        "contacts",
        common,
        words=w,
        help=w.gettext(
            "the ranked network, strongest first; `merge` and `split` correct who is who"
        ),
        description=w.gettext(
            "Every contact with tier, score, days since the last two-way contact, mail "
            "and meetings, and the first reason for the tier. Columns that do not fit the terminal "
            "give way (a line says which); long lists go through $PAGER on a terminal."
        ),
        examples=[
            "contacts",
            "contacts --tier A",
            "contacts --limit 20",
            "contacts --json > network.json",
            "contacts merge anna@alpha.example anna.berg@gmail.example",
            "contacts split anna.berg@gmail.example",
        ],
    )
    contacts.add_argument(
        "--tier", choices=TIERS, type=str.upper, help=w.gettext("only this tier, e.g. --tier A")
    )
    contacts.add_argument(
        "--limit",
        type=partial(non_negative, w),
        default=0,
        metavar="N",
        help=w.gettext("show the strongest N, e.g. --limit 20 (default 0: all)"),
    )
    contacts.add_argument(
        "--json", action="store_true", help=w.gettext("print the contacts as JSON (docs/json.md)")
    )
    contacts.set_defaults(handler=_contacts)
    actions = contacts.add_subparsers(
        dest="action", metavar="ACTION", title=w.gettext("corrections")
    )
    merge = add_command(
        actions,
        "merge",
        common,
        words=w,
        help=w.gettext("make two addresses one person"),
        description=w.gettext(
            "Make ADDR2 the same person as ADDR1 (both must be contacts). The "
            "correction is kept and wins over the automatic merging."
        ),
        examples=["contacts merge anna@alpha.example anna.berg@gmail.example"],
    )
    merge.add_argument(
        "first", type=partial(address_arg, w), metavar="ADDR1",
        help=w.gettext("the person's address"),
    )
    merge.add_argument(
        "second", type=partial(address_arg, w), metavar="ADDR2",
        help=w.gettext("the address that is the same person"),
    )
    merge.set_defaults(handler=_merge)
    split = add_command(
        actions,
        "split",
        common,
        words=w,
        help=w.gettext("make an address a person of its own again"),
        description=w.gettext(
            "Take ADDR out of the person it was merged into (by a shared address-book "
            "card, the same name at the same organisation, or `contacts merge`)."
        ),
        examples=["contacts split anna.berg@gmail.example"],
    )
    split.add_argument(
        "address", type=partial(address_arg, w), metavar="ADDR",
        help=w.gettext("the address to split off"),
    )
    split.set_defaults(handler=_split)

    contact = add_command(
        commands,
        "contact",
        common,
        words=w,
        help=w.gettext("one contact in full; --birthday/--anniversary enter a key date"),
        description=w.gettext(
            "Everything known about one person: first, last and last two-way contact, "
            "mail and meetings each way, reply times, give and take, open follow-ups, key dates, "
            "your notes and the smallest step up. ADDR may be any of the person's addresses. "
            "--birthday and --anniversary enter a date by hand (MM-DD or YYYY-MM-DD; 'none' "
            "removes yours); it wins over the address book's."
        ),
        examples=[
            "contact anna@alpha.example",
            "contact anna@alpha.example --json",
            "contact anna@alpha.example --birthday 03-22",
        ],
    )
    contact.add_argument(
        "address", type=partial(address_arg, w), metavar="ADDR",
        help=w.gettext("any of their addresses"),
    )
    contact.add_argument(
        "--json", action="store_true", help=w.gettext("print the contact as JSON (docs/json.md)")
    )
    for kind in KEY_DATE_KINDS:
        contact.add_argument(
            f"--{kind}",
            metavar="DAY",
            dest=f"set_{kind}",
            help=w.gettext("{kind}, entered by hand").format(kind=key_date_kind(w, kind)),
        )
    contact.set_defaults(handler=_contact)

    rebuild = add_command(
        commands,
        "rebuild",
        common,
        words=w,
        help=w.gettext("analyse every interaction afresh and keep the answers"),
        description=w.gettext(
            "Analyse the store afresh from every interaction, whatever was kept, and keep the "
            "answers for the commands after it: after a change to the settings (the first "
            "command after one analyses too, a minute at a million interactions), or to be sure "
            "nothing kept is stale. A bar shows how far it got on a terminal."
        ),
        examples=["rebuild"],
    )
    rebuild.set_defaults(handler=_rebuild)


def days_ago(days: int | None, w: Wording) -> str:
    """``today``, ``1 day ago``, ``24 days ago``, or ``–``."""
    if days is None:
        return "–"
    if days <= 0:
        return w.gettext("today")
    return w.ngettext("{count} day ago", "{count} days ago", days).format(count=w.number(days))


def _contact_columns(w: Wording) -> tuple[Column, ...]:
    return (
        # TRANSLATORS: table headings of `contacts`; keep them short
        Column(w.gettext("Tier"), rank=0),
        Column(w.gettext("Score"), rank=1, justify="right"),
        Column(w.gettext("Name"), rank=0),
        Column(w.gettext("Address"), rank=4),
        Column(w.gettext("Last two-way"), rank=3, justify="right"),
        # TRANSLATORS: table heading: messages sent (short)
        Column(w.gettext("Sent"), rank=5, justify="right"),
        # TRANSLATORS: table heading: messages received (short)
        Column(w.gettext("Recv"), rank=6, justify="right"),
        # TRANSLATORS: table heading: meetings (short)
        Column(w.gettext("Meet"), rank=7, justify="right"),
        Column(w.gettext("Why"), rank=2, flexible=36),
    )


def print_contacts(
    rows: list[dict[str, Any]], total: int, now: datetime, w: Wording, rest: str | None = None
) -> None:
    """The contacts table; ``total`` is how many there were before ``--limit``, and ``rest``
    says how to see the others when fewer are shown (default: ``--limit 0 shows all``)."""
    cells = [
        [
            row["tier"],
            w.number(shown_score(row["score"])),
            row["name"] or row["address"],
            row["address"],
            days_ago(row["days_since_two_way"], w),
            w.number(row["sent"]),
            w.number(row["received"]),
            w.number(row["meetings"]),
            (row.get("reasons") or [""])[0],
        ]
        for row in rows
    ]
    columns = _contact_columns(w)
    widths = fit(columns, cells, console.width)
    title = w.gettext("Your network as of {time}").format(time=local(iso(now), w, time=True))
    console.print(table(title, columns, cells, widths))
    rest = w.gettext("--limit 0 shows all") if rest is None else rest
    shown = (
        w.ngettext(
            "{shown} of {total} contact shown, strongest first; {rest}.",
            "{shown} of {total} contacts shown, strongest first; {rest}.",
            total,
        )
        if len(rows) < total
        else w.ngettext(
            "{total} contact, strongest first.", "{total} contacts, strongest first.", total
        )
    ).format(shown=w.number(len(rows)), total=w.number(total), rest=rest)
    for line in (shown, left_out(columns, widths, w)):
        if line:
            console.print(line, markup=False, highlight=False)


def _contacts(args: argparse.Namespace) -> int:
    from ..core.views import envelope

    with open_workspace(args, need="data") as workspace:
        answers = workspace.answers
        tier = args.tier.upper() if args.tier else None
        shown, total = answers.contacts(tier, args.limit or None)
        if args.json:
            print_json(
                envelope("contacts", answers.as_of),
                listed=("contacts", shown),
                let_go=workspace.done_reading,
            )
            return 0
        rows = [json.loads(row) for row in shown]
        workspace.done_reading()
        with paged():
            print_contacts(rows, total, answers.as_of, workspace.words)
    return 0


def _person(workspace: Workspace, address: str) -> str:
    """The person ``address`` belongs to; a usage error for your own or an unknown address.
    (From the answers: kept while the store is unchanged, so no analysis to find them.)"""
    w = workspace.words
    answers = workspace.answers
    if address in answers.owner:
        raise UsageError(
            w.gettext("{address} is your own address, not a contact").format(address=address)
        )
    card = answers.card(address)
    if card is None:
        raise UsageError(_not_a_contact(workspace, address, listed=True))
    return str(card["address"])  # the person's key


def _card(workspace: Workspace, person: str) -> dict[str, Any]:
    card = workspace.answers.card(person)
    assert card is not None, person  # (a person _person found)
    return card


def _not_a_contact(workspace: Workspace, address: str, *, listed: bool = False) -> str:
    w = workspace.words
    if listed:
        return w.gettext("{address} is not a contact in {store}; `contacts` lists them").format(
            address=address, store=workspace.db_path
        )
    return w.gettext("{address} is not a contact in {store}").format(
        address=address, store=workspace.db_path
    )


def _who(workspace: Workspace, person: str) -> str:
    card = _card(workspace, person)
    return f"{card['name']} <{card['address']}>" if card["name"] else str(card["address"])


def _rebuild(args: argparse.Namespace) -> int:
    with open_workspace(args, need="data") as workspace:
        done = workspace.rebuild()
        w = workspace.words
        said = w.gettext("Analysed {interactions}: {contacts} and {followups} ({time}).").format(
            interactions=w.ngettext(
                "{n} interaction", "{n} interactions", done.interactions
            ).format(n=w.number(done.interactions)),
            contacts=w.ngettext("{n} contact", "{n} contacts", done.contacts).format(
                n=w.number(done.contacts)
            ),
            followups=w.ngettext(
                "{n} open follow-up", "{n} open follow-ups", done.followups
            ).format(n=w.number(done.followups)),
            time=w.seconds(round(done.seconds, 1)),
        )
        if done.kept:
            kept = w.gettext("The next commands answer from it.")
        elif workspace.now_given:  # a replay keeps nothing where answers as of now are kept
            kept = w.gettext("The answers kept as of now stay: a replay (--now) keeps nothing.")
        else:
            kept = w.gettext(
                "The store could not keep the answers (it is read-only or busy): the next "
                "command analyses again."
            )
        err_console.print(f"{said} {kept}", markup=False)
    return 0


def _merge(args: argparse.Namespace) -> int:
    with open_workspace(args, need="data") as workspace:
        w = workspace.words
        first, second = _person(workspace, args.first), _person(workspace, args.second)
        if first == second:
            err_console.print(
                w.gettext(
                    "{first} and {second} are already the same person ({who}): nothing changed."
                ).format(first=args.first, second=args.second, who=_who(workspace, first)),
                markup=False,
            )
            return 0
        workspace.store.set_identity(args.second, args.first, "")  # the phrase says "by you"
        err_console.print(
            w.gettext(
                "Merged: {second} ({who_second}) is now the same person as {who_first}. "
                "`contacts split {second}` undoes it."
            ).format(
                second=args.second,
                who_second=_who(workspace, second),
                who_first=_who(workspace, first),
            ),
            markup=False,
        )
    return 0


def _split(args: argparse.Namespace) -> int:
    with open_workspace(args, need="data") as workspace:
        w = workspace.words
        person = _person(workspace, args.address)
        addresses = _card(workspace, person)["addresses"]
        if len(addresses) == 1:
            err_console.print(
                w.gettext(
                    "{address} was not merged with anyone: nothing to split, nothing changed."
                ).format(address=args.address),
                markup=False,
            )
            return 0
        workspace.store.set_identity(args.address, "", "")
        others = ", ".join(a for a in addresses if a != args.address)
        err_console.print(
            w.gettext("Split: {address} is now a person of its own, apart from {others}.").format(
                address=args.address, others=others
            ),
            markup=False,
        )
    return 0


def _contact(args: argparse.Namespace) -> int:
    from ..app.answers import key_dates_entered
    from ..core.views import envelope

    with open_workspace(args, need="data") as workspace:
        w = workspace.words
        address = args.address
        if address in workspace.answers.owner:
            raise UsageError(
                w.gettext(
                    "{address} is you, the mailbox's owner; `contacts` lists the rest"
                ).format(address=address)
            )
        entered = _entered_dates(args)
        if entered and workspace.answers.card(address) is None:
            raise UsageError(_not_a_contact(workspace, address))
        if entered and not key_dates_entered(
            workspace.store, workspace.answers, workspace.config, w, address, entered
        ):
            workspace.reanalyse()  # the new date may raise a birthday follow-up
        card = workspace.answers.card(address)
        if card is None:
            return _stranger(workspace, address, args.json)
        doc = {**envelope("contact", workspace.answers.as_of), **card}
        workspace.done_reading()
        if args.json:
            print_json(doc)
        else:
            with paged():
                _print_contact(doc, w)
    return 0


def _entered_dates(args: argparse.Namespace) -> dict[str, Any]:
    """kind → the KeyDate given (None for 'none': remove the hand-entered one)."""
    entered: dict[str, Any] = {}
    for kind in KEY_DATE_KINDS:
        raw = getattr(args, f"set_{kind}", None)
        if raw is None:
            continue
        if raw.strip().lower() == "none":
            entered[kind] = None
            continue
        key_date = parse_key_date(kind, raw)
        if key_date is None or "T" in raw:
            raise UsageError(
                args.words.gettext("--{kind}: not a day: {raw} (MM-DD or YYYY-MM-DD)").format(
                    kind=kind, raw=repr(raw)
                )
            )
        entered[kind] = key_date
    return entered


def _stranger(workspace: Workspace, address: str, as_json: bool) -> int:
    """Someone who is no contact: whom the owner may know them through, and the owner's notes."""
    from ..app.cards import stranger_card
    from ..core.views import envelope
    from .brief import print_notes
    from .intro import print_stranger

    w = workspace.words
    doc = stranger_card(workspace.insight, workspace.store, address)
    if doc is None:
        raise UsageError(_not_a_contact(workspace, address))
    doc = {**envelope("contact", workspace.now), **doc}
    if as_json:
        print_json(doc)
        return 0
    if "intro" in doc:
        print_stranger(doc, w)
    else:
        console.print(
            w.gettext("{address} is not in your network yet.").format(address=address),
            markup=False,
        )
    if doc["notes"]:
        console.print(w.gettext("Your notes:"))
        print_notes(doc["notes"])
    return 0


def _line(text: str = "") -> None:
    console.print(text, markup=False, highlight=False)


def _print_contact(doc: dict[str, Any], w: Wording) -> None:
    title = f"{doc['name']} <{doc['address']}>" if doc.get("name") else doc["address"]
    console.print(title, style="bold", markup=False, highlight=False)
    others = [a for a in doc["addresses"] if a != doc["address"]]
    if others:
        _line(w.gettext("Also: {addresses}").format(addresses=", ".join(others)))
    if doc.get("organisation"):
        _line(doc["organisation"])
    score = w.number(shown_score(doc["score"]))
    if doc.get("pinned") and doc.get("rank"):
        line = w.gettext(
            "Tier {tier} (pinned in the configuration), score {score}, rank {rank}"
        )
    elif doc.get("pinned"):
        line = w.gettext("Tier {tier} (pinned in the configuration), score {score}")
    elif doc.get("rank"):
        line = w.gettext("Tier {tier}, score {score}, rank {rank}")
    else:
        line = w.gettext("Tier {tier}, score {score}")
    _line(line.format(tier=doc["tier"], score=score, rank=w.number(doc.get("rank") or 0)))
    for reason in doc.get("reasons", []):
        say(f"• {reason}", indent=2, hang=4)
    if doc.get("next_step"):
        _line(w.gettext("Next step: {step}").format(step=doc["next_step"]))
    _line()
    _line(
        w.gettext("Last two-way contact: {date} ({ago})").format(
            date=local(doc["last_two_way"], w), ago=days_ago(doc["days_since_two_way"], w)
        )
    )
    _line(
        w.gettext("Last contact of any kind: {time}").format(
            time=local(doc["last_contact"], w, time=True)
        )
    )
    _line(w.gettext("First contact: {date}").format(date=local(doc["first_contact"], w)))
    if doc.get("next_meeting"):
        _line(
            w.gettext("Next meeting: {time}").format(
                time=local(doc["next_meeting"], w, time=True)
            )
        )
    meetings = w.ngettext("{count} meeting", "{count} meetings", doc["meetings"])
    _line(
        w.gettext("Mail: {sent} sent, {received} received; {meetings}").format(
            sent=w.number(doc["sent"]),
            received=w.number(doc["received"]),
            meetings=meetings.format(count=w.number(doc["meetings"])),
        )
    )
    _line(
        w.gettext(
            "Replies: you answered {mine}, they answered {theirs}; threads started by you "
            "{started_by_me}, by them {started_by_them}"
        ).format(
            mine=w.number(doc["replies_sent"]),
            theirs=w.number(doc["replies_received"]),
            started_by_me=w.number(doc["started_by_me"]),
            started_by_them=w.number(doc["started_by_them"]),
        )
    )
    mine, theirs = doc["median_reply_latency_s"], doc["their_median_reply_latency_s"]
    if mine is not None or theirs is not None:
        _line(
            w.gettext("Median reply time: you {mine}, they {theirs}").format(
                mine=_duration(mine, w), theirs=_duration(theirs, w)
            )
        )
    balance = doc.get("balance")
    if balance:
        _line(
            w.gettext("Give and take: you gave {given}, received {received}").format(
                given=w.number(balance["given"]), received=w.number(balance["received"])
            )
        )
    if doc["followups"]:
        _line()
        _line(w.gettext("Open follow-ups, most pressing first:"))
    for item in doc["followups"]:
        label = followup_kind(w, item["kind"])
        due = (
            w.gettext("snoozed until {date}") if item["snoozed"] else w.gettext("due {date}")
        ).format(date=local(item["due"], w))
        _line(
            w.gettext("  {label}, {due} (key {key})").format(
                label=label, due=due, key=item["short_key"]
            )
        )
        say(item["reason"], indent=4, hang=4)
    if doc.get("key_dates"):
        _line()
    for key_date in doc.get("key_dates", []):
        days = key_date["in_days"]
        when = (
            w.gettext("today")
            if days == 0
            else w.ngettext("in {count} day", "in {count} days", days).format(
                count=w.number(days)
            )
        )
        _line(
            w.gettext("{kind}: {date} (next {next}, {when})").format(
                kind=key_date_kind(w, key_date["kind"]),
                date=key_date["date"],
                next=local(key_date["next"], w),
                when=when,
            )
        )
    if doc.get("notes"):
        from .brief import print_notes

        _line()
        _line(w.gettext("Your notes:"))
        print_notes(doc["notes"])


def _duration(seconds: int | None, w: Wording) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        # TRANSLATORS: minutes, short
        return w.gettext("{count} min").format(count=w.number(max(1, round(seconds / 60))))
    return w.duration(timedelta(seconds=seconds))
