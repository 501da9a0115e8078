"""The demo mailbox: deterministic, well-formed, streaming, and true to its ground truth.

The files are read back with the same libraries an ingester uses (stdlib mailbox/email,
icalendar, vobject), and every planted role is checked against what the files say, so a
broken plant fails here rather than as a puzzling tier in someone else's test.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import mailbox
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import vobject

from outlook_networking.demo import DemoTruth, generate, iter_mail, render, write_maildir

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FILES = ("mailbox.mbox", "calendar.ics", "contacts.vcf")


@dataclass(frozen=True)
class Parsed:
    """One message as a test needs it: decoded addresses, times, threading, raw headers."""

    sender: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    at: datetime
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    headers: dict[str, str]
    raw_from: str

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc


def _canon(address: str) -> str:
    """Lower case, internationalised domains in Unicode: how the truth lists addresses."""
    local, _, domain = address.lower().rpartition("@")
    if "xn--" in domain:
        domain = domain.encode("ascii").decode("idna")
    return f"{local}@{domain}"


def _decode(value: str) -> str:
    return str(make_header(decode_header(value)))


def _parse(msg: mailbox.mboxMessage) -> Parsed:
    name, sender = parseaddr(_decode(msg["From"]))
    return Parsed(
        sender=_canon(sender),
        sender_name=name,
        to=tuple(_canon(a) for _, a in getaddresses(msg.get_all("To", []))),
        cc=tuple(_canon(a) for _, a in getaddresses(msg.get_all("Cc", []))),
        subject=_decode(msg["Subject"]),
        at=parsedate_to_datetime(msg["Date"]),
        message_id=msg["Message-ID"],
        in_reply_to=msg["In-Reply-To"],
        references=tuple(msg["References"].split()) if msg["References"] else (),
        headers={k: str(v) for k, v in msg.items() if k != "Received"},
        raw_from=msg["From"],
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoTruth]:
    directory = tmp_path_factory.mktemp("demo")
    return directory, generate(directory, now=NOW, seed=7)


@pytest.fixture(scope="module")
def messages(demo: tuple[Path, DemoTruth]) -> list[Parsed]:
    box = mailbox.mbox(demo[0] / "mailbox.mbox", create=False)
    try:
        return [_parse(m) for m in box]
    finally:
        box.close()


@pytest.fixture(scope="module")
def raw(demo: tuple[Path, DemoTruth]) -> list[mailbox.mboxMessage]:
    box = mailbox.mbox(demo[0] / "mailbox.mbox", create=False)
    try:
        return list(box)
    finally:
        box.close()


@pytest.fixture(scope="module")
def truth(demo: tuple[Path, DemoTruth]) -> DemoTruth:
    return demo[1]


def _digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in FILES}


# --- determinism and size ------------------------------------------------------------------


def test_same_seed_and_now_give_identical_bytes(demo: tuple[Path, DemoTruth],
                                                tmp_path: Path) -> None:
    again = generate(tmp_path / "again", now=NOW, seed=7)
    assert _digests(tmp_path / "again") == _digests(demo[0])
    assert again == demo[1]
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(FILES)


def test_another_seed_gives_another_mailbox(demo: tuple[Path, DemoTruth], tmp_path: Path) -> None:
    other = generate(tmp_path, now=NOW, seed=8, messages=300)
    assert other.messages < demo[1].messages
    assert _digests(tmp_path)["mailbox.mbox"] != _digests(demo[0])["mailbox.mbox"]


def test_default_size_is_a_few_thousand_mails_few_hundred_meetings_150_people(
        truth: DemoTruth) -> None:
    assert 2_000 <= truth.messages <= 8_000
    assert truth.messages == truth.sent + truth.received
    assert truth.messages == (truth.direct + truth.newsletters + truth.list_messages
                              + truth.automated)
    assert 150 <= truth.meetings <= 400
    assert 130 <= len({name for _, name in truth.people}) <= 170
    assert truth.contacts >= 40


def test_naive_now_is_taken_as_utc(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", now=NOW.replace(tzinfo=None), messages=200)
    b = generate(tmp_path / "b", now=NOW, messages=200)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert a.now == b.now


# --- the mbox read back ----------------------------------------------------------------------


def test_mbox_holds_every_message_with_core_headers(messages: list[Parsed],
                                                    truth: DemoTruth) -> None:
    assert len(messages) == truth.messages
    assert sum(m.sender == truth.owner for m in messages) == truth.sent
    ids = [m.message_id for m in messages]
    assert len(set(ids)) == len(ids)
    for m in messages:
        assert m.message_id.startswith("<") and m.message_id.endswith(">")
        assert m.sender and m.subject
        assert truth.start <= m.at < truth.now
    assert [m.at for m in messages] == sorted(m.at for m in messages)


def test_threading_headers_name_messages_in_the_mailbox(messages: list[Parsed],
                                                        truth: DemoTruth) -> None:
    ids = {m.message_id for m in messages}
    replies = [m for m in messages if m.in_reply_to]
    assert len(replies) > len(messages) // 3
    for m in replies:
        assert m.in_reply_to in ids
        assert m.references and m.references[-1] == m.in_reply_to
        assert set(m.references) <= ids
    # Some clients drop In-Reply-To: those replies link only by subject and participants.
    unlinked = [m for m in messages if m.subject.startswith(("AW: ", "Re: "))
                and not m.in_reply_to and m.sender != truth.owner
                and "List-Id" not in m.headers]
    assert len(unlinked) >= truth.subject_only_replies > 10


def test_outlook_thread_index_marks_conversations_of_the_firm(messages: list[Parsed],
                                                              truth: DemoTruth) -> None:
    def conversation(m: Parsed) -> bytes:
        return base64.b64decode(m.headers["Thread-Index"])[:22]

    home = "@" + truth.owner.split("@")[1]
    indexed = [m for m in messages if "Thread-Index" in m.headers]
    assert indexed and all(m.sender.endswith(home) for m in indexed)
    assert all(m.sender.endswith(home) for m in messages if m.sender == truth.owner)
    by_id = {m.message_id: m for m in messages}
    pairs = [(m, by_id[m.in_reply_to]) for m in indexed
             if m.in_reply_to and "Thread-Index" in by_id[m.in_reply_to].headers]
    assert len(pairs) > 100
    assert all(conversation(m) == conversation(parent) for m, parent in pairs)
    # Subject-only replies come from outside clients, never from the firm's Outlook.
    unlinked = [m for m in messages if m.subject.startswith(("AW: ", "Re: "))
                and not m.in_reply_to and "List-Id" not in m.headers]
    assert unlinked and not [m for m in unlinked if m.sender.endswith(home)]


def test_reply_latencies_run_from_minutes_to_days(messages: list[Parsed]) -> None:
    by_id = {m.message_id: m for m in messages}
    latencies = sorted(m.at - by_id[m.in_reply_to].at for m in messages
                       if m.in_reply_to and "Auto-Submitted" not in m.headers)
    median = latencies[len(latencies) // 2]
    assert latencies[0] < timedelta(minutes=10)
    assert latencies[-1] > timedelta(days=1)
    assert timedelta(minutes=10) < median < timedelta(hours=12)


def test_inbound_mail_has_a_delivery_trace_and_sent_mail_has_none(
        raw: list[mailbox.mboxMessage], truth: DemoTruth) -> None:
    for msg in raw:
        sender = parseaddr(msg["From"])[1].lower()
        if sender == truth.owner:
            assert msg.get_all("Received") is None
            assert msg["Return-Path"] is None
        else:
            assert len(msg.get_all("Received", [])) >= 2
            assert "for <alex@example.com>" in " ".join(msg.get_all("Received"))


def test_non_ascii_names_are_rfc2047_encoded(messages: list[Parsed]) -> None:
    encoded = [m for m in messages if "=?" in m.raw_from]
    assert len(encoded) > 50
    assert all(m.raw_from.isascii() for m in messages)
    names = {m.sender_name for m in encoded}
    assert any(ch in "".join(names) for ch in "äöüÄÖÜß")


def test_bulk_and_automated_mail_is_marked(messages: list[Parsed], truth: DemoTruth) -> None:
    bulk = [m for m in messages if m.sender in truth.bulk_senders]
    assert len(bulk) == truth.newsletters + truth.automated - sum(
        "Auto-Submitted" in m.headers and m.headers["Auto-Submitted"] == "auto-replied"
        and m.sender not in truth.bulk_senders for m in messages)
    for m in bulk:
        marks = {"List-Unsubscribe", "Auto-Submitted", "Precedence"} & set(m.headers)
        assert marks, m.subject
    assert any(m.sender.startswith(("no-reply@", "noreply@")) for m in bulk)
    assert any(m.sender.startswith("mailer-daemon@") for m in bulk)
    newsletters = [m for m in bulk if m.headers.get("Precedence") == "bulk"]
    assert len(newsletters) == truth.newsletters
    assert all("List-Id" in m.headers and m.to == (truth.owner,) for m in newsletters)


def test_list_mail_never_names_the_owner(messages: list[Parsed], truth: DemoTruth) -> None:
    listed = [m for m in messages if "List-Id" in m.headers and m.headers.get("Precedence")
              == "list"]
    assert len(listed) == truth.list_messages > 100
    for m in listed:
        assert truth.owner not in m.recipients
        assert set(m.to) <= set(truth.list_addresses)
        assert m.sender in truth.list_posters
    # The list posters never write to the owner directly.
    direct = {m.sender for m in messages if truth.owner in m.recipients}
    assert not direct & set(truth.list_posters)
    # The owner posted to a list twice; replies come back only through the list.
    assert sum(m.sender == truth.owner and set(m.to) <= set(truth.list_addresses)
               for m in messages) == 2


# --- the planted roles -----------------------------------------------------------------------


def _between(messages: list[Parsed], owner: str, other: str) -> list[Parsed]:
    return [m for m in messages
            if (m.sender == other and owner in m.recipients)
            or (m.sender == owner and other in m.recipients)]


def test_mentor_and_close_colleagues_are_two_way_and_recent(messages: list[Parsed],
                                                            truth: DemoTruth) -> None:
    for person in truth.mentor + truth.close:
        talk = _between(messages, truth.owner, person)
        sent = [m for m in talk if m.sender == truth.owner]
        received = [m for m in talk if m.sender == person]
        assert len(sent) >= 60 and len(received) >= 60, person
        assert max(m.at for m in talk) > truth.now - timedelta(days=14)


def test_partners_are_at_other_firms_with_moderate_two_way_mail(messages: list[Parsed],
                                                               truth: DemoTruth) -> None:
    assert len({p.split("@")[1] for p in truth.partners}) >= 6
    assert all(not p.endswith("@example.com") for p in truth.partners)
    for person in truth.partners:
        talk = _between(messages, truth.owner, person)
        assert any(m.sender == person for m in talk)
        assert 8 <= len(talk) <= 200


def test_fading_contact_was_very_active_then_silent(messages: list[Parsed],
                                                    truth: DemoTruth) -> None:
    (fading,) = truth.fading
    talk = [m for m in messages if fading in (m.sender, *m.recipients)]
    assert len(talk) >= 60
    assert max(m.at for m in talk) < truth.now - timedelta(days=180)
    assert min(m.at for m in talk) < truth.now - timedelta(days=450)


def test_non_answerer_never_writes_and_never_meets(messages: list[Parsed], truth: DemoTruth,
                                                   demo: tuple[Path, DemoTruth]) -> None:
    (silent,) = truth.non_answerer
    assert all(m.sender != silent for m in messages)
    approaches = [m for m in messages if m.sender == truth.owner and silent in m.recipients]
    assert len(approaches) >= 4
    assert approaches[-1].at - approaches[0].at > timedelta(days=90)
    assert silent not in (demo[0] / "calendar.ics").read_text(encoding="utf-8")


def test_owed_replies_are_recent_direct_and_unanswered(messages: list[Parsed],
                                                       truth: DemoTruth) -> None:
    assert 2 <= len(truth.owed_reply) <= 3
    for person in truth.owed_reply:
        theirs = [m for m in messages if m.sender == person and truth.owner in m.to]
        last = theirs[-1]
        assert truth.now - timedelta(days=6) < last.at < truth.now - timedelta(hours=48)
        later = [m for m in messages if m.at > last.at
                 and (person in m.recipients or m.sender == person)]
        assert later == []


def test_only_planted_people_are_owed_a_reply(messages: list[Parsed], truth: DemoTruth) -> None:
    """Every direct message to the owner older than 48 h has a later owner message in its thread."""
    answered: set[str] = set()
    for m in messages:
        if m.sender == truth.owner:
            answered.update(m.references)
    owed = {m.sender for m in messages
            if m.sender not in truth.bulk_senders and truth.owner in m.to
            and m.message_id not in answered and "Auto-Submitted" not in m.headers
            and m.at < truth.now - timedelta(hours=48)}
    assert owed == set(truth.owed_reply)


def test_only_planted_approaches_go_unanswered(messages: list[Parsed], truth: DemoTruth) -> None:
    """Every thread the owner starts gets an answer, except the planted silences."""
    answered: set[str] = set()
    subjects: set[tuple[str, str]] = set()
    for m in messages:
        if m.sender != truth.owner:
            answered.update(m.references)
            subjects.add((m.sender, m.subject.split(": ", 1)[-1]))
    unanswered = {
        frozenset(m.recipients) for m in messages
        if m.sender == truth.owner and not m.in_reply_to
        and not m.subject.startswith(("WG: ", "Fwd: "))
        and not set(m.to) & set(truth.list_addresses)
        and m.message_id not in answered
        and not any((r, m.subject) in subjects for r in m.recipients)}
    assert unanswered == {frozenset(truth.non_answerer), frozenset(truth.awaiting_answer),
                          frozenset(truth.intro_failed)}


def test_not_yet_owed_is_younger_than_48_hours(messages: list[Parsed], truth: DemoTruth) -> None:
    (person,) = truth.not_yet_owed
    last = [m for m in messages if m.sender == person and truth.owner in m.to][-1]
    assert last.at > truth.now - timedelta(hours=48)


def test_awaiting_answer_after_their_usual_latency(messages: list[Parsed],
                                                   truth: DemoTruth) -> None:
    (person,) = truth.awaiting_answer
    talk = _between(messages, truth.owner, person)
    assert talk[-1].sender == truth.owner
    assert truth.now - timedelta(days=8) < talk[-1].at < truth.now - timedelta(days=4)
    by_id = {m.message_id: m for m in messages}
    latencies = [m.at - by_id[m.in_reply_to].at for m in talk
                 if m.sender == person and m.in_reply_to]
    assert len(latencies) >= 5
    assert max(latencies) < timedelta(days=1)


def test_one_sided_giver_only_answers_the_owner(messages: list[Parsed], truth: DemoTruth) -> None:
    (giver,) = truth.one_sided_giver
    by_id = {m.message_id: m for m in messages}
    theirs = [m for m in messages if m.sender == giver]
    assert len(theirs) >= 6
    for m in theirs:
        assert m.in_reply_to and by_id[m.in_reply_to].sender == truth.owner
        assert m.at - by_id[m.in_reply_to].at < timedelta(hours=12)
    owner_to_giver = [m for m in messages if m.sender == truth.owner and giver in m.recipients]
    assert not [m for m in owner_to_giver if m.subject.startswith(("WG:", "Fwd:", "Intro"))]


def _together(messages: list[Parsed], a: str, b: str) -> list[Parsed]:
    return [m for m in messages if {a, b} <= {m.sender, *m.recipients}]


def test_introduction_that_took(messages: list[Parsed], truth: DemoTruth,
                                demo: tuple[Path, DemoTruth]) -> None:
    a, b = truth.intro_took
    together = _together(messages, a, b)
    first = together[0]
    assert first.sender == truth.owner and first.subject.startswith("Intro:")
    assert "<->" in first.subject
    assert any(m.sender in (a, b) and truth.owner not in m.to for m in together[1:])
    cal = icalendar.Calendar.from_ical((demo[0] / "calendar.ics").read_bytes())
    met = [e for e in cal.walk("VEVENT")
           if {a, b} <= {str(x).removeprefix("mailto:") for x in
                         [e.get("organizer"), *_attendees(e)]}]
    assert len(met) == 1 and met[0].start > first.at


def test_introduction_that_did_not_take(messages: list[Parsed], truth: DemoTruth,
                                        demo: tuple[Path, DemoTruth]) -> None:
    c, d = truth.intro_failed
    together = _together(messages, c, d)
    assert len(together) == 1
    assert together[0].sender == truth.owner and together[0].subject.startswith("Intro:")
    ics = (demo[0] / "calendar.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(ics)
    for event in cal.walk("VEVENT"):
        people = {str(x).removeprefix("mailto:") for x in _attendees(event)}
        assert not {c, d} <= people


def test_someone_introduced_the_owner_to_a_new_person(messages: list[Parsed],
                                                      truth: DemoTruth) -> None:
    introducer, new = truth.introduced_to_owner
    first = next(m for m in messages if new in (m.sender, *m.recipients))
    assert first.sender == introducer
    assert {truth.owner, new} <= set(first.to)
    assert first.subject.startswith("Vorstellung:")
    assert len(_between(messages, truth.owner, new)) >= 6


def test_forwards_both_ways(messages: list[Parsed], truth: DemoTruth) -> None:
    for person in truth.forwarded_by_owner_to:
        assert any(m.sender == truth.owner and person in m.to
                   and m.subject.startswith(("WG: ", "Fwd: ")) for m in messages)
    for person in truth.forwarded_to_owner_by:
        assert any(m.sender == person and truth.owner in m.to
                   and m.subject.startswith(("WG: ", "Fwd: ")) for m in messages)
    # An automated forward exists too and must not count as information passed on.
    assert any(m.sender in truth.bulk_senders and m.subject.startswith("Fwd: ")
               for m in messages)


def test_one_person_writes_from_two_addresses_under_one_name(messages: list[Parsed],
                                                             truth: DemoTruth) -> None:
    for pair in (truth.two_addresses, truth.alias_addresses):
        names = {m.sender_name for m in messages if m.sender in pair}
        used = {m.sender for m in messages if m.sender in pair}
        assert used == set(pair) and len(names) == 1
    a, b = truth.namesakes
    assert a != b and a.split("@")[1] != b.split("@")[1]
    names = {m.sender_name for m in messages if m.sender in truth.namesakes}
    assert len(names) == 1


def test_everyone_in_the_truth_appears_in_the_mailbox(messages: list[Parsed],
                                                      truth: DemoTruth) -> None:
    seen = {a for m in messages for a in (m.sender, *m.recipients)}
    assert {address for address, _ in truth.people} <= seen
    assert set(truth.list_posters) <= seen


def test_idn_and_mixed_case_spellings_reach_the_headers(raw: list[mailbox.mboxMessage],
                                                        truth: DemoTruth) -> None:
    froms = [str(m["From"]) for m in raw]
    (idn,) = truth.idn
    assert not idn.split("@")[1].isascii()
    wire = idn.split("@")[1].encode("idna").decode("ascii")
    assert any(f"@{wire}>" in f for f in froms)
    assert all(f.isascii() for f in froms)
    (shouting,) = truth.mixed_case
    spelled = {parseaddr(f)[1] for f in froms if parseaddr(f)[1].lower() == shouting}
    assert spelled and all(s != s.lower() for s in spelled)


def test_people_and_bulk_are_disjoint(truth: DemoTruth) -> None:
    people = {address for address, _ in truth.people}
    assert truth.owner not in people
    assert not people & set(truth.bulk_senders)
    assert not people & set(truth.list_addresses)
    roles = [truth.mentor, truth.close, truth.fading, truth.non_answerer, truth.owed_reply,
             truth.awaiting_answer, truth.one_sided_giver]
    flat = [a for role in roles for a in role]
    assert len(flat) == len(set(flat))
    assert set(flat) <= people


# --- calendar and contacts -------------------------------------------------------------------


def _attendees(event: icalendar.Event) -> list[object]:
    value = event.get("attendee", [])
    return value if isinstance(value, list) else [value]


def test_calendar_parses_with_windows_zones_series_and_cancellations(
        demo: tuple[Path, DemoTruth], truth: DemoTruth) -> None:
    text = (demo[0] / "calendar.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    assert len(events) == truth.meetings
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {
        "W. Europe Standard Time", "GMT Standard Time"}
    assert b"DTSTART;TZID=W. Europe Standard Time:" in text
    cancelled = [e for e in events if e.get("status") == "CANCELLED"]
    assert len(cancelled) == truth.cancelled_meetings >= 10
    masters = [e for e in events if "RRULE" in e]
    assert len(masters) == truth.recurring_series == 3
    assert all("EXDATE" in e for e in masters)
    overrides = [e for e in events if "RECURRENCE-ID" in e]
    assert len(overrides) == 2 * len(masters)
    assert {e["UID"] for e in overrides} == {e["UID"] for e in masters}
    statuses = {str(a.params["PARTSTAT"]) for e in events for a in _attendees(e)}
    assert {"ACCEPTED", "TENTATIVE", "DECLINED", "NEEDS-ACTION"} <= statuses


def test_calendar_expands_to_a_few_hundred_meetings(demo: tuple[Path, DemoTruth],
                                                    truth: DemoTruth) -> None:
    cal = icalendar.Calendar.from_ical((demo[0] / "calendar.ics").read_bytes())
    occurrences = recurring_ical_events.of(cal).between(truth.start, truth.now)
    held = [e for e in occurrences if e.get("status") != "CANCELLED"]
    assert 250 <= len(held) <= 600
    (mentor,) = truth.mentor
    one_on_one = [e for e in held if str(e.get("summary")).startswith("1:1")]
    assert len(one_on_one) >= 30
    assert all(str(e["organizer"]) == f"mailto:{mentor}" for e in one_on_one)
    (fading,) = truth.fading
    met_fading = [e for e in held if f"mailto:{fading}" in
                  {str(a) for a in _attendees(e)}]
    assert met_fading and all(e.start < truth.now - timedelta(days=180) for e in met_fading)


def test_contacts_parse_with_a_me_card_and_one_card_with_two_addresses(
        demo: tuple[Path, DemoTruth], truth: DemoTruth) -> None:
    text = (demo[0] / "contacts.vcf").read_text(encoding="utf-8")
    cards = list(vobject.readComponents(text))
    assert len(cards) == truth.contacts
    me = [c for c in cards if "x-outlook-networking-me" in c.contents]
    assert len(me) == 1
    assert me[0].x_outlook_networking_me.value == "TRUE"
    assert me[0].email.value == truth.owner
    two = [c for c in cards if len(c.contents.get("email", [])) == 2]
    assert len(two) == 1
    assert {e.value for e in two[0].contents["email"]} == set(truth.two_addresses)
    assert sum("categories" in c.contents for c in cards) > len(cards) // 2
    everyone = {e.value for c in cards for e in c.contents.get("email", [])}
    assert not everyone & set(truth.bulk_senders)
    assert truth.alias_addresses[0] not in everyone


def test_render_gives_a_stdlib_message_with_the_body_intact() -> None:
    mail = next(m for m in iter_mail(now=NOW, messages=300) if not m.body.isascii())
    msg = render(mail)
    assert msg["Message-ID"] == mail.message_id
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert msg.get_payload(decode=True).decode("utf-8") == mail.body


# --- scale and streaming ---------------------------------------------------------------------


def test_mail_is_produced_lazily_in_time_order() -> None:
    """A generator, in time order; that its memory stays flat is measured by scripts/bench.py
    (the ``memory`` section), not asserted here."""
    stream = iter_mail(now=NOW, seed=3, messages=20_000)
    assert inspect.isgenerator(stream)
    count = 0
    previous = None
    for mail in stream:
        count += 1
        assert previous is None or previous <= mail.at
        previous = mail.at
    assert 18_000 <= count <= 22_000


def test_maildir_holds_the_same_messages(tmp_path: Path) -> None:
    truth = write_maildir(tmp_path / "Maildir", now=NOW, seed=5, messages=400)
    mbox_truth = generate(tmp_path / "files", now=NOW, seed=5, messages=400)
    assert truth.messages == mbox_truth.messages
    box = mailbox.Maildir(tmp_path / "Maildir", create=False)
    maildir_ids = Counter(m["Message-ID"] for m in box)
    mbox = mailbox.mbox(tmp_path / "files" / "mailbox.mbox", create=False)
    mbox_ids = Counter(m["Message-ID"] for m in mbox)
    mbox.close()
    assert maildir_ids == mbox_ids
    assert any((tmp_path / "Maildir" / "new").iterdir())
    assert not any((tmp_path / "Maildir" / "tmp").iterdir())
