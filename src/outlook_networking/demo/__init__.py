"""Deterministic demo mailbox: a consultant's 18 months of mail, meetings and contacts.

`generate(directory, now=..., seed=...)` writes ``mailbox.mbox``, ``calendar.ics`` and
``contacts.vcf`` for the persona Alex Example <alex@example.com>, a consultant in Berlin, and
returns a `DemoTruth`: the addresses behind every planted pattern (mentor, close colleagues,
fading contact, non-answerer, owed replies, introductions, ...) so tests can check that the
product finds them. `write_maildir` writes the same messages as a Maildir for benchmarks.

Determinism: all randomness comes from `random.Random` seeded with the seed (the mail stream
and the calendar each get their own generator, seeded from the seed, so a larger mailbox does
not reshuffle the calendar). The clock is never read: the same seed and `now` give
byte-identical files.

Scale: `messages=` is a target count; every generic stream (colleagues, partners, long tail,
newsletters, lists, notifications) scales with it, the planted patterns do not. Messages are
produced one at a time in date order and written as they come, so memory stays flat.

The owner's own vCard carries ``X-OUTLOOK-NETWORKING-ME:TRUE`` (see `cards`).

Exports: ``ME_PROPERTY``, ``DemoTruth``, ``generate``, ``iter_mail``, ``render``, ``write_maildir``.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outlook_networking.demo.cards import ME_PROPERTY, build_cards
from outlook_networking.demo.meetings import TODAY, TODAY_ROOM, TODAY_STRANGER, build_calendar
from outlook_networking.demo.people import OWNER, REACH_ORG, Cast, build_cast
from outlook_networking.demo.plants import plant, reach_intermediaries
from outlook_networking.demo.render import MailCounts, render, write_maildir_files, write_mbox
from outlook_networking.demo.traffic import (
    AUTO_FORWARDER,
    AUTOMATED,
    BOUNCE_SENDER,
    DAYS,
    MAILING_LISTS,
    NEWSLETTERS,
    Mail,
    Traffic,
)

__all__ = ["ME_PROPERTY", "DemoTruth", "generate", "iter_mail", "render", "write_maildir"]

LONG_TAIL = 100  # with the named roles, ~150 people
PLANTED_MESSAGES = 90  # roughly what plants.py adds; only used to aim at a target count


@dataclass(frozen=True)
class DemoTruth:
    """What the demo planted, by role, and what it wrote.

    Every role is a tuple of lower-case addresses (primary address first). Pairs are ordered:
    `intro_took`/`intro_failed` are the two people the owner introduced to each other;
    `introduced_to_owner` is (introducer, new person); `two_addresses` is (work, private) of one
    person whose vCard lists both; `alias_addresses` are two addresses of one person at one
    organisation (same full name, no vCard); `namesakes` are two different people who share a
    full name at different organisations and must stay apart. `idn` is a person at an
    internationalised domain, listed in Unicode form (headers carry the xn-- form);
    `mixed_case` is someone whose own mail spells the address Like.This@Domain.example
    (listed in lower case, as the address book and calendar write it).

    Roles and the pattern each carries:
        mentor: frequent two-way mail, a biweekly 1:1 series (should rank A/B).
        close: five colleagues, near-daily two-way mail and a weekly team series (A/B).
        partners: people at other firms, moderate two-way mail and meetings.
        fading: very active until ~7 months ago, then silent (cooling).
        non_answerer: the owner wrote five times over eight months, never an answer; never a
            sender, never in a meeting (unreciprocated).
        owed_reply: each sent the owner a direct message 3-5 days before `now` (owner in To)
            that the owner has not answered (owed reply).
        not_yet_owed: a direct message to the owner 5 hours before `now`: not owed yet.
        awaiting_answer: the owner wrote 6 days before `now`; they usually answer within hours.
        one_sided_giver: answered each of eight requests the owner started within minutes,
            never started a thread, got only thanks back.
        forwarded_by_owner_to / forwarded_to_owner_by: "WG:"/"Fwd:" messages each way.
        bulk_senders: newsletters, no-reply notifications, mailer-daemon: never contacts.
        list_addresses: mailing-list posting addresses (List-Id); list_posters reach the owner
            only through those lists.
        today_meetings: the brief's day, the day of `now`: (subject, people) of its two
            meetings still to come, people as the brief lists them (organizer first, the owner
            and the room left out); today_room is the room booked for the first,
            today_stranger the new client's person nobody knows; birthday_soon: people whose
            birthday is two days after `now` (the mentor, tier A).
        reach_organisation: the domain of an organisation the owner knows nobody at;
            reach_paths: who can introduce the owner there, best first, each as
            (intermediary, target) or, two steps, (intermediary, someone, target): a close
            colleague, a less close colleague, and a partner who knows someone who knows the
            third person there. Nobody at the organisation, and not that someone, is a contact.
    Counts: `messages` = `sent` + `received`; `direct` person-to-person messages, the rest
    newsletters, list messages, automated (notifications, bounces, out-of-office replies).
    `meetings` counts VEVENTs (series masters and overrides included); `contacts` vCards.
    """

    owner: str
    owner_name: str
    now: datetime
    start: datetime
    mentor: tuple[str, ...]
    close: tuple[str, ...]
    internal_colleagues: tuple[str, ...]
    partners: tuple[str, ...]
    fading: tuple[str, ...]
    non_answerer: tuple[str, ...]
    owed_reply: tuple[str, ...]
    not_yet_owed: tuple[str, ...]
    awaiting_answer: tuple[str, ...]
    one_sided_giver: tuple[str, ...]
    intro_took: tuple[str, str]
    intro_failed: tuple[str, str]
    introduced_to_owner: tuple[str, str]
    forwarded_by_owner_to: tuple[str, ...]
    forwarded_to_owner_by: tuple[str, ...]
    two_addresses: tuple[str, str]
    alias_addresses: tuple[str, str]
    namesakes: tuple[str, str]
    idn: tuple[str, ...]
    mixed_case: tuple[str, ...]
    long_tail: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (address, display name) of every person, all addresses
    bulk_senders: tuple[str, ...]
    list_addresses: tuple[str, ...]
    list_posters: tuple[str, ...]
    today_meetings: tuple[tuple[str, tuple[str, ...]], ...]
    today_room: str
    today_stranger: str
    birthday_soon: tuple[str, ...]
    reach_organisation: str
    reach_paths: tuple[tuple[str, ...], ...]
    messages: int = 0
    sent: int = 0
    received: int = 0
    direct: int = 0
    newsletters: int = 0
    list_messages: int = 0
    automated: int = 0
    subject_only_replies: int = 0
    meetings: int = 0
    cancelled_meetings: int = 0
    recurring_series: int = 0
    contacts: int = 0


def _aware(now: datetime) -> datetime:
    # A naive `now` is taken as UTC rather than the machine's zone: the output must not vary.
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now


def _plan(now: datetime, seed: int, messages: int | None) -> tuple[Cast, Traffic]:
    long_tail = LONG_TAIL
    if messages is not None and messages > 4000:
        long_tail = min(3000, round(LONG_TAIL * math.sqrt(messages / 4000)))
    cast = build_cast(random.Random(seed), long_tail=long_tail)
    traffic = Traffic(cast, random.Random(f"{seed}:mail"), now, plant=plant)
    if messages is not None:
        generic = traffic.expected_generic()
        fixed = PLANTED_MESSAGES + traffic.expected_fixed()
        traffic.scale = max(0.0, (messages - fixed) / generic) if generic else 0.0
    return cast, traffic


def iter_mail(*, now: datetime, seed: int = 7, messages: int | None = None) -> Iterator[Mail]:
    """The demo's messages one at a time in date order (a generator: nothing is held back)."""
    _, traffic = _plan(_aware(now), seed, messages)
    yield from traffic


