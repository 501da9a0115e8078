"""The planted patterns of the demo mailbox: scripted threads that the ground truth names.

Each function lays out the messages of one pattern at fixed days before `now` and queues them
on the `Traffic` walk. Days are constants here because the calendar (meetings.py) places the
matching meetings on the same days.

Exports: ``INTRODUCED_DAY``, ``INTRO_FAILED_DAY``, ``INTRO_TOOK_DAY``, ``NON_ANSWERER_DAYS``,
``REACH_DAYS``, ``plant``, ``reach_intermediaries``.
"""

from __future__ import annotations

from datetime import timedelta

from outlook_networking.demo.people import Cast, Person
from outlook_networking.demo.traffic import (
    AUTO_FORWARDER,
    BOUNCE_SENDER,
    OWNER_ADDR,
    OWNER_LATENCY_CAP_H,
    OWNER_LATENCY_MIN,
    TOPICS,
    Addr,
    Mail,
    Traffic,
    addr,
)

__all__ = [
    "INTRODUCED_DAY",
    "INTRO_FAILED_DAY",
    "INTRO_TOOK_DAY",
    "NON_ANSWERER_DAYS",
    "REACH_DAYS",
    "plant",
    "reach_intermediaries",
]

NON_ANSWERER_DAYS = (230, 180, 130, 85, 45)
GIVER_DAYS = (400, 340, 290, 240, 180, 130, 75, 30)
INTRO_TOOK_DAY = 120
INTRO_FAILED_DAY = 90
INTRODUCED_DAY = 150
OWED_DAYS = (3, 4, 5)
AWAITING_DAY = 6
REACH_DAYS = (75, 64, 130, 100)  # the two colleagues' threads, then the partner's, the middle's


def plant(t: Traffic) -> None:
    """Queue every planted pattern on the walk `t`."""
    _non_answerer(t)
    _owed_and_awaiting(t)
    _giver(t)
    _introductions(t)
    _forwards(t)
    _list_posts_and_bounces(t)
    _recent_team(t)
    _reach(t)


def _owner_reply(t: Traffic, parent: Mail, to: tuple[tuple[str, str], ...], body: str) -> Mail:
    at = t.clock.daytime(parent.at + t.latency(OWNER_LATENCY_MIN, OWNER_LATENCY_CAP_H))
    base = parent.subject
    if base.startswith(("AW: ", "Re: ")):
        base = base[4:]
    return t.mail(at, OWNER_ADDR, to, t.reply_subject(base, OWNER_ADDR, "de"), parent=parent,
                  body=body)


def _non_answerer(t: Traffic) -> None:
    """The owner writes five times over eight months; not one answer comes back."""
    person = t.cast.non_answerer
    them = addr(person)
    subjects = ("Kennenlernen: Digitalisierung der Schadenprozesse", None,
                "Idee für Ihre Digitalisierungsinitiative", None, "Kurzer Austausch im neuen Jahr?")
    previous: Mail | None = None
    for days, subject in zip(NON_ANSWERER_DAYS, subjects, strict=True):
        at = t.clock.local(days, 9.5 + (days % 5))
        body = (f"Sehr geehrte/r {person.name},\n\nich wollte mich kurz melden.\n\n"
                "Beste Grüße\nAlex\n")
        if subject is None and previous is not None:
            # A nudge as a reply to the owner's own unanswered message.
            mail = t.mail(at, OWNER_ADDR, (them,), f"AW: {previous.subject}", parent=previous,
                          body=body)
        else:
            mail = t.mail(at, OWNER_ADDR, (them,), subject or "", body=body)
        t.push([mail])
        previous = mail


def _owed_and_awaiting(t: Traffic) -> None:
    cast = t.cast
    first, second, third = cast.owed
    t.push([t.mail(t.clock.local(OWED_DAYS[0], 10.5), addr(first), (OWNER_ADDR,),
                   "Question about your proposal", lang="en")])
    # The owner's question waited eight days; now their answer waits for the owner.
    ask = t.mail(t.clock.local(12, 11), OWNER_ADDR, (addr(second),),
                 "Draft agenda for the workshop", lang="en")
    answer = t.mail(t.clock.local(OWED_DAYS[1], 15.25), addr(second), (OWNER_ADDR,),
                    "Re: Draft agenda for the workshop", lang="en", parent=ask)
    t.push([ask, answer])
    close0 = addr(cast.close[0])
    t.push([t.mail(t.clock.local(OWED_DAYS[2], 9.25), addr(third), (OWNER_ADDR,),
                   "Bitte um Freigabe: Reisekostenantrag", cc=(close0,))])
    t.push([t.mail(t.clock.local(AWAITING_DAY, 14), OWNER_ADDR, (addr(cast.awaiting),),
                   "Status Rahmenvertrag?")])
    # Fresh mail from a close colleague, younger than 48 h: not owed yet.
    t.push([t.mail(t.now - timedelta(hours=5), close0, (OWNER_ADDR,), "Kurze Frage zu morgen")])


