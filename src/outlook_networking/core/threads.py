"""Which message answers which: replies paired with their parents, and the thread starts.

A reply is paired with its parent by the strongest evidence available, in this order:

1. ``in_reply_to``: the child's In-Reply-To names a stored message's Message-ID;
2. ``references``: the last of the child's References that names a stored message;
3. ``conversation``: the latest earlier message of the same conversation id whose recipients
   include the child's sender, written by someone else;
4. ``subject``: the child's subject carries a reply prefix (Re:, AW:, SV:, Antw: ...), and the
   latest earlier message with the same normalised subject, sent by one of the child's
   recipients to the child's sender, within 14 days.

Header pairing (1, 2) ignores time order: clocks skew and an mbox need not be sorted, and a
Message-ID is evidence enough. The fallbacks (3, 4) only look back in time. Noise is paired too
(a list thread is still a thread); deciding what counts for a relationship is :mod:`.history`'s
job. Meetings are never paired.

A **thread start** is an e-mail that answers nothing: not paired as a child, no In-Reply-To or
References, no reply prefix, and not a later message of a conversation already seen.

Everything runs in linear time: one pass builds the Message-ID index, one pass over the items in
time order pairs them (Python's sort is linear on the already sorted input the store yields).

Exports: ``Reply``, ``Threads``, ``item_key``, ``normalise_subject``, ``is_reply_subject``,
``normalise_message_id``, ``analyse_threads``, ``pair_replies``, ``thread_starts``, ``Method``,
``SUBJECT_WINDOW``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from ..model import Interaction, Kind, normalise_message_id

__all__ = [
    "SUBJECT_WINDOW",
    "Method",
    "Reply",
    "Threads",
    "analyse_threads",
    "is_reply_subject",
    "item_key",
    "normalise_message_id",
    "normalise_subject",
    "pair_replies",
    "thread_starts",
]

Method = Literal["in_reply_to", "references", "conversation", "subject"]

SUBJECT_WINDOW = timedelta(days=14)

# Reply prefixes in the languages Outlook localises them into; forward prefixes are stripped for
# comparison but do not make a message a reply.
_REPLY = r"re|aw|sv|antw|vs|odp|rif|r|res|ref|réf|ynt|atb|vá"
_FORWARD = r"fwd?|wg|tr|vb|doorst|enc|rv|i|fs|továbbítás|pd"
_PREFIX = re.compile(
    rf"^\s*(?:\[[^\]]{{0,60}}\]\s*)*(?P<p>{_REPLY}|{_FORWARD})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_REPLY_ONLY = re.compile(rf"^(?:{_REPLY})$", re.IGNORECASE)
_TAG = re.compile(r"^\s*(?:\[[^\]]{0,60}\]\s*)+")


def item_key(item: Interaction) -> str:
    """The stable key of an interaction across runs: ``source:item_id``."""
    return f"{item.source}:{item.item_id}"


def _strip_prefixes(subject: str) -> tuple[str, bool]:
    """The subject without reply/forward prefixes and list tags, and whether a reply prefix was
    the outermost prefix."""
    if ":" not in subject and "：" not in subject and "[" not in subject:
        return subject, False  # no prefix without a colon, no list tag without a bracket
    text = subject
    reply: bool | None = None
    while True:
        match = _PREFIX.match(text)
        if match is None:
            break
        if reply is None:
            reply = bool(_REPLY_ONLY.match(match.group("p")))
        text = text[match.end() :]
    text = _TAG.sub("", text)
    return text, bool(reply)


def normalise_subject(subject: str) -> str:
    """Subject for comparison: prefixes (Re:, AW:, Fwd:, WG:, TR:, SV:, Antw: ...) and list tags
    stripped, case folded, whitespace collapsed."""
    text, _ = _strip_prefixes(subject)
    return " ".join(text.casefold().split())


def is_reply_subject(subject: str) -> bool:
    """The subject's outermost prefix says it answers something (Re:, AW:, SV:, Antw: ...)."""
    return _strip_prefixes(subject)[1]


@dataclass(frozen=True, slots=True)
class Reply:
    """``child`` answers ``parent``; ``latency_s`` is never negative (clock skew is clamped)."""

    parent: Interaction
    child: Interaction
    latency_s: int
    method: Method


@dataclass(frozen=True, slots=True)
class Threads:
    """Every pairing found, and the messages that start threads, both in time order."""

    replies: tuple[Reply, ...]
    starts: tuple[Interaction, ...]


