"""Noise flags from headers, as the file sources and the EWS/Graph connectors use them."""

from __future__ import annotations

from outlook_networking.model import Flag
from outlook_networking.parsing.addresses import parse_mailboxes
from outlook_networking.parsing.noise import classify, header_map, spam_signs

PERSON = [
    ("From", "Jane Doe <jane@example.com>"),
    ("To", "me@example.org"),
    ("Subject", "Lunch on Thursday?"),
]


def _flags(*extra: tuple[str, str], sender: str = "jane@example.com") -> frozenset[Flag]:
    return classify(header_map([*PERSON, *extra]), sender).flags


def test_personal_mail_is_no_noise() -> None:
    assert _flags() == frozenset()
    assert _flags(("Precedence", "first-class")) == frozenset()
    assert _flags(("Auto-Submitted", "no")) == frozenset()


def test_lists() -> None:
    noise = classify(
        header_map([*PERSON, ("List-Id", "Discussion <exmh-workers.example.org>")]),
        "jane@example.com",
    )
    assert noise.flags == frozenset({Flag.LIST})
    assert noise.list_id == "exmh-workers.example.org"
    post = classify(header_map([*PERSON, ("List-Post", "<mailto:Dev@Lists.Example.org>")]))
    assert post.list_id == "dev@lists.example.org"
    assert _flags(("Precedence", "list")) == {Flag.LIST}
    assert _flags(("Mailing-List", "list dev@example.org; contact dev-owner@example.org")) == {
        Flag.LIST
    }
    assert _flags(("Sender", "dev-bounces@example.org")) == {Flag.LIST}
    assert _flags(("Sender", "owner-dev@example.org")) == {Flag.LIST}
    # List servers mark posts "bulk": that is a list, not a newsletter.
    assert _flags(("List-Id", "<x.example.org>"), ("Precedence", "bulk")) == {Flag.LIST}


def test_bulk() -> None:
    assert _flags(("Precedence", "bulk")) == {Flag.BULK}
    assert _flags(("Precedence", "junk")) == {Flag.BULK}
    assert _flags(("List-Unsubscribe", "<https://example.com/u>")) == {Flag.BULK}
    assert _flags(("X-Mailer", "StormPost 1.0")) == {Flag.BULK}
    assert _flags(("X-Campaign", "spring")) == {Flag.BULK}
    assert _flags(("X-Spam-Flag", "YES")) == {Flag.BULK}
    assert _flags(("X-Spam-Status", "Yes, score=12.3")) == {Flag.BULK}
    assert _flags(("X-Spam-Status", "No, score=0.1")) == frozenset()
    assert _flags(("X-MS-Exchange-Organization-SCL", "9")) == {Flag.BULK}
    assert _flags(("X-MS-Exchange-Organization-SCL", "-1")) == frozenset()
    assert _flags(("X-Forefront-Antispam-Report", "CIP:1.2.3.4;SFV:SPM;")) == {Flag.BULK}
    assert _flags(sender="newsletter@shop.example") == {Flag.BULK}


def test_automated() -> None:
    assert _flags(("Auto-Submitted", "auto-replied")) == {Flag.AUTOMATED}
    assert _flags(("X-Auto-Response-Suppress", "All")) == {Flag.AUTOMATED}
    assert _flags(("Return-Path", "<>")) == {Flag.AUTOMATED}
    assert _flags(("Content-Type", "multipart/report; report-type=delivery-status")) == {
        Flag.AUTOMATED
    }
    assert _flags(sender="no-reply@example.com") == {Flag.AUTOMATED}
    assert _flags(sender="MAILER-DAEMON@example.com".lower()) == {Flag.AUTOMATED}


def test_spam_signs_need_several_points() -> None:
    headers = header_map(
        [
            ("From", "lifequotes104@yahoo.example"),
            ("To", "lifequotes104@yahoo.example"),
            ("Subject", "Double Your Life Insurance at NO EXTRA COST! 29155"),
            ("X-Priority", "1"),
        ]
    )
    sender = "lifequotes104@yahoo.example"
    recipients = parse_mailboxes(*headers["to"])
    subject = headers["subject"][0]
    signs = spam_signs(headers, sender, recipients, subject)
    assert "sent to itself" in signs and "high priority" in signs
    assert classify(headers, sender).flags == {Flag.BULK}
    # A reply is a conversation: the same signs do not flag it.
    reply = header_map([*((k, v[0]) for k, v in headers.items()), ("In-Reply-To", "<a@b>")])
    assert classify(reply, sender).flags == frozenset()
    # One sign alone (shouting in a real person's mail) is not enough.
    shouting = header_map([PERSON[0], PERSON[1], ("Subject", "PLEASE READ BEFORE MONDAY")])
    assert spam_signs(shouting, "jane@example.com", recipients, "PLEASE READ BEFORE MONDAY") == [
        "shouting subject",
        "shouting subject",
    ]
    assert classify(shouting, "jane@example.com").flags == frozenset()