def _giver(t: Traffic) -> None:
    """Someone who answers every request of the owner within minutes and never asks back."""
    giver = addr(t.cast.giver)
    for n, days in enumerate(GIVER_DAYS):
        ask = t.mail(t.clock.local(days, 9 + n % 6), OWNER_ADDR, (giver,),
                     f"Quick question: {TOPICS[n % len(TOPICS)]}", lang="en")
        help_at = t.clock.daytime(ask.at + t.latency(25, 2))
        given = t.mail(help_at, giver, (OWNER_ADDR,), f"Re: {ask.subject}", lang="en",
                       parent=ask)
        thanks = _owner_reply(t, given, (giver,), "Thanks a lot!\n\nAlex\n")
        t.push([ask, given, thanks])


def _introductions(t: Traffic) -> None:
    cast = t.cast
    a, b = (addr(p) for p in cast.intro_took)
    start = t.clock.local(INTRO_TOOK_DAY, 10)
    intro = t.mail(start, OWNER_ADDR, (a, b), f"Intro: {a[0]} <-> {b[0]}",
                   body=f"Hallo {a[0]}, hallo {b[0]},\n\nihr solltet euch kennenlernen.\n")
    b_ack = t.mail(start + timedelta(hours=3), b, (OWNER_ADDR,), f"AW: {intro.subject}",
                   parent=intro, cc=(a,))
    a_ack = t.mail(start + timedelta(hours=20), a, (OWNER_ADDR,), f"AW: {intro.subject}",
                   parent=b_ack, cc=(b,))
    bye = t.mail(start + timedelta(hours=22), OWNER_ADDR, (a,), f"AW: {intro.subject}",
                 parent=a_ack, cc=(b,), body="Prima, dann klinke ich mich aus.\n")
    t.push([intro, b_ack, a_ack, bye])
    # They carry on between themselves, copying the owner.
    first = t.mail(t.clock.local(INTRO_TOOK_DAY - 6, 11), a, (b,), "Termin zum Kennenlernen",
                   cc=(OWNER_ADDR,))
    second = t.mail(t.clock.local(INTRO_TOOK_DAY - 5, 9), b, (a,), "AW: Termin zum Kennenlernen",
                    parent=first, cc=(OWNER_ADDR,))
    later = t.mail(t.clock.local(INTRO_TOOK_DAY - 40, 16), b, (a,), "Follow-up zu unserem Termin",
                   cc=(OWNER_ADDR,))
    t.push([first, second])
    t.push([later])

    c, d = (addr(p) for p in cast.intro_failed)
    t.push([t.mail(t.clock.local(INTRO_FAILED_DAY, 15), OWNER_ADDR, (c, d),
                   f"Intro: {c[0]} <-> {d[0]}",
                   body=f"Hallo {c[0]}, hallo {d[0]},\n\nich bringe euch gern zusammen.\n")])
    # Each of them stays in touch with the owner, just not with the other: the introduction
    # failed, the relationships did not (and no answer is left awaited).
    for i, person in enumerate(cast.intro_failed):
        note = t.mail(t.clock.local(INTRO_FAILED_DAY - 20 - 9 * i, 10 + i), addr(person),
                      (OWNER_ADDR,), "Nächste Schritte" if person.lang == "de" else "Next steps",
                      lang=person.lang)
        t.push([note, _owner_reply(t, note, (addr(person),), "Danke, passt!\n\nAlex\n")])

    introducer, new = addr(cast.introducer), addr(cast.introduced)
    start = t.clock.local(INTRODUCED_DAY, 10)
    vorstellung = t.mail(start, introducer, (OWNER_ADDR, new),
                         f"Vorstellung: {OWNER_ADDR[0]} / {new[0]}",
                         body="Ihr zwei solltet euch unbedingt kennenlernen.\n")
    thanks = t.mail(start + timedelta(hours=2), OWNER_ADDR, (introducer, new),
                    f"AW: {vorstellung.subject}", parent=vorstellung,
                    body="Vielen Dank für die Vorstellung!\n")
    hello = t.mail(start + timedelta(hours=7), new, (OWNER_ADDR,), f"AW: {vorstellung.subject}",
                   parent=thanks, cc=(introducer,))
    reply = t.mail(start + timedelta(hours=8), OWNER_ADDR, (new,), f"AW: {vorstellung.subject}",
                   parent=hello)
    t.push([vorstellung, thanks, hello, reply])


