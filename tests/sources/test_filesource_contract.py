"""The file source passes the source contract every connector passes (``tests/connectors``).

The mailbox is a Maildir as an export writes it: the inbox at its root and a Maildir++ ``.Sent``
folder, one ``.eml`` file per message. What applies to files applies here: a full read, new mail
read incrementally, and a round cut short that the next one finishes. Deletions and lost sync
states are a server's business: an export that loses a file does not unsay the mail it held.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from connectors.contract import SourceContract, SourceWorld
from outlook_networking.sources import FileSource

FOLDERS = {"inbox": "", "sent": ".Sent"}


@pytest.fixture()
def source_world(tmp_path: Path) -> SourceWorld:
    root = tmp_path / "Maildir"
    for folder in FOLDERS.values():
        for part in ("cur", "new", "tmp"):
            (root / folder / part).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def add_message(
        folder: str, subject: str, sender: str, to: list[str], at: datetime, message_id: str
    ) -> str:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Date"] = format_datetime(at)
        message["Message-ID"] = message_id
        message.set_content("Only the headers are read.")
        path = root / FOLDERS[folder] / "cur" / f"{len(written):06}.eml:2,S"
        path.write_bytes(bytes(message))
        written.append(path)
        return path.name

    def unsupported(*_: object) -> None:
        raise AssertionError("files have no deletions or sync states to lose")

    return SourceWorld(
        source=lambda: FileSource([root], chunk=100),
        add_message=add_message,
        delete=unsupported,
        invalidate=unsupported,
    )


class TestFileSource(SourceContract):
    pass
