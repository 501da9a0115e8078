"""Every real .msg of ../shared/fixtures/outlook-msg/: what it becomes, value by value.

Where a message carries its transport headers, sender, Message-ID and date are also checked
against those headers parsed with the standard library; the rest of the expectations are the
values the items hold (read with Outlook or extract-msg's own accessors by the fixtures'
authors), written out here per file.
"""

from __future__ import annotations

import email.parser
import email.utils
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import extract_msg
import pytest

from outlook_networking.model import ContactCard, Flag, Interaction, Kind, Response
from outlook_networking.ports import Problem, Skipped
from outlook_networking.problems import problem
from outlook_networking.sources.msg import msg_records

NOW = datetime(2021, 1, 1, tzinfo=UTC)
MAIL = {  # file: (sender, To, sent at)
    "HamiltonInsurance__outlook_msg__No_attachment.msg": (
        "james.robinson@hamiltongroup.com", ("elliot.hughes@hamiltongroup.com",),
        "2018-10-30T17:55:47+00:00"),
    "HamiltonInsurance__outlook_msg__outlook_msg_Test.msg": (
        "elliot.hughes@hamiltongroup.com", ("elliot.hughes@hamiltongroup.com",),
        "2018-10-08T16:33:42+00:00"),
    "Sicos1977__MSGReader__EmailWithAttachments.msg": (
        "peterpan@neverland.com", ("crocodile@neverland.com",), "2016-12-03T18:08:54+00:00"),
    "Sicos1977__MSGReader__HtmlSampleEmail.msg": (
        "chris.wilson@leeds.gov.uk", ("chris.wilson@leeds.gov.uk",), "2017-10-23T07:31:03+00:00"),
    "Sicos1977__MSGReader__TxtSampleEmail.msg": (
        "chris.wilson@leeds.gov.uk", ("chris.wilson@leeds.gov.uk",), "2017-10-23T07:31:27+00:00"),
    "TheConfusedCat__msgparser__nested_simple_mail.msg": (
        "emanuel.reisinger@cargonet.software", ("emanuel.reisinger@cargonet.software",),
        "2016-04-11T09:17:58+00:00"),
    "TheConfusedCat__msgparser__simple_sent.msg": (
        "jdoes@someserver.com", ("sales@bitdaddys.com",), "2006-08-12T18:25:25+00:00"),
    "bbottema__outlook-message-parser__S_MIME_test_message_signed.msg": (
        "benny@bennybottema.com", ("benny@bennybottema.com",), "2019-04-27T16:47:54+00:00"),
    "bbottema__outlook-message-parser__simple_reply_with_CC.msg": (
        "benny@bennybottema.com", ("davidjono555@gmail.com",), "2019-12-18T10:30:37+00:00"),
    "ctabin__jotlmsg__sent.msg": (
        "sender@jotlmsg.com", ("cedric@jotlmsg.com",), "2018-02-27T23:00:00+00:00"),
    "hfig__MAPI__sample.msg": (
        "mlemos@acm.org", ("mlemos@linux.local",), "2005-04-30T22:28:29+00:00"),
    "hughbe__SimpleMessage.msg": (
        "hughbellars@gmail.com", ("hughbellars@gmail.com",), "2020-08-20T14:44:29+00:00"),
    "lolo101__MsgViewer__Ab_auf_die_Piste_.msg": (
        "mailings@gmxnet.de", ("members@gmx.net",), "2010-11-28T22:42:18+00:00"),
    "lolo101__MsgViewer__welcome_test.msg": (
        "olteam@microsoft.com", (), "2010-11-27T17:20:16.168000+00:00"),
    "mvz__email-outlook-message-perl__charset.msg": (
        "joebloggs@example.org", ("joebloggs@example.org",), "2019-10-09T05:55:10+00:00"),
    "vikramarsid__msg_parser__other.msg": (
        "mailer-daemon@tjdpf.org.cn", ("yosipnps@model.com",), "2017-11-27T09:44:30+00:00"),
}  # fmt: skip
CARDS = {  # file: (full name, addresses, organisation)
    "aquasync__ruby_msg__contact-plain.msg": (
        "(full name) A completely bogus contact", ("email@emailland.com",), ""),
    "aquasync__ruby_msg__contact-unicode.msg": (
        "(full name) A completely bogus contact", ("email@emailland.com",), ""),
    "aspose_email__Aspose_Email_for_Java__Bertha_A._Buell.msg": (
        "Bertha A. Buell", ("berthaabuell@armyspy.com",), "Awthentikz"),
    "hughbe__Sample_Contact.msg": ("Mr. First Middle Last I", (), "Company"),  # e-mail "Email"
}  # fmt: skip
SKIPPED = {
    "aquasync__ruby_msg__test_Blammo.msg": "posts",
    "aspose_email__Aspose_Email_for_Java__MAPITask.msg": "tasks",
    "hughbe__Simple_Task.msg": "tasks",
    "hughbe__Contact_Group.msg": "contact groups",
    # Unsent items, as the libraries that wrote them leave them: drafts.
    "aspose_email__Aspose_Email_for_Java__Invitation.msg": "drafts",
    "bbottema__outlook-message-parser__chinese_message.msg": "drafts",
    "ctabin__jotlmsg__many-recipients.msg": "drafts",
}
PROBLEMS = {  # file: (reason, whole file)
    "TheConfusedCat__msgparser__plain_chain.msg": (
        problem("sender_exchange_only"), False),
    "vikramarsid__msg_parser__complete.msg": (problem("msg_empty"), True),
}  # fmt: skip
MEETINGS = ("hughbe__Appointment.msg", "hughbe__Meeting.msg", "hughbe__Recurring_Appointment.msg")