def _truth(cast: Cast, traffic: Traffic, now: datetime, counts: MailCounts,
           **extra: int) -> DemoTruth:
    def a(*people: object) -> tuple[str, ...]:
        return tuple(p.address for p in people)  # type: ignore[attr-defined]

    people = tuple((address, p.name) for p in cast.people for address in p.addresses)
    bulk = tuple(n[1] for n in NEWSLETTERS) + tuple(n[1] for n in AUTOMATED) + (
        BOUNCE_SENDER[1], AUTO_FORWARDER[1])
    return DemoTruth(
        owner=OWNER.address,
        owner_name=OWNER.name,
        now=now,
        start=now - timedelta(days=DAYS),
        mentor=a(cast.mentor),
        close=a(*cast.close),
        internal_colleagues=a(*cast.internal),
        partners=a(*cast.partners),
        fading=a(cast.fading),
        non_answerer=a(cast.non_answerer),
        owed_reply=a(*cast.owed),
        not_yet_owed=a(cast.close[0]),
        awaiting_answer=a(cast.awaiting),
        one_sided_giver=a(cast.giver),
        intro_took=(cast.intro_took[0].address, cast.intro_took[1].address),
        intro_failed=(cast.intro_failed[0].address, cast.intro_failed[1].address),
        introduced_to_owner=(cast.introducer.address, cast.introduced.address),
        forwarded_by_owner_to=a(cast.partners[0], cast.close[1]),
        forwarded_to_owner_by=a(cast.mentor, cast.partners[1]),
        two_addresses=(cast.two_address.address, cast.two_address.alt_address or ""),
        alias_addresses=(cast.alias.address, cast.alias.alt_address or ""),
        namesakes=(cast.namesakes[0].address, cast.namesakes[1].address),
        idn=a(cast.idn) if cast.idn else (),
        mixed_case=tuple(p.address for p in cast.people if p.written),
        long_tail=a(*cast.long_tail),
        people=people,
        bulk_senders=tuple(x.lower() for x in bulk),
        list_addresses=tuple(m[0] for m in MAILING_LISTS),
        list_posters=a(*cast.list_posters),
        today_meetings=(
            (TODAY[0][0], a(cast.owed[0], cast.mentor, TODAY_STRANGER)),
            (TODAY[1][0], a(cast.awaiting, cast.mentor)),
        ),
        today_room=TODAY_ROOM.address,
        today_stranger=TODAY_STRANGER.address,
        birthday_soon=a(cast.mentor),
        reach_organisation=REACH_ORG.domain,
        reach_paths=_reach_paths(cast),
        messages=counts.messages,
        sent=counts.sent,
        received=counts.received,
        direct=counts.direct,
        newsletters=counts.newsletters,
        list_messages=counts.list_messages,
        automated=counts.automated,
        subject_only_replies=traffic.subject_only_replies,
        **extra,
    )


