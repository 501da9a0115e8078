"""What ``login`` says an account's write-back needs of its messages."""

from __future__ import annotations

from dataclasses import replace

from outlook_networking.app.connect import message_access
from outlook_networking.config import AccountConfig
from outlook_networking.i18n import Wording

GRAPH = AccountConfig(name="w", address="me@example.com", connector="graph")
EN = Wording("en")
EWS = AccountConfig(name="w", address="me@example.com", endpoint="https://mail.example.com/EWS")


def test_login_says_when_messages_are_written_and_what_that_asks_for() -> None:
    # Owed replies flag their message by default: a write to mail.
    assert message_access(GRAPH, EN) == (
        "follow-up flags on messages: asking for Mail.ReadWrite (write access to mail)"
    )
    tagging = replace(GRAPH, tag_messages=True)
    assert message_access(tagging, EN).startswith("categories and follow-up flags on messages")
    assert "EWS access covers it" in message_access(replace(EWS, tag_messages=True), EN)
    tasks_only = replace(GRAPH, followups_as=(("owed_reply", "task"),))
    assert message_access(tasks_only, EN) == "messages are only read"
    assert message_access(replace(tagging, writeback=False), EN) == "messages are only read"