def test_newsletters_on_list_software_are_bulk_discussion_lists_are_not() -> None:
    newsletter = [
        ("List-Id", "Weekly <weekly.news.example>"),
        ("List-Unsubscribe", "<https://news.example/u>"),
        ("Precedence", "bulk"),
    ]
    assert _flags(*newsletter) == {Flag.LIST, Flag.BULK}
    assert _flags(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")) == {Flag.BULK}
    discussion = [*newsletter, ("List-Post", "<mailto:dev@lists.example>")]
    assert _flags(*discussion) == {Flag.LIST}


def test_open_mass_mailing_is_bulk() -> None:
    crowd = ", ".join(f"p{n}@d{n % 5}.example" for n in range(9))
    headers = header_map([("From", "x@example.com"), ("To", crowd), ("Subject", "Hello")])
    assert classify(headers, "x@example.com").flags == {Flag.BULK}
    colleagues = ", ".join(f"p{n}@work.example" for n in range(9))
    team = header_map([("From", "x@work.example"), ("To", colleagues), ("Subject", "Hello")])
    assert classify(team, "x@work.example").flags == frozenset()


def test_the_topmost_header_is_the_last_hops_word() -> None:
    # RFC 5322 3.6: trace fields are prepended, so the first of two spam verdicts is the one the
    # owner's own server wrote; a list server's verdict further down no longer counts.
    ours_spam = [("X-Spam-Status", "Yes, score=9.1"), ("X-Spam-Status", "No, score=0.2")]
    ours_ham = [("X-Spam-Status", "No, score=0.2"), ("X-Spam-Status", "Yes, score=9.1")]
    assert _flags(*ours_spam) == {Flag.BULK}
    assert _flags(*ours_ham) == frozenset()


def test_a_sender_who_is_the_author_names_no_list() -> None:
    # Precedence: list marks a list, but Sender only names it when someone else sent the mail
    # on the author's behalf.
    own = classify(header_map([*PERSON, ("Precedence", "list"), ("Sender", PERSON[0][1])]))
    assert own.flags == {Flag.LIST} and own.list_id == ""
    relayed = [("Precedence", "list"), ("Sender", "Dev List <dev@lists.example>")]
    assert classify(header_map([*PERSON, *relayed])).list_id == "dev@lists.example"


def test_exchange_calls_spam_from_scl_5() -> None:
    # SCL 0-1 not spam, 5-6 spam, 7-9 high-confidence spam; -1 skipped filtering:
    # https://learn.microsoft.com/defender-office-365/anti-spam-spam-confidence-level-scl-about
    scl = "X-MS-Exchange-Organization-SCL"
    assert [_flags((scl, str(n))) == {Flag.BULK} for n in (-1, 0, 1, 4, 5, 6, 9)] == [
        False, False, False, False, True, True, True,
    ]  # fmt: skip


def test_auto_reply_headers_each_mark_a_machine() -> None:
    assert _flags(("X-Autoreply", "yes")) == {Flag.AUTOMATED}
    assert _flags(("X-Autorespond", "Out of office")) == {Flag.AUTOMATED}


def test_a_subject_shouts_from_eight_letters_on() -> None:
    headers = header_map(PERSON)

    def shouting(subject: str) -> int:
        return spam_signs(headers, "jane@example.com", [], subject).count("shouting subject")

    assert shouting("BUY IT NOW") == 2  # eight letters, all capitals
    assert shouting("BUY IT NO") == 0  # seven: an acronym or two, not shouting
    assert shouting("BUY NOW here") == 2  # six capitals of ten letters: 60 % is shouting
    assert shouting("BUY NOw here") == 0  # five of ten


def test_a_tracking_tag_counts_after_a_quiet_subject_not_after_a_shout() -> None:
    headers = header_map(PERSON)

    def tagged(subject: str) -> bool:
        return "tracking tag after subject" in spam_signs(headers, "jane@example.com", [], subject)

    assert tagged("Buy now here 58213")
    # Six capitals of ten letters before the tag: a shout, which counts already.
    assert not tagged("BUY NOW here 58213")
    assert not tagged("Buy now 58213 here")  # not at the end


def test_an_empty_subject_is_a_sign() -> None:
    headers = header_map(PERSON)
    assert "no subject" in spam_signs(headers, "jane@example.com", [], "  ")
    assert "no subject" not in spam_signs(headers, "jane@example.com", [], "Lunch")


def test_undisclosed_recipients_beside_a_visible_one_still_count() -> None:
    recipients = parse_mailboxes("undisclosed-recipients@example.com, bob@b.example")
    signs = spam_signs(header_map(PERSON), "jane@example.com", recipients, "Hello")
    assert signs.count("no visible recipient") == 2


def test_either_reply_header_takes_three_points_away() -> None:
    for header in ("In-Reply-To", "References"):
        headers = header_map([*PERSON, (header, "<earlier@example.com>")])
        signs = spam_signs(headers, "jane@example.com", [], "Lunch")
        assert signs.count("-reply") == 3, header


def test_an_encoded_subject_is_read_decoded() -> None:
    # "Free money" (two sales words) and high priority: three points, once decoded (RFC 2047).
    headers = [PERSON[0], PERSON[1], ("Subject", "=?utf-8?q?Free_money?="), ("X-Priority", "1")]
    assert classify(header_map(headers), "jane@example.com").flags == {Flag.BULK}
