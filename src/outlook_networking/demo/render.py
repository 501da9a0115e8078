"""Turns planned `Mail` values into RFC 5322 messages and streams them into mbox or Maildir.

Inbound mail gets a delivery trace (Return-Path, Received) the way a Postfix/Exchange hop
writes it; the owner's sent mail has none, which is how an ingester can tell the mailbox
owner. Display names outside ASCII are RFC 2047 encoded (ISO-8859-1 Q-encoding where the name
fits, as Outlook does, UTF-8 base64 otherwise).

Writers take one message at a time and write it at once: memory stays flat however many
messages pass through. Files are written under a temporary name and renamed when complete, so
a reader never sees half a mailbox.

Exports: ``MailCounts``, ``headers``, ``render``, ``to_bytes``, ``write_maildir_files``,
``write_mbox``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import quoprimime
from email.header import Header
from email.message import Message
from email.utils import format_datetime, formataddr
from pathlib import Path

from outlook_networking.demo.people import OWNER, wire_address
from outlook_networking.demo.traffic import BERLIN, Addr, Mail

__all__ = ["MailCounts", "headers", "render", "to_bytes", "write_maildir_files", "write_mbox"]

_FROM_LINE = re.compile(r"^(>*From )", re.MULTILINE)
_PREFIX = re.compile(r"^(?:(?:AW|RE|Re|WG|Fwd|FW|Automatische Antwort|Automatic reply): )+")
_HOME_DOMAIN = OWNER.address.split("@")[1]
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class MailCounts:
    """What was written, by kind. `received` counts every message not sent by the owner."""

    messages: int = 0
    sent: int = 0
    received: int = 0
    direct: int = 0
    newsletters: int = 0
    list_messages: int = 0
    automated: int = 0

    def add(self, mail: Mail) -> None:
        self.messages += 1
        if mail.outbound:
            self.sent += 1
        else:
            self.received += 1
        if mail.kind == "direct":
            self.direct += 1
        elif mail.kind == "newsletter":
            self.newsletters += 1
        elif mail.kind == "list":
            self.list_messages += 1
        else:
            self.automated += 1


def _encoded(text: str) -> str:
    """RFC 2047: ISO-8859-1 Q-encoding where the text fits (as Outlook does), else UTF-8."""
    if text.isascii():
        return text
    try:
        text.encode("iso-8859-1")
    except UnicodeEncodeError:
        return Header(text, "utf-8").encode()
    return Header(text, "iso-8859-1").encode()


def _addr(pair: Addr) -> str:
    name, address = pair[0], wire_address(pair[1])
    if name.isascii():
        return formataddr((name, address))
    try:
        name.encode("iso-8859-1")
        charset = "iso-8859-1"
    except UnicodeEncodeError:
        charset = "utf-8"
    return formataddr((name, address), charset=charset)


def _addrs(pairs: Iterable[Addr]) -> str:
    return ", ".join(_addr(p) for p in pairs)


def _token(message_id: str, salt: str) -> str:
    return hashlib.sha1(f"{salt}{message_id}".encode()).hexdigest()[:11].upper()


def _trace(mail: Mail) -> list[tuple[str, str]]:
    """Return-Path and Received headers of a message delivered into the owner's mailbox."""
    envelope = wire_address(mail.sender[1])
    domain = envelope.rsplit("@", 1)[-1].lower()
    hop1 = format_datetime((mail.at + timedelta(seconds=2)).astimezone(BERLIN))
    hop2 = format_datetime((mail.at + timedelta(seconds=4)).astimezone(BERLIN))
    octet = int(_token(mail.message_id, "ip"), 16) % 200 + 20
    if mail.kind in ("list", "newsletter") and mail.list_id:
        list_host = mail.list_id.rsplit("<", 1)[-1].rstrip(">")
        envelope = f"bounces+alex=example.com@{list_host}"
        domain = list_host
    if mail.kind == "bounce":
        envelope = ""
    headers = [("Return-Path", f"<{envelope}>")]
    headers.append(("Received", (
        f"from mx01.example.com (mx01.example.com [192.0.2.25]) by mbx01.example.com "
        f"(Postfix) with LMTP id {_token(mail.message_id, 'lmtp')} for <{OWNER.address}>; "
        f"{hop2}")))
    if domain == "example.com":
        headers.append(("Received", (
            f"from EXCH02.example.com (10.20.1.12) by mx01.example.com (10.20.1.11) with "
            f"Microsoft SMTP Server (version=TLS1_2, "
            f"cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.4; {hop1}")))
    else:
        headers.append(("Received", (
            f"from mail.{domain} (mail.{domain} [198.51.100.{octet}]) by mx01.example.com "
            f"(Postfix) with ESMTPS id {_token(mail.message_id, 'smtp')} "
            f"for <{OWNER.address}>; {hop1}")))
    return headers


def thread_index(mail: Mail) -> str:
    """Outlook's Thread-Index: a 22-byte header block (reserved byte, FILETIME of the
    conversation's first message, a GUID) plus one 5-byte child block per reply level."""
    root_at = mail.root_at or mail.at
    root_id = mail.root_id or mail.message_id
    ticks = int((root_at - _FILETIME_EPOCH).total_seconds() * 10_000_000)
    block = b"\x01" + ticks.to_bytes(8, "big")[:5] + hashlib.md5(root_id.encode()).digest()
    if mail.root_id:
        delta = int((mail.at - root_at).total_seconds() * 10_000_000) >> 18
        for level in range(len(mail.references)):
            block += (((delta & 0x7FFFFFFF) << 8) | level).to_bytes(5, "big")
    return base64.b64encode(block).decode("ascii")


