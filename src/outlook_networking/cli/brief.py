"""``brief [--date DAY] [--json]`` and ``note ADDR TEXT | --list | --delete ID``.

The brief and the notes come from the application layer (:mod:`outlook_networking.app.brief`,
:mod:`outlook_networking.app.cards`), the same documents the add-in shows; this module only
prints them. Everything a person or an address book wrote (names, subjects, notes) is printed
as plain text, never as rich markup.

Exports: ``register``, ``print_notes``.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from functools import partial
from typing import Any

from rich.markup import escape
from rich.text import Text

from ..app.brief import brief_day, brief_doc, brief_zone
from ..app.cards import add_note, delete_note, note_json
from ..app.workspace import Workspace
from ..core.views import envelope
from ..errors import UsageError
from ..i18n import Wording
from ..i18n.labels import followup_kind, key_date_kind
from ..parsing.addresses import normalise
from .options import open_workspace
from .output import console, err_console, print_json
from .parser import add_command

__all__ = ["print_notes", "register"]


def _day(w: Wording, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            w.gettext("not a day (YYYY-MM-DD): {text}").format(text=repr(text))
        ) from None


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    brief = add_command(
        commands,
        "brief",
        common,
        words=w,
        help=w.gettext("the day's meetings with a card per attendee, and what falls due"),
        description=w.gettext(
            "The meetings of a day (today unless --date) from the synced or ingested "
            "calendar, each attendee's card (tier, last contact, open follow-ups, give and take, "
            "key dates coming up, your notes; the organizer first), and the follow-ups falling due "
            "that day."
        ),
        examples=["brief", "brief --date 2026-11-30", "brief --json > brief.json"],
    )
    brief.add_argument(
        "--date", metavar="DAY", type=partial(_day, w), help=w.gettext("the day (YYYY-MM-DD)")
    )
    brief.add_argument("--json", action="store_true", help=w.gettext("print JSON (docs/json.md)"))
    brief.set_defaults(handler=_brief)

    note = add_command(
        commands,
        "note",
        common,
        words=w,
        help=w.gettext("your own notes about a person, kept on this computer only"),
        description=w.gettext(
            "`note ADDR TEXT` keeps a note, `note ADDR --list` shows them, "
            "`note ADDR --delete ID` removes one. Notes never go to the mailbox; `export --vcf` "
            "includes them, `forget` removes them."
        ),
        examples=[
            'note anna@alpha.example "Prefers calls in the morning"',
            "note anna@alpha.example --list",
            "note anna@alpha.example --delete 3",
        ],
    )
    note.add_argument("address", metavar="ADDR", help=w.gettext("any of the person's addresses"))
    note.add_argument(
        "text", nargs="*", metavar="TEXT",
        help=w.gettext("the note (the rest of the line)"),
    )
    what = note.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help=w.gettext("show the notes about ADDR"))
    what.add_argument("--delete", metavar="ID", type=int, help=w.gettext("remove note ID"))
    note.add_argument("--json", action="store_true", help=w.gettext("print JSON (with --list)"))
    note.set_defaults(handler=_note, rest="text")  # `note ADDR --db X "text"` too


# --- brief ---------------------------------------------------------------------------------------


def _brief(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        zone = brief_zone(workspace.config)
        day = args.date or brief_day(workspace.now, zone)
        answers = workspace.answers
        doc = brief_doc(answers, workspace.store, day, zone)
        workspace.done_reading()
        if args.json:
            print_json(doc)
        else:
            _print_brief(doc, zone, answers.as_of, workspace.words)
    return 0


def _clock(iso_time: str, zone: Any) -> str:
    return f"{datetime.fromisoformat(iso_time).astimezone(zone):%H:%M}"


def _ago(iso_time: str | None, now: datetime, w: Wording) -> str:
    if not iso_time:
        return w.gettext("never")
    days = (now - datetime.fromisoformat(iso_time)).days
    if days <= 0:
        return w.gettext("today")
    if days == 1:
        return w.gettext("yesterday")
    return w.ngettext("{count} day ago", "{count} days ago", days).format(count=w.number(days))


def _say(text: str, indent: int = 0) -> None:
    """Plain text (never markup) ``indent`` columns in; a line too long for the terminal goes
    on two columns further in, so a wrapped follow-up or note still reads as one."""
    lines = Text(text).wrap(console, max(console.width - indent - 2, 20))
    for number, line in enumerate(lines):
        line.rstrip()
        console.print(Text(" " * (indent + (2 if number else 0))) + line, soft_wrap=True)


def _print_person(card: dict[str, Any], now: datetime, w: Wording) -> None:
    marks = []
    if card.get("organizer"):
        # TRANSLATORS: the meeting's organizer (Outlook: Organisator)
        marks.append(w.gettext("organizer"))
    if card.get("external"):
        marks.append(w.gettext("external"))
    if not card.get("known"):
        marks.append(w.gettext("not in your network"))
        _say(f"{card['address']} ({', '.join(marks)})", 2)
    else:
        label = card.get("name") or card["address"]
        marks.insert(0, w.gettext("tier {tier}").format(tier=card["tier"]))
        balance = card.get("balance") or {}
        _say(f"{label} <{card['address']}> ({', '.join(marks)})", 2)
        _say(
            w.gettext("last contact {ago}; you gave {given}, received {received}").format(
                ago=_ago(card.get("last_contact"), now, w),
                given=w.number(balance.get("given", 0)),
                received=w.number(balance.get("received", 0)),
            ),
            4,
        )
        kinds = set()
        for item in card.get("followups", []):
            kinds.add(item["kind"])
            _say(f"{followup_kind(w, item['kind'])}: {item['reason']}", 4)
        for key_date in card.get("key_dates", []):
            if key_date["kind"] not in kinds:  # a birthday reminder already says it
                _say(_key_date_line(key_date, w), 4)
    for note in card.get("notes", []):
        _say(w.gettext("note {id}: {text}").format(id=note["id"], text=note["text"]), 4)


def _key_date_line(key_date: dict[str, Any], w: Wording) -> str:
    on = w.day_month(date.fromisoformat(key_date["next"]))
    days = key_date["in_days"]
    when = (
        w.gettext("today")
        if days == 0
        else w.ngettext("in {count} day", "in {count} days", days).format(count=w.number(days))
    )
    kind = key_date_kind(w, key_date["kind"])
    if key_date.get("years"):
        years = w.ngettext("{count} year", "{count} years", key_date["years"]).format(
            count=w.number(key_date["years"])
        )
        return w.gettext("{kind} {on} ({when}, {years})").format(
            kind=kind, on=on, when=when, years=years
        )
    return w.gettext("{kind} {on} ({when})").format(kind=kind, on=on, when=when)


def _print_brief(doc: dict[str, Any], zone: Any, now: datetime, w: Wording) -> None:
    day = w.full_date(date.fromisoformat(doc["date"]))
    title = w.gettext("Brief for {day}").format(day=day)
    console.print(f"[bold]{escape(title)}[/bold] ({doc['time_zone']})")
    if not doc["meetings"]:
        _say(w.gettext("No meetings."))
    for meeting in doc["meetings"]:
        times = f"{_clock(meeting['start'], zone)}–{_clock(meeting['end'], zone)}"
        console.print()
        subject = meeting["subject"] or w.gettext("(no subject)")
        _say(f"{times}  {subject}")
        if not meeting["people"]:
            _say("  " + w.gettext("only you"))
        for card in meeting["people"]:
            _print_person(card, now, w)
    if doc["followups"]:
        console.print()
        due_today = w.gettext("Due today")
        console.print(f"[bold]{escape(due_today)}[/bold]")
        for item in doc["followups"]:
            _say(f"{followup_kind(w, item['kind'])}: {item['reason']}", 2)
    if doc["overdue"]:
        console.print()
        _say(
            w.ngettext(
                "{count} follow-up fell due before today: `outlook-networking followups`",
                "{count} follow-ups fell due before today: `outlook-networking followups`",
                doc["overdue"],
            ).format(count=w.number(doc["overdue"]))
        )


# --- notes ---------------------------------------------------------------------------------------


def print_notes(notes: list[dict[str, Any]]) -> None:
    """Notes as ``[ID] DAY text``, continuation lines indented (plain text, never markup)."""
    for note in notes:
        _say(f"[{note['id']}] {note['at'][:10]} {note['text']}", 2)


def _note(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        w = workspace.words
        if args.delete is not None:
            if args.text:
                raise UsageError(w.gettext("usage: note ADDR --delete ID (no text)"))
            removed = delete_note(
                workspace.store, args.address, args.delete, w,
                addresses=_addresses(workspace, args.address),
            )  # fmt: skip
            err_console.print(
                w.gettext("Removed note {id} about {address}.").format(
                    id=removed.id, address=removed.address
                ),
                markup=False,
            )
            return 0
        if args.list or not args.text:
            return _list(workspace, args.address, as_json=args.json)
        note = add_note(workspace.store, args.address, " ".join(args.text), workspace.now, w)
        known = workspace.answers.card(note.address) is not None
        kept = (
            w.gettext("Kept note {id} about {address}.")
            if known
            else w.gettext(
                "Kept note {id} about {address} (not a contact yet: `contact` and the brief "
                "show it already)."
            )
        )
        err_console.print(kept.format(id=note.id, address=note.address), markup=False)
    return 0


def _addresses(workspace: Workspace, address: str) -> tuple[str, ...]:
    """Every address of the person ``address`` belongs to (from the answers: kept while the
    store is unchanged, so no analysis), or just ``address`` for someone who is no contact."""
    card = workspace.answers.card(address)
    workspace.done_reading()
    return tuple(card["addresses"]) if card is not None else (normalise(address) or address,)


def _list(workspace: Workspace, raw: str, *, as_json: bool) -> int:
    w = workspace.words
    address = normalise(raw)
    if not address:
        raise UsageError(w.gettext("not an e-mail address: {value}").format(value=raw))
    notes = [note_json(n) for n in workspace.store.notes(_addresses(workspace, address))]
    if as_json:
        print_json({**envelope("note", workspace.now), "address": address, "notes": notes})
        return 0
    if not notes:
        _say(w.gettext("No notes about {address}.").format(address=address))
        return 0
    print_notes(notes)
    return 0