@pytest.fixture(scope="module")
def folder(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "outlook-msg"


def _records(path: Path) -> list[Interaction | ContactCard | Problem | Skipped]:
    return list(msg_records(path, source="file", where=path.name, now=NOW))


def test_every_fixture_is_described(folder: Path) -> None:
    described = {*MAIL, *CARDS, *SKIPPED, *PROBLEMS, *MEETINGS}
    assert {p.name for p in folder.glob("*.msg")} == described
    assert len(described) == 32


@pytest.mark.parametrize("name", sorted(MAIL))
def test_mail(folder: Path, name: str) -> None:
    sender, to, at = MAIL[name]
    records = _records(folder / name)
    mail = records[0]
    assert isinstance(mail, Interaction) and mail.kind is Kind.EMAIL
    assert mail.sender is not None and mail.sender.address == sender
    assert tuple(m.address for m in mail.to) == to
    assert mail.at == datetime.fromisoformat(at)
    assert all(not m.address.startswith("/") for m in mail.participants())
    message = extract_msg.openMsg(str(folder / name), delayAttachments=True)
    headers = message.getStringStream("__substg1.0_007D") or ""
    message.close()
    if not headers:
        return
    parsed = email.parser.HeaderParser().parsestr(headers.replace("\x00", ""))
    if parsed["From"]:
        assert mail.sender.address == email.utils.parseaddr(parsed["From"])[1].lower()
    if parsed["Message-ID"]:
        assert mail.message_id == parsed["Message-ID"].strip().strip("<>")
    if parsed["Date"]:
        sent = email.utils.parsedate_to_datetime(parsed["Date"])
        sent = sent if sent.tzinfo else sent.replace(tzinfo=UTC)  # "-0000": UTC, no zone known
        assert abs(mail.at - sent) < timedelta(minutes=2)
    assert mail.delivered == ("Received" in parsed)


def test_reply_with_cc_keeps_threading_and_cc(folder: Path) -> None:
    (mail,) = _records(folder / "bbottema__outlook-message-parser__simple_reply_with_CC.msg")
    assert isinstance(mail, Interaction)
    assert [m.address for m in mail.cc] == ["b.bottema@projectnibble.org", "b.bottema@gmail.com"]
    assert mail.in_reply_to == "CA+Hp245mBz5LaoGdCzFY4DTO1XLup-2KrejrzOY4NJORWOZC_Q@mail.gmail.com"
    assert mail.references[0] == "1e8f9666a777f3219502aa861c901708@www.bennybottema.com"
    assert mail.conversation_id.startswith("ti:")


def test_bcc_and_noise(folder: Path) -> None:
    (mail,) = _records(folder / "Sicos1977__MSGReader__EmailWithAttachments.msg")
    assert isinstance(mail, Interaction)
    assert [m.address for m in mail.cc] == ["tinkerbel@neverland.com"]
    assert [m.address for m in mail.bcc] == ["wendy@neverland.com"]
    (report,) = _records(folder / "vikramarsid__msg_parser__other.msg")
    assert isinstance(report, Interaction) and Flag.AUTOMATED in report.flags  # a bounce
    assert report.subject == "投递状态通知 (Failure Notice)"
    (newsletter,) = _records(folder / "lolo101__MsgViewer__Ab_auf_die_Piste_.msg")
    assert isinstance(newsletter, Interaction) and newsletter.is_noise


@pytest.mark.parametrize("name", sorted(CARDS))
def test_cards(folder: Path, name: str) -> None:
    full_name, addresses, organisation = CARDS[name]
    (card,) = _records(folder / name)
    assert isinstance(card, ContactCard)
    assert (card.full_name, card.addresses, card.organisation) == (
        full_name,
        addresses,
        organisation,
    )


@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_skipped(folder: Path, name: str) -> None:
    assert _records(folder / name) == [Skipped(SKIPPED[name])]


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_problems(folder: Path, name: str) -> None:
    (problem,) = _records(folder / name)
    assert isinstance(problem, Problem)
    assert (problem.reason, problem.whole) == PROBLEMS[name]


def test_appointment_and_meeting(folder: Path) -> None:
    (appointment,) = _records(folder / "hughbe__Appointment.msg")
    assert isinstance(appointment, Interaction) and appointment.kind is Kind.MEETING
    assert appointment.at == datetime(2020, 10, 22, 8, 0, tzinfo=UTC)
    assert appointment.duration_s == 30 * 60 and appointment.subject == "Appointment Name"
    (meeting,) = _records(folder / "hughbe__Meeting.msg")
    assert isinstance(meeting, Interaction) and meeting.sender is not None
    assert meeting.sender.address == "pstreadertests@outlook.com"
    responses = {a.mailbox.address: a.response for a in meeting.attendees}
    assert responses == {
        "pstreadertests@outlook.com": Response.ORGANIZER,
        "hughbellars@gmail.com": Response.NONE,
    }


def test_recurring_appointment_expands_in_local_time(folder: Path) -> None:
    """The file says "every Sunday and Thursday from 8:00 AM to 8:30 AM" (London time), from
    22 October 2020 to 8 April 2021: the expectation is counted from that sentence."""
    occurrences = _records(folder / "hughbe__Recurring_Appointment.msg")
    london = ZoneInfo("Europe/London")
    expected = [
        datetime(d.year, d.month, d.day, 8, 0, tzinfo=london).astimezone(UTC)
        for d in (date(2020, 10, 22) + timedelta(days=n) for n in range(169))
        if d.isoweekday() in (4, 7)
    ]
    assert [o.at for o in occurrences if isinstance(o, Interaction)] == expected
    assert all(isinstance(o, Interaction) and o.duration_s == 1800 for o in occurrences)
    assert len({o.item_id for o in occurrences if isinstance(o, Interaction)}) == len(expected)
