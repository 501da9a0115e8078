"""Address normalisation and display names: one spelling per address, never an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from outlook_networking.parsing.addresses import (
    decode_name,
    is_automated_address,
    normalise,
    parse_mailboxes,
)


def test_one_spelling_for_case_brackets_mailto_and_idn() -> None:
    assert normalise(" <Jane.Doe@Example.COM> ") == "jane.doe@example.com"
    assert normalise("mailto:jane@example.com") == "jane@example.com"
    assert normalise("jane@xn--bcher-kva.example") == "jane@bücher.example"
    assert normalise("jane@BÜCHER.example") == "jane@bücher.example"


def test_things_that_are_no_address() -> None:
    assert normalise("") == normalise("jane") == normalise("@example.com") == ""
    assert normalise("jane doe@example.com") == ""


def test_rfc2047_names_are_decoded() -> None:
    assert decode_name("=?iso-8859-1?q?J=F6rg_M=FCller?=") == "Jörg Müller"
    assert decode_name("=?utf-8?b?w4VzYSBIZWlucmljaA==?=") == "Åsa Heinrich"
    assert decode_name('"Doe,\n Jane"') == "Doe, Jane"


def test_a_charset_name_that_is_not_ascii_keeps_the_raw_name() -> None:
    raw = "=?\x80iso-8859-1?Q?J=F6rg?="
    assert decode_name(raw) == raw
    (box,) = parse_mailboxes(f"{raw} <joerg@example.com>")
    assert box.address == "joerg@example.com"


def test_mailbox_lists_drop_invalid_entries_and_repeats() -> None:
    boxes = parse_mailboxes(
        "Ann <ANN@partner.example>, undisclosed-recipients:;", "ann@partner.example, bob@x.org"
    )
    assert [(b.address, b.name) for b in boxes] == [
        ("ann@partner.example", "Ann"),
        ("bob@x.org", ""),
    ]


def test_automated_senders() -> None:
    assert is_automated_address("no-reply@service.example")
    assert is_automated_address("mailer-daemon@mx.example")
    assert is_automated_address("notifications+abc@github.example")
    assert not is_automated_address("noreen@example.com")


@given(st.text())
def test_names_never_raise(raw: str) -> None:
    assert isinstance(decode_name(raw), str)


@given(st.text())
def test_normalising_is_idempotent(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
