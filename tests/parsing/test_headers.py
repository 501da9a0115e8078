"""One header block to one interaction: decoding, ids, dates, and never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.model import Flag, Interaction, Mailbox
from outlook_networking.parsing.addresses import parse_mailboxes
from outlook_networking.parsing.headers import (
    interaction_from_headers,
    mailboxes,
    message_ids,
    parse_date,
    split_headers,
)
from outlook_networking.ports import Problem
from outlook_networking.problems import problem

OUTLOOK = (
    b"Received: from EXCH01.corp.example (10.0.0.1) by EXCH02.corp.example\r\n"
    b"\t(10.0.0.2) with Microsoft SMTP Server id 15.1.2507.6; Tue, 4 Mar 2025 09:15:02 +0100\r\n"
    b"From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <Juergen.Mueller@Example.DE>\r\n"
    b'To: "Doe, Jane" <jane@xn--bcher-kva.example>, bob@example.org\r\n'
    b"CC: <Carol@Example.org>\r\n"
    b"Subject: =?utf-8?B?QW5nZWJvdCBmw7xyIFEy?=\r\n"
    b"Thread-Topic: Angebot\r\n"
    b"Thread-Index: AdmNXc0Vh5a9hO2tSbKm4Rzq6+3hYg==\r\n"
    b"Date: Tue, 4 Mar 2025 08:15:00 +0000\r\n"
    b"Message-ID:\r\n <AM0PR01MB1234E2@AM0PR01MB1234.eurprd01.prod.outlook.com>\r\n"
    b"In-Reply-To: <prev@example.org> (Jane's message)\r\n"
    b"References: <root@example.org>\r\n <prev@example.org>\r\n"
    b"Keywords: Kunde, Angebot\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\n'
)


def _read(raw: bytes, folder: str = "") -> Interaction:
    result = interaction_from_headers(raw, where="test", folder=folder)
    assert isinstance(result, Interaction), result
    return result


def test_outlook_message() -> None:
    item = _read(OUTLOOK)
    assert item.sender == Mailbox("juergen.mueller@example.de", "Jürgen Müller")
    assert item.to == (Mailbox("jane@bücher.example", "Doe, Jane"), Mailbox("bob@example.org"))
    assert item.cc == (Mailbox("carol@example.org"),)
    assert item.subject == "Angebot für Q2"
    assert item.at == datetime(2025, 3, 4, 8, 15, tzinfo=UTC)
    assert item.message_id == "AM0PR01MB1234E2@AM0PR01MB1234.eurprd01.prod.outlook.com"
    assert item.item_id == "msg:AM0PR01MB1234E2@AM0PR01MB1234.eurprd01.prod.outlook.com"
    assert item.in_reply_to == "prev@example.org"
    assert item.references == ("root@example.org", "prev@example.org")
    assert item.conversation_id.startswith("ti:") and len(item.conversation_id) == 3 + 44
    assert item.delivered
    assert item.flags == frozenset()
    assert item.categories == ("Kunde", "Angebot")


def test_sent_copy_has_no_delivery_trace() -> None:
    raw = b"From: me@example.com\nTo: you@example.com\nDate: Tue, 4 Mar 2025 08:15:00 -0000\n"
    item = _read(raw, folder="sent")
    assert not item.delivered and item.folder == "sent"
    assert item.item_id.startswith("sha:")


def test_folding_inside_a_message_id_is_repaired() -> None:
    assert message_ids("<Pine.LNX.4.33.0208@watcher.mithral.c om>") == (
        "Pine.LNX.4.33.0208@watcher.mithral.com",
    )
    assert message_ids('"Jim"\'s message of "Wed, 4 Sep 2002 11:03:03 -0700"') == ()
    assert message_ids("bare@example.com") == ("bare@example.com",)
    assert message_ids("<a@x> <b@y> <a@x> <not-an-id>") == ("a@x", "b@y")


def test_dates() -> None:
    assert parse_date("Sat, 02 Feb 0102 11:39:51 +0200") == datetime(
        2002, 2, 2, 9, 39, 51, tzinfo=UTC
    )  # a 2002 mailer that printed years since 1900
    assert parse_date("4 Mar 2025 08:15 EST") == datetime(2025, 3, 4, 13, 15, tzinfo=UTC)
    assert parse_date("Thu, 31 Feb 2025 10:00:00 +0000") is None
    assert parse_date("soon") is None
    assert parse_date("") is None


def test_broken_messages_are_problems() -> None:
    no_date = interaction_from_headers(b"From: a@example.com\n", where="x #1")
    assert no_date == Problem("x #1", problem("no_date"))
    no_sender = interaction_from_headers(
        b"From: nobody\nDate: Tue, 4 Mar 2025 08:15:00 +0000\n", where="x #2"
    )
    assert no_sender == Problem("x #2", problem("no_sender"))
    no_fields = Problem("x #3", problem("no_header_fields"))
    assert interaction_from_headers(b"", where="x #3") == no_fields


def test_latin1_header_bytes_do_not_break_parsing() -> None:
    raw = (
        b"From: M\xfcller <m@example.de>\nDate: Tue, 4 Mar 2025 08:15:00 +0000\n"
        b"Subject: Gr\xfc\xdfe\n"
    )
    item = _read(raw)
    assert item.sender == Mailbox("m@example.de", "Müller")
    assert item.subject == "Grüße"


def test_split_headers_unfolds_and_keeps_repeats() -> None:
    fields = split_headers(
        b"Received: a\r\n  b\r\nReceived: c\r\nbad line\r\nX-Y:z\r\n  folded\r\nTo: d@e\r\n"
    )
    # Trace fields only count by presence; their text is never decoded.
    assert fields == {"received": ["", ""], "x-y": ["z folded"], "to": ["d@e"]}


_LOCAL = st.from_regex(r"[A-Za-z0-9._+'-]{1,10}", fullmatch=True)
_DOMAIN = st.from_regex(r"[A-Za-z0-9-]{1,10}\.(?:[a-z]{2,4}|xn--bcher-kva)", fullmatch=True)
_DISPLAY = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20
)
_ONE = st.one_of(
    st.builds(lambda n, lo, d: f"{n} <{lo}@{d}>", _DISPLAY, _LOCAL, _DOMAIN),
    st.builds(lambda n, lo, d: f'"{n}" <{lo}@{d}>', _DISPLAY, _LOCAL, _DOMAIN),
    st.builds(lambda lo, d: f"{lo}@{d}", _LOCAL, _DOMAIN),
    st.builds(lambda lo, d: f"<{lo}@{d}>", _LOCAL, _DOMAIN),
)
_ADDRESS_VALUES = st.one_of(
    st.text(max_size=60),
    _ONE,
    st.lists(_ONE, min_size=2, max_size=4).map(", ".join),
    st.lists(_ONE, min_size=2, max_size=3).map(",".join),
)


@given(_ADDRESS_VALUES)
@settings(max_examples=500, deadline=None)
def test_fast_address_path_agrees_with_the_full_parser(value: str) -> None:
    assert mailboxes(value) == parse_mailboxes(value)


_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Bcc", "Sender", "Date", "Subject", "Message-ID", "In-Reply-To",
        "References", "Thread-Index", "List-Id", "List-Post", "Precedence", "Auto-Submitted",
        "Return-Path", "Content-Type", "X-Spam-Flag", "Received", "Keywords", "X-Priority",
        "Reply-To", "X-Mailer", "Mailing-List", "List-Unsubscribe", "X-MS-Exchange-SCL",
    ]
)  # fmt: skip
_VALUES = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    st.sampled_from(
        [
            "=?utf-8?B?broken", "=?x-unknown?Q?abc?=", "<>", "<@>",
            "Tue, 4 Mar 2025 99:99:99 +9999",
            "Mon, 1 Jan 10000 00:00:00 +0000", "a@b, , ;, <c@d>", "group: a@b, c@d;", "(comment)",
            "AdmNXc0Vh5a9hO2tSbKm4Rzq6+3hYg==", "!!!", "\"unterminated <x@y>",
        ]
    ),
)  # fmt: skip


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=12))
@settings(max_examples=400, deadline=None)
def test_random_header_blocks_never_raise(fields: list[tuple[str, str]]) -> None:
    raw = "".join(f"{n}: {v}\r\n" for n, v in fields).encode("utf-8", "surrogateescape")
    result = interaction_from_headers(raw, where="random")
    assert isinstance(result, (Interaction, Problem))
    if isinstance(result, Interaction):
        assert result.at.tzinfo is UTC
        assert result.sender is not None and "@" in result.sender.address


@given(st.binary(max_size=400), st.integers(min_value=0, max_value=len(OUTLOOK)))
@settings(max_examples=300, deadline=None)
def test_mutated_outlook_headers_never_raise(noise: bytes, at: int) -> None:
    raw = OUTLOOK[:at] + noise + OUTLOOK[at:]
    result = interaction_from_headers(raw, where="mutated")
    assert isinstance(result, (Interaction, Problem))


@given(st.binary(max_size=600))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    result = interaction_from_headers(raw, where="bytes")
    assert isinstance(result, (Interaction, Problem))
    if isinstance(result, Interaction):
        assert not (result.flags - set(Flag))


def test_windows_1252_header_bytes() -> None:
    raw = b"From: Zo\x93 <z@example.com>\nDate: Tue, 4 Mar 2025 08:15:00 +0000\nSubject: 5 \x80\n"
    item = _read(raw)
    assert item.subject == "5 €"
    assert item.sender == Mailbox("z@example.com", "Zo“")