def _reach_paths(cast: Cast) -> tuple[tuple[str, ...], ...]:
    strong, weak, partner = reach_intermediaries(cast)
    first, second, third = cast.reach_targets
    assert cast.reach_middle is not None
    return (
        (strong.address, first.address),
        (weak.address, second.address),
        (partner.address, cast.reach_middle.address, third.address),
    )


def generate(directory: Path, *, now: datetime, seed: int = 7,
             messages: int | None = None) -> DemoTruth:
    """Write mailbox.mbox, calendar.ics and contacts.vcf into `directory`; return the truth.

    Parameters:
        directory: created if missing; the three files in it are replaced.
        now: the end of the 18-month window (naive means UTC). Never the clock.
        seed: same seed and `now`, same bytes.
        messages: target message count (default: a few thousand); reached within a few
            percent. The planted patterns and one thread per person make a floor of ~550.

    Returns:
        The planted roles and the counts written.
    """
    now = _aware(now)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cast, traffic = _plan(now, seed, messages)
    counts = write_mbox(directory / "mailbox.mbox", traffic)
    ics, calendar = build_calendar(cast, random.Random(f"{seed}:calendar"), now)
    _write_atomically(directory / "calendar.ics", ics)
    vcf, cards = build_cards(cast, now)
    _write_atomically(directory / "contacts.vcf", vcf)
    return _truth(cast, traffic, now, counts, meetings=calendar.events,
                  cancelled_meetings=calendar.cancelled,
                  recurring_series=calendar.recurring_series, contacts=cards)


def write_maildir(directory: Path, *, now: datetime, seed: int = 7,
                  messages: int | None = None) -> DemoTruth:
    """Write the same messages as `generate` into a Maildir at `directory` (cur/new/tmp).

    Only the mail is written; the truth's meeting and contact counts are 0.
    """
    now = _aware(now)
    cast, traffic = _plan(now, seed, messages)
    counts = write_maildir_files(Path(directory), traffic, now)
    return _truth(cast, traffic, now, counts)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