def _forwards(t: Traffic) -> None:
    """Information passed on both ways: "WG:" from a German Outlook, "Fwd:" from others."""
    cast = t.cast
    for days in (300, 200, 60):
        t.push([t.mail(t.clock.local(days, 16), OWNER_ADDR, (addr(cast.partners[0]),),
                       f"WG: Studie {TOPICS[days % len(TOPICS)]}",
                       body=("Das könnte für euch interessant sein.\n\n"
                             "-----Original Message-----\n"))])
    for days in (250, 100):
        t.push([t.mail(t.clock.local(days, 17), OWNER_ADDR, (addr(cast.close[1]),),
                       f"WG: Marktstudie {TOPICS[days % len(TOPICS)]}",
                       body="Zur Info.\n\n-----Ursprüngliche Nachricht-----\n")])
    for days, sender, prefix in ((280, cast.mentor, "WG"), (70, cast.mentor, "WG"),
                                 (220, cast.partners[1], "Fwd"), (50, cast.partners[1], "Fwd")):
        fwd = t.mail(t.clock.local(days, 12), addr(sender), (OWNER_ADDR,),
                     f"{prefix}: {TOPICS[days % len(TOPICS)]} – worth a read",
                     body="FYI.\n\n---------- Forwarded message ---------\n")
        t.push([fwd, _owner_reply(t, fwd, (addr(sender),), "Danke, spannend!\n\nAlex\n")])
    # An automated forward: must not count as information passed on.
    t.push([t.mail(t.clock.local(33, 6), AUTO_FORWARDER, (OWNER_ADDR,),
                   "Fwd: Ihre Rechnung 2026-0815", kind="automated",
                   body="Diese Nachricht wurde automatisch weitergeleitet.\n")])


def _list_posts_and_bounces(t: Traffic) -> None:
    for days in (260, 95):
        t.push(t.thread_list(t.clock.local(days, 13), 0, owner_post=True))
    for days in (310, 150, 20):
        t.push([t.mail(t.clock.local(days, 8), BOUNCE_SENDER, (OWNER_ADDR,),
                       "Undelivered Mail Returned to Sender", kind="bounce",
                       body=("This is the mail system at host mx.example.com.\n\n"
                             "I'm sorry to have to inform you that your message could not\n"
                             "be delivered to one or more recipients.\n\n"
                             "<j.weber@fabrikam.exmaple>: Host or domain name not found\n"))])


def _recent_team(t: Traffic) -> None:
    """Every close colleague and the mentor had a short exchange with the owner in the last
    week, whatever the dice said: "daily two-way" must hold at the edge of the window too."""
    for i, person in enumerate((t.cast.mentor, *t.cast.close)):
        them = addr(person)
        ask = t.mail(t.clock.local(2 + i % 4, 9 + i), OWNER_ADDR, (them,), "Kurze Abstimmung")
        answer = t.mail(ask.at + timedelta(minutes=25 + 7 * i), them, (OWNER_ADDR,),
                        "AW: Kurze Abstimmung", parent=ask)
        thanks = t.mail(answer.at + timedelta(minutes=12), OWNER_ADDR, (them,),
                        "AW: Kurze Abstimmung", parent=answer, body="Danke!\n")
        t.push([ask, answer, thanks])


def _copied_thread(t: Traffic, days: int, first: Addr, second: Addr, subject: str,
                   length: int = 3) -> None:
    """`first` writes to `second`, they answer each other, the owner only in Cc throughout."""
    start = t.clock.local(days, 10)
    out = [t.mail(start, first, (second,), subject, cc=(OWNER_ADDR,), lang="en",
                  body=f"Hi {second[0].split()[0]},\n\nas discussed, see below.\n")]
    for i in range(1, length):
        sender, other = (second, first) if i % 2 else (first, second)
        out.append(t.mail(start + timedelta(hours=3 * i), sender, (other,), f"Re: {subject}",
                          parent=out[-1], cc=(OWNER_ADDR,), lang="en",
                          body="Thanks, that works for us.\n"))
    t.push(out)


def _reach(t: Traffic) -> None:
    """An organisation the owner knows nobody at, and who could introduce them there: a close
    colleague and a less close one each work with one of its people (the owner copied, never
    answering: they stay strangers to the owner), and a partner knows someone who knows the third.

    Each thread is started by the outsider, so that none of it reads as an introduction of the
    owner to somebody new (the ledger's rules)."""
    cast = t.cast
    first, second, third = (addr(p) for p in cast.reach_targets)
    assert cast.reach_middle is not None
    middle = addr(cast.reach_middle)
    strong, weak, partner = (addr(p) for p in reach_intermediaries(cast))
    _copied_thread(t, REACH_DAYS[0], first, strong, "Relecloud pilot: next steps")
    _copied_thread(t, REACH_DAYS[1], second, weak, "Relecloud rollout plan")
    _copied_thread(t, REACH_DAYS[2], middle, partner, "Logistics summit speakers", length=2)
    _copied_thread(t, REACH_DAYS[3], third, middle, "Travel for the Relecloud offsite", length=2)


def reach_intermediaries(cast: Cast) -> tuple[Person, Person, Person]:
    """Through whom the owner can reach `cast.reach_targets`, in the order the paths rank: a
    close colleague, a less close colleague, and (two steps, through `reach_middle`) a partner."""
    return cast.close[3], cast.internal[5], cast.partners[4]