def _recipient_addresses(item: Interaction) -> set[str]:
    return {m.address for m in item.recipients()}


def _reply(parent: Interaction, child: Interaction, method: Method) -> Reply:
    latency = int((child.at - parent.at).total_seconds())
    return Reply(parent, child, max(0, latency), method)


def analyse_threads(interactions: Iterable[Interaction]) -> Threads:
    """Pair every e-mail with the message it answers and find the thread starts.

    Parameters:
        interactions: any order; materialised once.

    Returns:
        ``Threads`` with one ``Reply`` per paired child and the thread starts, in time order.
    """
    items: Sequence[Interaction] = sorted(
        (i for i in interactions if i.kind is Kind.EMAIL), key=lambda i: i.at
    )
    by_id: dict[str, Interaction] = {}
    own_ids = [normalise_message_id(i.message_id) if i.message_id else "" for i in items]
    for item, own_id in zip(items, own_ids, strict=True):
        if own_id:
            by_id.setdefault(own_id, item)

    replies: list[Reply] = []
    starts: list[Interaction] = []
    # conversation id -> messages so far (latest last); subject key -> messages so far.
    conversations: dict[str, list[Interaction]] = {}
    subjects: dict[tuple[str, str], list[Interaction]] = {}

    for child, own_id in zip(items, own_ids, strict=True):
        reply = _by_headers(child, own_id, by_id) if child.in_reply_to or child.references else None
        stripped, replying = _strip_prefixes(child.subject) if child.subject else ("", False)
        subject_key = " ".join(stripped.casefold().split())
        sender = child.sender.address if child.sender is not None else ""
        earlier_in_conversation = (
            conversations.get(child.conversation_id) if (child.conversation_id) else None
        )
        if reply is None and earlier_in_conversation and sender:
            reply = _by_conversation(child, sender, earlier_in_conversation)
        if reply is None and sender and replying:
            reply = _by_subject(child, sender, subject_key, subjects)
        if reply is not None:
            replies.append(reply)
        elif (
            not child.in_reply_to
            and not child.references
            and not replying
            and not earlier_in_conversation
        ):
            starts.append(child)
        if child.conversation_id:
            conversations.setdefault(child.conversation_id, []).append(child)
        if sender and subject_key:
            subjects.setdefault((subject_key, sender), []).append(child)
    return Threads(tuple(replies), tuple(starts))


def _by_headers(child: Interaction, own_id: str, by_id: dict[str, Interaction]) -> Reply | None:
    if child.in_reply_to:
        parent_id = normalise_message_id(child.in_reply_to)
        parent = by_id.get(parent_id)
        if parent is not None and parent is not child and parent_id != own_id:
            return _reply(parent, child, "in_reply_to")
    for ref in reversed(child.references):
        ref_id = normalise_message_id(ref)
        if ref_id == own_id:
            continue
        parent = by_id.get(ref_id)
        if parent is not None and parent is not child:
            return _reply(parent, child, "references")
    return None


def _by_conversation(child: Interaction, sender: str, earlier: list[Interaction]) -> Reply | None:
    # Look back a bounded distance: a conversation's latest messages are the likely parents,
    # and bounding keeps a thousand-message conversation linear.
    for parent in reversed(earlier[-50:]):
        if parent.sender is None or parent.sender.address == sender:
            continue
        if sender in _recipient_addresses(parent):
            return _reply(parent, child, "conversation")
    return None


def _by_subject(
    child: Interaction,
    sender: str,
    subject_key: str,
    subjects: dict[tuple[str, str], list[Interaction]],
) -> Reply | None:
    if not subject_key:
        return None
    best: Interaction | None = None
    earliest = child.at - SUBJECT_WINDOW
    for recipient in _recipient_addresses(child):
        if recipient == sender:
            continue
        for parent in reversed(subjects.get((subject_key, recipient), ())[-50:]):
            if parent.at < earliest:
                break
            if sender in _recipient_addresses(parent):
                if best is None or parent.at > best.at:
                    best = parent
                break
    return _reply(best, child, "subject") if best is not None else None


def pair_replies(interactions: Iterable[Interaction]) -> list[Reply]:
    """Every reply paired with its parent (see the module docstring for the methods)."""
    return list(analyse_threads(interactions).replies)


def thread_starts(interactions: Iterable[Interaction]) -> list[Interaction]:
    """The e-mails that start a thread."""
    return list(analyse_threads(interactions).starts)
