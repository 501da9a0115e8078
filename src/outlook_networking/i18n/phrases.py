"""The one renderer of what the core says: a :class:`~outlook_networking.core.phrase.Phrase` (a
code and its values) into a sentence of the :class:`~.wording.Wording`'s language.

Each code of :data:`~outlook_networking.core.phrase.CODES` has one function here; the English
sentence is the catalog's message id, the German one its translation (``locale/de``). Numbers,
dates, durations and lists are formatted by the wording (Babel), never by hand.

Exports: ``render``, ``RENDERERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core.phrase import Phrase, Value

if TYPE_CHECKING:
    from .wording import Wording

__all__ = ["RENDERERS", "render"]


def _int(value: Value) -> int:
    assert isinstance(value, int), value
    return value


def _num(value: Value) -> float:
    assert isinstance(value, int | float), value
    return value


def _str(value: Value) -> str:
    assert isinstance(value, str), value
    return value


def _names(value: Value) -> tuple[str, ...]:
    assert isinstance(value, tuple), value
    return value


def _delta(value: Value) -> timedelta:
    assert isinstance(value, timedelta), value
    return value


def _day(value: Value) -> date:
    assert isinstance(value, date), value
    return value


def _count(w: Wording, value: Value) -> str:
    return w.number(_int(value))


# --- why a contact has their tier --------------------------------------------------------------


def _two_way_today(w: Wording, p: Phrase) -> str:
    return w.gettext("two-way contact today")


def _days_since_two_way(w: Wording, p: Phrase) -> str:
    days = _int(p["days"])
    return w.ngettext(
        "{days} day since last two-way contact", "{days} days since last two-way contact", days
    ).format(days=w.number(days))


def _started_share(w: Wording, p: Phrase) -> str:
    return w.gettext("you started {percent} of threads").format(
        percent=w.percent(_num(p["percent"]) / 100)
    )


def _reciprocity(w: Wording, p: Phrase) -> str:
    return w.gettext("reciprocity {value} ({sent} sent, {received} received)").format(
        value=w.number(_num(p["value"]), decimals=1),
        sent=_count(w, p["sent"]),
        received=_count(w, p["received"]),
    )


def _meetings_count(w: Wording, n: int) -> str:
    return w.ngettext("{count} meeting", "{count} meetings", n).format(count=w.number(n))


def _meetings(w: Wording, p: Phrase) -> str:
    return _meetings_count(w, _int(p["count"]))


def _role_name(w: Wording, role: str) -> str:
    names = {
        "mentor": w.gettext("mentor"),
        "mentee": w.gettext("mentee"),
        "partner": w.gettext("partner"),
    }
    return names.get(role, role)


def _role(w: Wording, p: Phrase) -> str:
    return w.gettext("role: {role}").format(role=_role_name(w, _str(p["role"])))


def _pinned(w: Wording, p: Phrase) -> str:
    return w.gettext("pinned to {tier} in the configuration").format(tier=_str(p["tier"]))


def _score_rank(w: Wording, p: Phrase) -> str:
    return w.gettext("score {score}, rank {rank} of {of}").format(
        score=_count(w, p["score"]), rank=_count(w, p["rank"]), of=_count(w, p["of"])
    )


def _score(w: Wording, p: Phrase) -> str:
    return w.gettext("score {score}").format(score=_count(w, p["score"]))


def _no_direct_contact(w: Wording, p: Phrase) -> str:
    return w.gettext(
        "no direct interactions (only an address-book card, or only in copy with you)"
    )


def _one_way_only(w: Wording, p: Phrase) -> str:
    return w.gettext("only one-way traffic")


def _no_two_way_within(w: Wording, p: Phrase) -> str:
    days = _int(p["days"])
    return w.ngettext(
        "no two-way contact in the last {days} day",
        "no two-way contact in the last {days} days",
        days,
    ).format(days=w.number(days))


# --- the smallest step up ----------------------------------------------------------------------


def _step_one_exchange(w: Wording, p: Phrase) -> str:
    return w.gettext("one two-way exchange would move them to {tier}").format(
        tier=_str(p["tier"])
    )


def _step_meeting(w: Wording, p: Phrase) -> str:
    return w.gettext("a meeting would move them to {tier}").format(tier=_str(p["tier"]))


def _step_out_of_reach(w: Wording, p: Phrase) -> str:
    return w.gettext(
        "{tier} is out of reach for now: its members are at the top of the scale"
    ).format(tier=_str(p["tier"]))


def _exchanges(w: Wording, n: int) -> str:
    return w.ngettext("{count} two-way exchange", "{count} two-way exchanges", n).format(
        count=w.number(n)
    )


def _step_exchanges(w: Wording, p: Phrase) -> str:
    return w.gettext("{exchanges} would move them to {tier}").format(
        exchanges=_exchanges(w, _int(p["exchanges"])), tier=_str(p["tier"])
    )


def _step_exchanges_or_meetings(w: Wording, p: Phrase) -> str:
    return w.gettext("{exchanges} (or {meetings}) would move them to {tier}").format(
        exchanges=_exchanges(w, _int(p["exchanges"])),
        meetings=_meetings_count(w, _int(p["meetings"])),
        tier=_str(p["tier"]),
    )


# --- follow-ups: why -----------------------------------------------------------------------------


def _when(w: Wording, p: Phrase) -> str:
    """When it was: ``5 days ago`` for a reason (``ago``), ``on 22 Nov 2026`` for a task's
    text (``on``, a ``…_on`` code), which stays true."""
    if p.code.endswith("_on"):
        # TRANSLATORS: in a task's text, where a follow-up's reason says "5 days ago": the day
        # it happened ("on 3 Dec 2026"), filling the same place in the sentence
        return w.gettext("on {date}").format(date=w.date(_day(p["on"])))
    return w.ago(_delta(p["ago"]))


def _owed_reply(w: Wording, p: Phrase) -> str:
    subject = _str(p["subject"])
    values = {
        "name": _str(p["name"]),
        "subject": subject,
        "ago": _when(w, p),
        "target": w.duration(_delta(p["target"])),
    }
    if subject:
        text = w.gettext("{name} wrote “{subject}” {ago}; no reply yet (your target: {target})")
    else:
        text = w.gettext("{name} wrote a message {ago}; no reply yet (your target: {target})")
    return text.format(**values)


def _keep_in_touch(w: Wording, p: Phrase) -> str:
    return w.gettext(
        "{tier}: last two-way contact {ago}; the {tier} cadence is {cadence}"
    ).format(
        tier=_str(p["tier"]),
        ago=_when(w, p) if p.code.endswith("_on") else w.ago(timedelta(days=_int(p["days"]))),
        cadence=w.days(_int(p["cadence"])),
    )


def _cooling(w: Wording, p: Phrase) -> str:
    if p.code.endswith("_on"):
        return w.gettext(
            "no two-way contact since {date}; the usual gap with {name} is {usual}:"
            " worth a look at the relationship"
        ).format(date=w.date(_day(p["on"])), name=_str(p["name"]), usual=w.days(_num(p["usual"])))
    days = _int(p["days"])
    return w.ngettext(
        "{days} day without two-way contact; the usual gap with {name} is {usual}:"
        " worth a look at the relationship",
        "{days} days without two-way contact; the usual gap with {name} is {usual}:"
        " worth a look at the relationship",
        days,
    ).format(days=w.number(days), name=_str(p["name"]), usual=w.days(_num(p["usual"])))


def _unreciprocated(w: Wording, p: Phrase) -> str:
    count = _int(p["count"])
    return w.ngettext(
        "{count} approach since {since} without an answer from {name}:"
        " let it go, or try another channel",
        "{count} approaches since {since} without an answer from {name}:"
        " let it go, or try another channel",
        count,
    ).format(count=w.number(count), since=w.date(_day(p["since"])), name=_str(p["name"]))


def _you_wrote(w: Wording, p: Phrase) -> str:
    subject = _str(p["subject"])
    ago = _when(w, p)
    if subject:
        return w.gettext("you wrote “{subject}” {ago}").format(subject=subject, ago=ago)
    return w.gettext("you wrote a message {ago}").format(ago=ago)


def _awaiting_answer(w: Wording, p: Phrase) -> str:
    return w.gettext("{you_wrote}; {name} usually answers within {wait}").format(
        you_wrote=_you_wrote(w, p), name=_str(p["name"]), wait=w.duration(_delta(p["wait"]))
    )


def _awaiting_answer_no_rhythm(w: Wording, p: Phrase) -> str:
    return w.gettext("{you_wrote}; no reply rhythm known for {name}; waited {wait}").format(
        you_wrote=_you_wrote(w, p), name=_str(p["name"]), wait=w.duration(_delta(p["wait"]))
    )


def _annual_review(w: Wording, p: Phrase) -> str:
    return w.gettext(
        "the annual review of {year} is due: each tier's list, the changes since last year"
        " and the D clean-up list"
    ).format(year=_int(p["year"]))


def _thank_or_return(w: Wording, p: Phrase) -> str:
    parts = []
    answers, forwards, introductions = (
        _int(p["answers"]),
        _int(p["forwards"]),
        _int(p["introductions"]),
    )
    if answers:
        parts.append(
            w.ngettext("{count} answer", "{count} answers", answers).format(
                count=w.number(answers)
            )
        )
    if forwards:
        parts.append(
            w.ngettext("{count} forward", "{count} forwards", forwards).format(
                count=w.number(forwards)
            )
        )
    if introductions:
        parts.append(
            w.ngettext("{count} introduction", "{count} introductions", introductions).format(
                count=w.number(introductions)
            )
        )
    introduced = _names(p["introduced"])
    values = {
        "name": _str(p["name"]),
        "gifts": w.listing(parts),
        "days": w.number(_int(p["days"])),
        "introduced": w.listing(introduced),
    }
    if introduced:
        text = w.gettext(
            "{name} gave you {gifts} in the last {days} days (introduced you to {introduced});"
            " you gave nothing back in that time"
        )
    else:
        text = w.gettext(
            "{name} gave you {gifts} in the last {days} days; you gave nothing back in that time"
        )
    return text.format(**values)


def _thank_for_asked(w: Wording, p: Phrase) -> str:
    return w.gettext("{name} introduced you to {introduced} as you asked").format(
        name=_str(p["name"]), introduced=w.listing(_names(p["introduced"]))
    )


def _birthday(w: Wording, p: Phrase) -> str:
    name, turns = _str(p["name"]), _int(p["turns"])
    values = {"name": name, "day": w.day_month(_day(p["on"])), "turns": w.number(turns)}
    today = _int(p["days"]) == 0
    if turns and today:
        text = w.gettext("{name}'s birthday is today (turns {turns})")
    elif turns:
        text = w.gettext("{name}'s birthday is on {day} (turns {turns})")
    elif today:
        text = w.gettext("{name}'s birthday is today")
    else:
        text = w.gettext("{name}'s birthday is on {day}")
    return text.format(**values)


# --- follow-ups: the task title ------------------------------------------------------------------


def _task_owed_reply(w: Wording, p: Phrase) -> str:
    name, subject = _str(p["name"]), _str(p["subject"])
    if subject:
        return w.gettext("Reply to {name}: {subject}").format(name=name, subject=subject)
    return w.gettext("Reply to {name}").format(name=name)


def _task_keep_in_touch(w: Wording, p: Phrase) -> str:
    return w.gettext("Get in touch with {name}").format(name=_str(p["name"]))


def _task_cooling(w: Wording, p: Phrase) -> str:
    return w.gettext("Review the relationship with {name}").format(name=_str(p["name"]))


def _task_unreciprocated(w: Wording, p: Phrase) -> str:
    return w.gettext("Let go of {name}, or try another channel").format(name=_str(p["name"]))


def _task_awaiting_answer(w: Wording, p: Phrase) -> str:
    name, subject = _str(p["name"]), _str(p["subject"])
    if subject:
        return w.gettext("Nudge {name}: {subject}").format(name=name, subject=subject)
    return w.gettext("Nudge {name}").format(name=name)


def _task_annual_review(w: Wording, p: Phrase) -> str:
    return w.gettext("Annual network review {year}").format(year=_int(p["year"]))


def _task_thank_or_return(w: Wording, p: Phrase) -> str:
    return w.gettext("Thank or return the favour: {name}").format(name=_str(p["name"]))


def _task_thank_for_asked(w: Wording, p: Phrase) -> str:
    return w.gettext("Thank {name} for the introduction").format(name=_str(p["name"]))


def _task_birthday(w: Wording, p: Phrase) -> str:
    return w.gettext("Birthday: {name}, {day}").format(
        name=_str(p["name"]), day=w.day_month(_day(p["on"]))
    )


# --- key persons ---------------------------------------------------------------------------------


def _connects_groups(w: Wording, p: Phrase) -> str:
    count = _int(p["count"])
    return w.ngettext("connects {count} group: {groups}", "connects {count} groups: {groups}",
                      count).format(count=w.number(count), groups=w.listing(_names(p["groups"])))


def _on_many_paths(w: Wording, p: Phrase) -> str:
    count = _int(p["count"])
    return w.ngettext(
        "on many paths between the {count} person they appear with",
        "on many paths between the {count} people they appear with",
        count,
    ).format(count=w.number(count))


# --- why two addresses are one person ----------------------------------------------------------


def _merged_by_you(w: Wording, p: Phrase) -> str:
    values = {"address": _str(p["address"]), "other": _str(p["other"]), "note": _str(p["note"])}
    if values["note"]:
        # TRANSLATORS: {note} is the reason the user typed for the merge
        return w.gettext("{address} merged into {other} by you: {note}").format(**values)
    return w.gettext("{address} merged into {other} by you").format(**values)


def _merged_one_card(w: Wording, p: Phrase) -> str:
    name = _str(p["name"]) or w.gettext("(no name)")
    return w.gettext("{address} and {other}: one card ({name})").format(
        address=_str(p["address"]), other=_str(p["other"]), name=name
    )


def _merged_same_name(w: Wording, p: Phrase) -> str:
    return w.gettext("{address} and {other}: same name ({name}) at {organisation}").format(
        address=_str(p["address"]),
        other=_str(p["other"]),
        name=_str(p["name"]),
        organisation=_str(p["organisation"]),
    )


# --- how the mailbox's owner was found ---------------------------------------------------------


def _owner_given(w: Wording, p: Phrase) -> str:
    # TRANSLATORS: how the mailbox's owner is known: the user said so with --me
    return w.gettext("given")


def _owner_detected_earlier(w: Wording, p: Phrase) -> str:
    return w.gettext("detected earlier")


def _owner_me_card(w: Wording, p: Phrase) -> str:
    return w.gettext("detected: the vCard marked as yours ({name})").format(name=_str(p["name"]))


def _owner_counted(w: Wording, p: Phrase) -> str:
    """``owner_sent_folder``, ``owner_undelivered``, ``owner_addressed``: ``count`` of ``of``."""
    of = _int(p["of"])
    sentences = {
        "owner_sent_folder": w.ngettext(
            "detected: sender of {count} of {of} message in a Sent folder",
            "detected: sender of {count} of {of} messages in a Sent folder",
            of,
        ),
        "owner_undelivered": w.ngettext(
            "detected: sender of {count} of {of} message without a delivery trace",
            "detected: sender of {count} of {of} messages without a delivery trace",
            of,
        ),
        "owner_addressed": w.ngettext(
            "detected: addressed in {count} of {of} message received",
            "detected: addressed in {count} of {of} messages received",
            of,
        ),
    }
    return sentences[p.code].format(count=_count(w, p["count"]), of=w.number(of))


RENDERERS: Mapping[str, Callable[[Wording, Phrase], str]] = {
    "two_way_today": _two_way_today,
    "days_since_two_way": _days_since_two_way,
    "started_share": _started_share,
    "reciprocity": _reciprocity,
    "meetings": _meetings,
    "role": _role,
    "pinned": _pinned,
    "score_rank": _score_rank,
    "score": _score,
    "no_direct_contact": _no_direct_contact,
    "one_way_only": _one_way_only,
    "no_two_way_within": _no_two_way_within,
    "step_one_exchange": _step_one_exchange,
    "step_meeting": _step_meeting,
    "step_out_of_reach": _step_out_of_reach,
    "step_exchanges": _step_exchanges,
    "step_exchanges_or_meetings": _step_exchanges_or_meetings,
    "owed_reply": _owed_reply,
    "keep_in_touch": _keep_in_touch,
    "cooling": _cooling,
    "owed_reply_on": _owed_reply,
    "keep_in_touch_on": _keep_in_touch,
    "cooling_on": _cooling,
    "awaiting_answer_on": _awaiting_answer,
    "awaiting_answer_no_rhythm_on": _awaiting_answer_no_rhythm,
    "unreciprocated": _unreciprocated,
    "awaiting_answer": _awaiting_answer,
    "awaiting_answer_no_rhythm": _awaiting_answer_no_rhythm,
    "annual_review": _annual_review,
    "thank_or_return": _thank_or_return,
    "thank_for_asked": _thank_for_asked,
    "birthday": _birthday,
    "task_owed_reply": _task_owed_reply,
    "task_keep_in_touch": _task_keep_in_touch,
    "task_cooling": _task_cooling,
    "task_unreciprocated": _task_unreciprocated,
    "task_awaiting_answer": _task_awaiting_answer,
    "task_annual_review": _task_annual_review,
    "task_thank_or_return": _task_thank_or_return,
    "task_thank_for_asked": _task_thank_for_asked,
    "task_birthday": _task_birthday,
    "connects_groups": _connects_groups,
    "on_many_paths": _on_many_paths,
    "merged_by_you": _merged_by_you,
    "merged_one_card": _merged_one_card,
    "merged_same_name": _merged_same_name,
    "owner_given": _owner_given,
    "owner_detected_earlier": _owner_detected_earlier,
    "owner_me_card": _owner_me_card,
    "owner_sent_folder": _owner_counted,
    "owner_undelivered": _owner_counted,
    "owner_addressed": _owner_counted,
}


def render(words: Wording, value: Phrase) -> str:
    """The sentence for ``value`` in ``words``'s language."""
    return RENDERERS[value.code](words, value)
