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
``SUBJECT_WINDOW``, ``ThreadFold``, ``THREADS_FORMAT``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Literal

from ..model import Interaction, Kind, normalise_message_id

__all__ = [
    "SUBJECT_WINDOW",
    "THREADS_FORMAT",
    "Method",
    "Reply",
    "ThreadFold",
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


_METHODS: tuple[Method, ...] = ("in_reply_to", "references", "conversation", "subject")
THREADS_FORMAT = 3  # of ThreadFold.doc(); a new one whenever what the pairing computes changes


def _header_ids(item: Interaction) -> list[str]:
    """The Message-IDs a message's headers name as what it answers."""
    named = [normalise_message_id(ref) for ref in item.references]
    if item.in_reply_to:
        named.append(normalise_message_id(item.in_reply_to))
    return named


class ThreadFold:
    """:func:`analyse_threads` as a fold over ``emails`` (the e-mails, in time order) that can
    stop after any prefix, say what it knows (:meth:`doc`), and go on later from that document
    over the same prefix followed by more (:meth:`resume`): what it gives is what
    :func:`analyse_threads` gives for all of them, the same replies in the same order.

    The fallbacks (conversation, subject) only look back, so a child's fallback is final once it
    is folded. Header pairing does not look at time: a child may name a message stored later (a
    skewed clock, a message that arrives after its answer). So a child also waits for every
    Message-ID its headers name that no message folded so far has; when the first message with
    that id comes, the child's header pairing is done again, as :func:`analyse_threads` would
    do it with every message known. The document keeps the prefix's pairings, thread starts and
    waiting children (not the index of Message-IDs: :meth:`resume` finds in the prefix only the
    ids, conversations and subjects the rest will ask for, in one pass over it)."""

    def __init__(self, emails: Sequence[Interaction], at: int = 0) -> None:
        self.emails = emails
        self.at = at  # emails[:at] are folded
        self._by_id: dict[str, Interaction] = {}
        self._conversations: dict[str, list[Interaction]] = {}
        self._subjects: dict[tuple[str, str], list[Interaction]] = {}
        self._replies: dict[int, Reply] = {}  # by the child's place in emails
        self._starts: list[int] = []
        self._waiting: dict[str, list[int]] = {}  # an id not yet folded -> children naming it

    def fold_to(self, end: int) -> None:
        """Fold the e-mails up to (not including) place ``end``."""
        emails, by_id, waiting = self.emails, self._by_id, self._waiting
        conversations, subjects = self._conversations, self._subjects
        for place in range(self.at, end):
            child = emails[place]
            own_id = normalise_message_id(child.message_id) if child.message_id else ""
            if own_id and own_id not in by_id:
                by_id[own_id] = child
                if own_id in waiting:  # children folded before it named it: pair them again
                    for other in waiting.pop(own_id):
                        self._pair_by_headers(other)
            headers = bool(child.in_reply_to or child.references)
            reply = _by_headers(child, own_id, by_id) if headers else None
            if headers:
                for named in _header_ids(child):
                    if named not in by_id and named != own_id:
                        waiting.setdefault(named, []).append(place)
            stripped, replying = _strip_prefixes(child.subject) if child.subject else ("", False)
            subject_key = " ".join(stripped.casefold().split())
            sender = child.sender.address if child.sender is not None else ""
            earlier = conversations.get(child.conversation_id) if child.conversation_id else None
            if reply is None and earlier and sender:
                reply = _by_conversation(child, sender, earlier)
            if reply is None and sender and replying:
                reply = _by_subject(child, sender, subject_key, subjects)
            if reply is not None:
                self._replies[place] = reply
            elif not headers and not replying and not earlier:
                self._starts.append(place)
            if child.conversation_id:
                conversations.setdefault(child.conversation_id, []).append(child)
            if sender and subject_key:
                subjects.setdefault((subject_key, sender), []).append(child)
        self.at = max(self.at, end)

    def _pair_by_headers(self, place: int) -> None:
        """A child's pairing again now that one more id it names is known: by its headers if
        they find a parent now, else the fallback it got when it was folded (or none)."""
        child = self.emails[place]
        own_id = normalise_message_id(child.message_id) if child.message_id else ""
        reply = _by_headers(child, own_id, self._by_id)
        if reply is not None:
            self._replies[place] = reply

    def unsettled(self) -> list[Interaction]:
        """The folded answers whose pairing a later e-mail can still change: those whose
        headers name a Message-ID no e-mail folded so far has (each once)."""
        places = {place for children in self._waiting.values() for place in children}
        return [self.emails[place] for place in sorted(places)]

    def threads(self) -> Threads:
        """The pairings and thread starts of what is folded, in time order."""
        emails = self.emails
        return Threads(
            tuple(self._replies[place] for place in sorted(self._replies)),
            tuple(emails[place] for place in self._starts),
        )

    def doc(self) -> dict[str, Any]:
        """What :meth:`resume` goes on from: JSON-ready, places in ``emails``."""
        parents = {id(reply.parent) for reply in self._replies.values()}
        places = {
            id(email): place
            for place, email in enumerate(islice(self.emails, 0, self.at))
            if id(email) in parents
        }
        return {
            "format": THREADS_FORMAT,
            "at": self.at,
            "replies": [  # (flat: child, parent, method, child, parent, method, ...)
                number
                for place, reply in sorted(self._replies.items())
                for number in (place, places[id(reply.parent)], _METHODS.index(reply.method))
            ],
            "starts": list(self._starts),
            "waiting": {named: list(children) for named, children in self._waiting.items()},
        }

    @classmethod
    def resume(cls, emails: Sequence[Interaction], doc: Mapping[str, Any]) -> ThreadFold:
        """The fold of ``emails[:doc["at"]]`` as :meth:`doc` described it, ready to go on over
        the rest of ``emails`` (which must begin with the same e-mails in the same order).
        ``ValueError`` if the document is not such a description."""
        try:
            if doc["format"] != THREADS_FORMAT:
                raise ValueError(f"thread pairings of format {doc['format']!r}")
            at = int(doc["at"])
            if not 0 <= at <= len(emails):
                raise ValueError(f"thread pairings of {at} e-mails, not of {len(emails)}")
            fold = cls(emails, at)
            flat = doc["replies"]
            for place, parent, method in zip(flat[::3], flat[1::3], flat[2::3], strict=True):
                fold._replies[place] = _reply(emails[parent], emails[place], _METHODS[method])
            fold._starts = [int(place) for place in doc["starts"]]
            fold._waiting = {str(k): [int(c) for c in v] for k, v in doc["waiting"].items()}
        except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
            raise ValueError(f"not thread pairings: {exc!r}") from exc
        fold._find_in_prefix()
        return fold

    def _find_in_prefix(self) -> None:
        """The part of the prefix's index the rest can ask for, in one pass over the prefix:
        the ids the rest names (and those named by the children that wait for an id the rest
        has), the conversations the rest belongs to, and the subjects of the last
        :data:`SUBJECT_WINDOW` before the rest begins."""
        rest = self.emails[self.at :]
        if not rest:
            return
        wanted: set[str] = set()
        for email in rest:
            if email.in_reply_to or email.references:
                wanted.update(_header_ids(email))
            if email.message_id:
                for place in self._waiting.get(normalise_message_id(email.message_id), ()):
                    wanted.update(_header_ids(self.emails[place]))
        talks = {e.conversation_id for e in rest if e.conversation_id}
        by_id, conversations = self._by_id, self._conversations
        if wanted or talks:  # (mail that names no earlier message, in no conversation: none)
            for email in islice(self.emails, 0, self.at):
                if email.message_id and wanted:
                    own_id = normalise_message_id(email.message_id)
                    if own_id in wanted:
                        by_id.setdefault(own_id, email)
                if email.conversation_id in talks:
                    conversations.setdefault(email.conversation_id, []).append(email)
        for earlier in conversations.values():
            del earlier[:-50]  # (only the last 50 are ever looked at)
        # The subjects only of the last SUBJECT_WINDOW: the e-mails are in time order.
        since = bisect_left(self.emails, rest[0].at - SUBJECT_WINDOW, 0, self.at, key=_sent_at)
        for email in islice(self.emails, since, self.at):
            sender = email.sender.address if email.sender is not None else ""
            if email.subject and sender:
                key = normalise_subject(email.subject)
                if key:
                    self._subjects.setdefault((key, sender), []).append(email)


def _sent_at(email: Interaction) -> datetime:
    return email.at


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
