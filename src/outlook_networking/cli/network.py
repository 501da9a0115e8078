"""Commands that show the analysed network: contacts, contact, followups, review, ledger, report,
export.

Tables are rendered from the same JSON documents ``--json`` prints (``docs/json.md``), so what a
person reads and what a script reads cannot drift apart.

Exports: ``register``, ``print_contacts``.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from rich.table import Table

from ..app.workspace import Workspace
from ..errors import UsageError
from ..model import TIERS
from ..parsing.addresses import normalise
from .options import open_workspace
from .output import console, err_console, print_json

__all__ = ["print_contacts", "register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    contacts = commands.add_parser(
        "contacts",
        parents=[common],
        help="the ranked network; `contacts merge A B` / `contacts split A` correct identities",
    )
    contacts.add_argument("action", nargs="?", choices=("list", "merge", "split"), default="list")
    contacts.add_argument("addresses", nargs="*", metavar="ADDR")
    contacts.add_argument("--tier", choices=TIERS, type=str.upper)
    contacts.add_argument("--limit", type=int, default=0, help="show at most N rows")
    contacts.add_argument("--json", action="store_true", help="print JSON (docs/json.md)")
    contacts.set_defaults(handler=_contacts)

    contact = commands.add_parser("contact", parents=[common], help="one contact in full")
    contact.add_argument("address", metavar="ADDR")
    contact.add_argument("--json", action="store_true")
    contact.set_defaults(handler=_contact)

    followups = commands.add_parser("followups", parents=[common], help="what needs doing")
    followups.add_argument("--json", action="store_true")
    followups.set_defaults(handler=_followups)

    review = commands.add_parser("review", parents=[common], help="the annual review")
    review.add_argument("--json", action="store_true")
    review.add_argument(
        "--save",
        action="store_true",
        help="keep this review as the baseline for next year's changes",
    )
    review.set_defaults(handler=_review)

    ledger = commands.add_parser(
        "ledger",
        parents=[common],
        help="give and take per contact; `ledger dismiss ID` marks a detected item wrong",
    )
    ledger.add_argument("action", nargs="?", choices=("show", "dismiss"), default="show")
    ledger.add_argument("items", nargs="*", metavar="ID")
    ledger.add_argument("--json", action="store_true", help="print JSON (docs/ledger.md)")
    ledger.add_argument("--limit", type=int, default=15, help="rows per list (default 15)")
    ledger.set_defaults(handler=_ledger)


def _days_ago(iso: str | None, now: datetime) -> str:
    if not iso:
        return "–"
    days = (now - datetime.fromisoformat(iso)).days
    return "today" if days <= 0 else f"{days} d"


def print_contacts(workspace: Workspace, *, tier: str | None, limit: int) -> None:
    from ..core.views import contacts_json

    rows = contacts_json(workspace.network, workspace.now, words=workspace.words)
    if tier:
        rows = [r for r in rows if r["tier"] == tier]
    if limit:
        rows = rows[:limit]
    table = Table(title=f"Your network as of {workspace.now:%Y-%m-%d}", title_justify="left")
    for column, justify in (
        ("Tier", "center"),
        ("Score", "right"),
        ("Name", "left"),
        ("Address", "left"),
        ("Last", "right"),
        ("Sent", "right"),
        ("Recv", "right"),
        ("Meet", "right"),
        ("Why", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        reasons = row.get("reasons") or [""]
        table.add_row(
            row["tier"],
            f"{row['score']:.0f}",
            row["name"] or "",
            row["address"],
            _days_ago(row["last_contact"], workspace.now),
            str(row["sent"]),
            str(row["received"]),
            str(row["meetings"]),
            reasons[0],
        )
    console.print(table)


def _contacts(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        if args.action == "merge":
            return _merge(workspace, args.addresses)
        if args.action == "split":
            return _split(workspace, args.addresses)
        if args.addresses:
            raise UsageError("contacts takes no addresses; did you mean `contact ADDR`?")
        if args.json:
            from ..core.views import contacts_json

            rows = contacts_json(workspace.network, workspace.now, words=workspace.words)
            print_json([r for r in rows if not args.tier or r["tier"] == args.tier])
        else:
            print_contacts(workspace, tier=args.tier, limit=args.limit)
    return 0


def _addresses(raw: list[str], count: int, usage: str) -> list[str]:
    addresses = [normalise(a) for a in raw]
    if len(addresses) != count or not all(addresses):
        raise UsageError(usage)
    return addresses


def _merge(workspace: Workspace, raw: list[str]) -> int:
    first, second = _addresses(raw, 2, "usage: contacts merge ADDR ADDR")
    workspace.store.set_identity(second, first, "merged by you")
    err_console.print(f"{second} is now the same person as {first}.")
    return 0


def _split(workspace: Workspace, raw: list[str]) -> int:
    (address,) = _addresses(raw, 1, "usage: contacts split ADDR")
    workspace.store.set_identity(address, "", "split by you")
    err_console.print(f"{address} is now a person of its own.")
    return 0


def _contact(args: argparse.Namespace) -> int:
    from ..core.views import contact_json

    with open_workspace(args) as workspace:
        address = normalise(args.address)
        if not address:
            raise UsageError(f"not an e-mail address: {args.address}")
        view = workspace.network.find(address)
        if view is None:
            return _stranger(workspace, address, args.json)
        doc = contact_json(view, workspace.now, workspace.words)
        doc["balance"] = _balance(workspace, view.person.key)
        if args.json:
            print_json(doc)
        else:
            _print_contact(doc, workspace.now)
    return 0


def _stranger(workspace: Workspace, address: str, as_json: bool) -> int:
    """Someone who is no contact: whom the owner may know them through, if anyone."""
    from ..core.intro import find_paths, stranger_json
    from .intro import print_stranger

    found = find_paths(workspace.network, workspace.ledger.items, address, limit=1).paths
    if not found:
        raise UsageError(f"{address} is not a contact in {workspace.db_path}")
    doc = stranger_json(workspace.network, address, found[0])
    if as_json:
        print_json(doc)
    else:
        print_stranger(doc)
    return 0


def _balance(workspace: Workspace, person: str) -> dict[str, Any]:
    from ..core.ledger import balance_json

    return balance_json(workspace.ledger.balance(person), with_items=True)


def _print_contact(doc: dict[str, Any], now: datetime) -> None:
    console.print(f"[bold]{doc.get('name') or doc['address']}[/bold]  <{doc['address']}>")
    if len(doc.get("addresses", [])) > 1:
        console.print("Also: " + ", ".join(a for a in doc["addresses"] if a != doc["address"]))
    console.print(f"Tier [bold]{doc['tier']}[/bold], score {doc['score']:.0f}")
    for reason in doc.get("reasons", []):
        console.print(f"  • {reason}")
    if doc.get("next_step"):
        console.print(f"Next step: {doc['next_step']}")
    since = _days_ago(doc["last_contact"], now)
    console.print(
        f"First contact {doc['first_contact'] or '–'}, last {doc['last_contact'] or '–'} "
        f"({since}{'' if since in ('today', '–') else ' ago'})"
    )
    console.print(
        f"Mail: {doc['sent']} sent, {doc['received']} received; {doc['meetings']} meetings"
    )
    console.print(
        f"Replies: you answered {doc.get('replies_sent', 0)}, they answered "
        f"{doc.get('replies_received', 0)}; threads started by you "
        f"{doc.get('started_by_me', 0)}, by them {doc.get('started_by_them', 0)}"
    )
    balance = doc.get("balance")
    if balance:
        console.print(f"Give and take: you gave {balance['given']}, received {balance['received']}")
    for item in doc.get("followups", []):
        console.print(f"Follow-up ({item['kind']}, due {item['due']}): {item['reason']}")


def _followups(args: argparse.Namespace) -> int:
    from ..core.views import followups_json

    with open_workspace(args) as workspace:
        rows = followups_json(workspace.network, workspace.now, words=workspace.words)
        if args.json:
            print_json(rows)
            return 0
        table = Table(title=f"Follow-ups as of {workspace.now:%Y-%m-%d}", title_justify="left")
        for column in ("Due", "Kind", "Contact", "Reason"):
            table.add_column(column)
        for row in rows:
            table.add_row(row["due"][:10], row["kind"], row["contact"], row["reason"])
        console.print(table)
    return 0


def _review(args: argparse.Namespace) -> int:
    from ..core.views import review_json

    with open_workspace(args) as workspace:
        previous = workspace.store.review_snapshot()
        doc, snapshot = review_json(workspace.network, previous, workspace.now)
        doc["top_givers"] = [_short_balance(b) for b in workspace.ledger.top_givers(10)]
        doc["one_sided"] = {
            "you_give_without_return": [
                _short_balance(b) for b in workspace.ledger.invests_without_return
            ],
            "they_give_without_return": [
                _short_balance(b) for b in workspace.ledger.gives_without_return
            ],
        }
        if args.save:
            workspace.store.keep_review_snapshot(snapshot)
        if args.json:
            print_json(doc)
            return 0
        _print_review(doc)
    return 0


def _print_review(doc: dict[str, Any]) -> None:
    console.print(f"[bold]Annual review {doc.get('as_of', '')[:10]}[/bold]")
    for tier, people in doc.get("tiers", {}).items():
        console.print(f"\n[bold]{tier}[/bold] ({len(people)})")
        for person in people[:50]:
            console.print(f"  {person.get('name') or ''} <{person['address']}>")
    for title, key in (
        ("Moved up", "moved_up"),
        ("Moved down", "moved_down"),
        ("New", "new"),
        ("Clean-up (D)", "cleanup"),
    ):
        items = doc.get("changes", {}).get(key) or doc.get(key) or []
        if items:
            console.print(f"\n[bold]{title}[/bold] ({len(items)})")
            for person in items[:50]:
                console.print(f"  {person.get('address', person)}")


def _short_balance(balance: Any) -> dict[str, Any]:
    return {
        "contact": balance.contact,
        "name": balance.name,
        "given": balance.given_count,
        "received": balance.received_count,
    }


def _ledger(args: argparse.Namespace) -> int:
    from ..core.ledger import ledger_json

    with open_workspace(args) as workspace:
        if args.action == "dismiss":
            if not args.items:
                raise UsageError("usage: ledger dismiss ID [ID ...] (ids from `ledger --json`)")
            dismissed = workspace.store.dismissed()
            for item_id in args.items:
                if workspace.ledger.item(item_id) is None and item_id not in dismissed:
                    raise UsageError(f"no ledger item {item_id!r}; `ledger --json` lists them")
            for item_id in args.items:
                workspace.store.dismiss(item_id, workspace.now)
            err_console.print(f"Dismissed {len(args.items)} item(s); they stay dismissed.")
            return 0
        if args.items:
            raise UsageError("ledger takes no ids unless you dismiss them: `ledger dismiss ID`")
        if args.json:
            print_json(ledger_json(workspace.ledger, workspace.words))
            return 0
        _print_ledger(workspace, args.limit)
    return 0


def _print_ledger(workspace: Workspace, limit: int) -> None:
    ledger = workspace.ledger
    lists = (
        ("Who gives the most", ledger.top_givers(limit)),
        ("You give, nothing comes back", ledger.invests_without_return[:limit]),
        ("They give, you have given nothing back", ledger.gives_without_return[:limit]),
    )
    for title, balances in lists:
        table = Table(title=title, title_justify="left")
        for column, justify in (("Contact", "left"), ("Given", "right"), ("Received", "right")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for b in balances:
            label = f"{b.name} <{b.contact}>" if b.name else b.contact
            table.add_row(label, str(b.given_count), str(b.received_count))
        console.print(table)

