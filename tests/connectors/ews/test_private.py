"""Items marked private (``t:Sensitivity`` = Private) keep participants and time over EWS, never
their subject: for mail (GetItem) and meetings (CalendarView) alike."""

from __future__ import annotations

from datetime import timedelta

from outlook_networking.connectors.ews import EwsSource
from outlook_networking.model import Kind
from servers.ews import EWSServer

from .conftest import NOW, AccountFactory


def test_private_mail_and_meetings_lose_only_their_subject(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    box = ews_server.mailbox
    for sensitivity, subject in (("Private", "Divorce lawyer"), ("Personal", "Dinner"),
                                 (None, "Offer")):  # fmt: skip
        box.add_message(
            "inbox", subject=subject, sender=("Ann", "ann@partner.example"),
            to=["me@example.com"], cc=["bob@partner.example"], sent=NOW - timedelta(days=2),
            sensitivity=sensitivity,
        )  # fmt: skip
    start = NOW + timedelta(days=1)
    box.add_calendar_item(
        subject="Job interview", start=start, end=start + timedelta(hours=1),
        organizer="boss@rival.example", required=[("me@example.com", "Accept")],
        sensitivity="Private",
    )  # fmt: skip

    source = EwsSource(make_account(), "ews:work", folders=("inbox", "calendar"), now=lambda: NOW)
    items = [i for b in source.read({}) for i in b.interactions]

    mail = {i.subject: i for i in items if i.kind is Kind.EMAIL}
    assert set(mail) == {"", "Dinner", "Offer"}
    private = mail[""]
    assert private.sender is not None and private.sender.address == "ann@partner.example"
    assert [m.address for m in private.cc] == ["bob@partner.example"]
    assert private.at == NOW - timedelta(days=2)
    (meeting,) = [i for i in items if i.kind is Kind.MEETING]
    assert meeting.subject == "" and meeting.at == start and meeting.duration_s == 3600
    assert meeting.sender is not None and meeting.sender.address == "boss@rival.example"
    assert [a.mailbox.address for a in meeting.attendees] == ["me@example.com"]
