"""Categories and follow-up flags on the messages themselves, through the command line, against
the EWS and the Graph test servers (``tag_messages = true``, owed replies as flags).

The story, with the user's hand in it: ``sync`` and ``apply`` tag every message of the window
with its person's tier and flag the messages the owner owes an answer to; the owner replies and
that flag completes; the user takes a category off one message and clears a flag on another, and
the next ``apply`` leaves both alone; a person moves from B to C and their messages lose the B
category, while the user adds a category of their own between ``sync`` and ``apply`` (the write
meets a newer change key / etag, is read again and keeps it); a tagged message is moved to
another folder (a new id on EWS); ``undo`` gives every message back as it was, item by item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.cli import main
from servers.either import exchange_server
from servers.ews import EWSServer
from servers.graph import GraphServer

NOW = datetime.now(UTC).replace(microsecond=0)
ME = "me@example.com"
ANN = "ann@partner.example"  # pinned to B, later to C
BOB = "bob@client.example"  # pinned to A
NEWS = "news@letters.example"
TOKEN = "marks-token"
EWS_T = "{http://schemas.microsoft.com/exchange/services/2006/types}"
USER_LIST = (
    b'<?xml version="1.0"?><categories default="Red category" lastSavedSession="3" '
    b'xmlns="CategoryList.xsd"><category name="Customer" color="4" keyboardShortcut="0" '
    b'guid="{11111111-2222-3333-4444-555555555555}" renameOnFirstUse="0"/></categories>'
)

# A message as a user sees it, whatever its id or folder: categories, flag status, flag days.
Seen = tuple[tuple[str, ...], str, str, str]


@dataclass
class Backend:
    config: str
    add_mail: Callable[..., None]  # (folder, subject, sender, to, at, mid, irt=, categories=)
    set_categories: Callable[[str, list[str]], None]  # by Internet Message-ID, as the user does
    clear_flag: Callable[[str], None]
    move: Callable[[str], None]  # to another folder
    messages: Callable[[], dict[str, Seen]]  # Internet Message-ID -> what the user sees
    master: Callable[[], Any]


def _ignore(_: object) -> None:
    return None


def _day(text: str | None) -> str:
    return (text or "")[:10]


def _ews_backend(server: EWSServer) -> Backend:
    box = server.mailbox
    folders = {"inbox": "inbox", "sent": "sentitems"}
    box.set_category_list(USER_LIST)
    archive = box.add_folder("Archive", parent="msgfolderroot")

    def find(mid: str) -> str:
        return next(i for i, item in box.items.items() if item.text("InternetMessageId") == mid)

    def add_mail(folder: str, subject: str, sender: str, to: str, at: datetime, mid: str,
                 irt: str | None = None, categories: tuple[str, ...] = ()) -> None:  # fmt: skip
        box.add_message(
            folders[folder], subject=subject, sender=sender, to=[to], sent=at, received=at,
            message_id=mid, in_reply_to=irt, categories=categories,
        )  # fmt: skip

    def seen(item: Any) -> Seen:
        flag = item.fields.get("Flag")
        status = "NotFlagged" if flag is None else flag.findtext(f"{EWS_T}FlagStatus")
        start = None if flag is None else flag.findtext(f"{EWS_T}StartDate")
        due = None if flag is None else flag.findtext(f"{EWS_T}DueDate")
        return tuple(item.value("Categories") or ()), status, _day(start), _day(due)

    return Backend(
        config=f'connector = "ews"\nendpoint = "{server.url}"\n',
        add_mail=add_mail,
        set_categories=lambda mid, cats: box.set_fields(find(mid), Categories=cats or None),
        clear_flag=lambda mid: box.flag(find(mid), "NotFlagged"),
        move=lambda mid: _ignore(box.move(find(mid), archive)),
        messages=lambda: {
            item.text("InternetMessageId") or "": seen(item)
            for item in box.items.values()
            if item.kind == "Message"
        },
        master=box.category_list,
    )


def _graph_backend(server: GraphServer) -> Backend:
    folders = {"inbox": "inbox", "sent": "sentitems"}
    server.add_category("Customer", "preset4")

    def find(mid: str) -> str:
        return next(
            i
            for items in server.snapshot()["messages"].values()
            for i, m in items.items()
            if m["internetMessageId"] == mid
        )

    def add_mail(folder: str, subject: str, sender: str, to: str, at: datetime, mid: str,
                 irt: str | None = None, categories: tuple[str, ...] = ()) -> None:  # fmt: skip
        server.add_message(
            folders[folder], subject=subject, sender=sender, to=[to], sent=at,
            internet_message_id=mid, in_reply_to=irt, categories=categories,
            conversation_id=f"conv-{(irt or mid).strip('<>')}",
        )  # fmt: skip

    def seen(message: dict[str, Any]) -> Seen:
        flag = message["flag"]
        status = {"notFlagged": "NotFlagged", "flagged": "Flagged", "complete": "Complete"}
        return (
            tuple(message["categories"]),
            status[flag["flagStatus"]],
            _day((flag.get("startDateTime") or {}).get("dateTime")),
            _day((flag.get("dueDateTime") or {}).get("dateTime")),
        )

    return Backend(
        config=f'connector = "graph"\ngraph_url = "{server.url}"\n',
        add_mail=add_mail,
        set_categories=lambda mid, cats: server.update_message(find(mid), categories=cats),
        clear_flag=lambda mid: server.update_message(find(mid), flag={"flagStatus": "notFlagged"}),
        move=lambda mid: _ignore(server.move_message(find(mid), "archive")),
        messages=lambda: {
            m["internetMessageId"]: seen(m)
            for items in server.snapshot()["messages"].values()
            for m in items.values()
        },
        master=lambda: sorted(
            (c["displayName"], c["color"]) for c in server.snapshot()["masterCategories"]
        ),
    )


@pytest.fixture(params=["ews", "graph"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    with exchange_server(request.param, token=TOKEN, upn=ME) as server:
        if isinstance(server, EWSServer):
            yield _ews_backend(server)
        else:
            yield _graph_backend(server)


def _configure(tmp_path: Path, backend: Backend, ann_tier: str) -> None:
    (tmp_path / "config.toml").write_text(
        f'[[accounts]]\nname = "work"\naddress = "{ME}"\nauth = "token"\ntag_messages = true\n'
        + backend.config
        + f'\n[tiers.pinned]\n"{ANN}" = "{ann_tier}"\n"{BOB}" = "A"\n',
        encoding="utf-8",
    )


def _run(tmp_path: Path, *args: str) -> int:
    return main(
        ["--db", str(tmp_path / "network.sqlite3"), "--config", str(tmp_path / "config.toml"),
         "--now", NOW.isoformat(), *args]
    )  # fmt: skip


def _seed(backend: Backend) -> dict[str, datetime]:
    """Ann and Bob write and are answered; an old thread, a newsletter, two open questions."""
    when: dict[str, datetime] = {}

    def mail(folder: str, subject: str, sender: str, to: str, at: datetime, mid: str,
             irt: str | None = None, categories: tuple[str, ...] = ()) -> None:  # fmt: skip
        when[mid] = at
        backend.add_mail(folder, subject, sender, to, at, mid, irt, categories)

    for week in range(6):
        at = NOW - timedelta(days=7 * week + 10)
        for who, tag in ((ANN, "ann"), (BOB, "bob")):
            cats = ("Customer",) if (tag, week) == ("ann", 2) else ()
            mail("inbox", f"{tag} topic {week}", who, ME, at, f"<{tag}{week}@x.example>",
                 categories=cats)  # fmt: skip
            mail("sent", f"Re: {tag} topic {week}", ME, who, at + timedelta(hours=3),
                 f"<me-{tag}{week}@example.com>", f"<{tag}{week}@x.example>")  # fmt: skip
    mail("inbox", "Old times", ANN, ME, NOW - timedelta(days=200), "<ann-old@x.example>")
    mail("sent", "Re: Old times", ME, ANN, NOW - timedelta(days=199), "<me-ann-old@example.com>",
         "<ann-old@x.example>")  # fmt: skip
    mail("inbox", "Weekly digest", NEWS, ME, NOW - timedelta(days=12), "<digest@letters.example>")
    mail("inbox", "Budget?", ANN, ME, NOW - timedelta(days=3), "<budget@x.example>")
    mail("inbox", "Contract?", BOB, ME, NOW - timedelta(days=4), "<contract@x.example>")
    return when


def test_tags_and_flags_follow_the_network_and_give_way_to_the_user(
    backend: Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, backend, ann_tier="B")
    when = _seed(backend)
    original, original_master = backend.messages(), backend.master()
    window = NOW - timedelta(days=90)

    def expected_tag(mid: str) -> str | None:
        """Computed here from the seed: whose message, which tier, in the window or not."""
        if mid.startswith("<digest") or when[mid] < window:
            return None
        return "Network B" if "ann" in mid or "budget" in mid else "Network A"

    assert _run(tmp_path, "sync") == 0
    capsys.readouterr()
    assert _run(tmp_path, "apply", "--dry-run") == 0
    planned = capsys.readouterr().out
    ann_line = next(line for line in planned.splitlines() if f"<{ANN}>" in line)
    assert "13 message(s)" in ann_line and "+Network B 13" in ann_line
    assert "flag flagged 1" in ann_line
    assert backend.messages() == original  # a dry run writes nothing

    assert _run(tmp_path, "apply") == 0
    marked = backend.messages()
    for mid, (categories, status, start, due) in marked.items():
        tag = expected_tag(mid)
        own = ("Customer",) if mid == "<ann2@x.example>" else ()
        assert categories == own + ((tag,) if tag else ()), mid
        if mid in ("<budget@x.example>", "<contract@x.example>"):
            # Due by the reply target (48 h), start on the message's own day.
            assert status == "Flagged", mid
            assert start == when[mid].date().isoformat(), mid
            due_day = date.fromisoformat(due)
            assert abs(due_day - (when[mid] + timedelta(hours=48)).date()) <= timedelta(days=1)
        else:
            assert (status, start, due) == ("NotFlagged", "", ""), mid
    assert _run(tmp_path, "apply") == 0
    assert "applied 0 of 0" in capsys.readouterr().err
    assert backend.messages() == marked

    # The owner answers the budget question; the user takes our category off one of Ann's
    # messages and clears the flag on Bob's question.
    backend.add_mail("sent", "Re: Budget?", ME, ANN, NOW - timedelta(hours=1),
                     "<answer@example.com>", "<budget@x.example>")  # fmt: skip
    backend.set_categories("<ann1@x.example>", [])
    backend.clear_flag("<contract@x.example>")
    assert _run(tmp_path, "sync") == 0
    assert _run(tmp_path, "apply") == 0
    assert _run(tmp_path, "apply") == 0  # and once more: still nothing put back
    after_user = backend.messages()
    assert after_user["<budget@x.example>"][1] == "Complete"
    assert after_user["<contract@x.example>"][1] == "NotFlagged"
    assert after_user["<ann1@x.example>"][0] == ()
    assert after_user["<answer@example.com>"][0] == ("Network B",)  # a new arrival is tagged

    # Ann drops from B to C; between sync and apply the user files one of her messages under a
    # category of their own (so the write meets a newer version than the store saw).
    _configure(tmp_path, backend, ann_tier="C")
    assert _run(tmp_path, "sync") == 0
    backend.set_categories("<ann3@x.example>", ["Network B", "Urgent"])
    assert _run(tmp_path, "apply") == 0
    moved = backend.messages()
    assert moved["<ann3@x.example>"][0] == ("Urgent",)
    assert moved["<ann2@x.example>"][0] == ("Customer",)
    assert not [m for m, seen in moved.items() if "Network B" in seen[0]]
    assert moved["<bob0@x.example>"][0] == ("Network A",)

    # A tagged message is filed in another folder (on EWS it gets a new id), then undo.
    backend.move("<bob1@x.example>")
    assert _run(tmp_path, "undo") == 0
    undone = backend.messages()
    expected = dict(original)
    expected["<ann3@x.example>"] = (("Urgent",), "NotFlagged", "", "")  # the user's own change
    # The completed flag and the owner's own reply: the reply is new; the flag of ours on the
    # question it answered goes with undo.
    expected["<answer@example.com>"] = ((), "NotFlagged", "", "")
    assert undone == expected
    assert backend.master() == original_master