def headers(mail: Mail) -> list[tuple[str, str]]:
    """The message's header fields in the order a mail server leaves them, all ASCII."""
    out = _trace(mail) if not mail.outbound else []
    out.append(("From", _addr(mail.sender)))
    if mail.to:
        out.append(("To", _addrs(mail.to)))
    if mail.cc:
        out.append(("Cc", _addrs(mail.cc)))
    if mail.bcc:
        out.append(("Bcc", _addrs(mail.bcc)))  # Outlook keeps Bcc in the sender's own copy
    out.append(("Subject", _encoded(mail.subject)))
    out.append(("Date", format_datetime(mail.at.astimezone(BERLIN))))
    out.append(("Message-ID", mail.message_id))
    if mail.in_reply_to:
        out.append(("In-Reply-To", mail.in_reply_to))
    if mail.references:
        out.append(("References", " ".join(mail.references)))
    if mail.outbound:
        out.append(("X-Mailer", "Microsoft Outlook 16.0"))
    if mail.sender[1].endswith("@" + _HOME_DOMAIN):
        # Mail from the firm's own Exchange carries Outlook's conversation headers; outside
        # senders' clients do not, so threading there rests on In-Reply-To and subjects.
        out.append(("Thread-Topic", _encoded(_PREFIX.sub("", mail.subject))))
        out.append(("Thread-Index", thread_index(mail)))
    if mail.list_id:
        phrase, _, list_id = mail.list_id.rpartition(" <")
        out.append(("List-Id", f"{_encoded(phrase)} <{list_id}"))  # RFC 2919 allows RFC 2047
    if mail.list_post:
        out.append(("List-Post", mail.list_post))
    if mail.unsubscribe:
        out.append(("List-Unsubscribe", mail.unsubscribe))
    if mail.kind == "newsletter":
        out.append(("Precedence", "bulk"))
        out.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    elif mail.kind == "list":
        out.append(("Precedence", "list"))
    elif mail.kind in ("automated", "bounce", "auto_reply"):
        out.append(("Auto-Submitted", "auto-generated" if mail.kind == "automated"
                    else "auto-replied"))
        out.append(("X-Auto-Response-Suppress", "All"))
    out.append(("MIME-Version", "1.0"))
    if mail.body.isascii():
        out.append(("Content-Type", 'text/plain; charset="us-ascii"'))
        out.append(("Content-Transfer-Encoding", "7bit"))
    else:
        out.append(("Content-Type", 'text/plain; charset="utf-8"'))
        out.append(("Content-Transfer-Encoding", "quoted-printable"))
    return out


def _body(mail: Mail) -> str:
    if mail.body.isascii():
        return mail.body
    # Outlook sends quoted-printable, not base64.
    # quoprimime works on one character per byte, as email.charset feeds it.
    return str(quoprimime.body_encode(mail.body.encode("utf-8").decode("latin-1")))


def render(mail: Mail) -> Message:
    """One `Mail` as a stdlib `email.message.Message` (compat32, as `mailbox` uses)."""
    msg = Message()
    for name, value in headers(mail):
        msg[name] = value
    msg.set_payload(_body(mail))
    return msg


def _fold(name: str, value: str) -> str:
    """RFC 5322 folding at spaces to 78 columns (encoded words never contain a space)."""
    line = f"{name}: {value.replace(chr(10) + ' ', ' ')}"
    if len(line) <= 78:
        return line + "\n"
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > 78:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n ".join(lines) + "\n"


def to_bytes(mail: Mail, *, mbox: bool) -> bytes:
    """The message as bytes with LF line ends, serialised directly (the stdlib generator's
    header folding costs ten times the rest of the demo)."""
    head = "".join(_fold(name, value) for name, value in headers(mail))
    body = _body(mail)
    if mbox:
        # mboxrd quoting: a body line starting with "From " (or ">From ") gains one ">".
        body = _FROM_LINE.sub(r">\1", body)
    if not body.endswith("\n"):
        body += "\n"
    return f"{head}\n{body}".encode("ascii")


def _from_line(mail: Mail) -> bytes:
    # asctime by hand: strftime's %a/%b follow the C locale, and the file must not.
    u = mail.at.astimezone(UTC)
    stamp = (f"{_WEEKDAYS[u.weekday()]} {_MONTHS[u.month - 1]} {u.day:2d} "
             f"{u:%H:%M:%S} {u.year}")
    sender = wire_address(mail.sender[1])
    if mail.kind == "bounce":
        sender = sender.split("@")[0]
    return f"From {sender} {stamp}\n".encode("ascii")


def write_mbox(path: Path, mails: Iterable[Mail]) -> MailCounts:
    """Stream `mails` into an mbox file at `path` (mboxo/mboxrd-compatible From_ quoting)."""
    counts = MailCounts()
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as out:
        for mail in mails:
            out.write(_from_line(mail))
            out.write(to_bytes(mail, mbox=True))
            out.write(b"\n")
            counts.add(mail)
    os.replace(partial, path)
    return counts


def write_maildir_files(directory: Path, mails: Iterable[Mail], now: datetime) -> MailCounts:
    """Stream `mails` into a Maildir: the last two days unread in new/, the rest seen in cur/."""
    counts = MailCounts()
    for sub in ("cur", "new", "tmp"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    unread_after = now - timedelta(days=2)
    for mail in mails:
        stamp = int(mail.at.timestamp())
        name = f"{stamp}.M{counts.messages:07d}P1.demo.example.com"
        tmp = directory / "tmp" / name
        tmp.write_bytes(to_bytes(mail, mbox=False))
        if mail.at >= unread_after and not mail.outbound:
            os.replace(tmp, directory / "new" / name)
        else:
            os.replace(tmp, directory / "cur" / f"{name}:2,S")
        counts.add(mail)
    return counts
