"""Nothing the core says reaches a person, a task or a category without the catalogs: rendered
under the pseudo-locale (tests/i18n/pseudo.py), every phrase code, the summary line, the task
titles and bodies the write-back plans, the JSON text fields, the category names and the task
export carry no letter outside the marks. What is not wrapped yet is listed, and held to the
list, by test_bypass.py."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar

from core.analysis import run
from core.builders import ME, NOW, ago, mail, meeting, reply_to
from outlook_networking.app.pipeline import desired_state
from outlook_networking.config import AccountConfig, Config
from outlook_networking.core.phrase import CODES, Phrase, Value, phrase
from outlook_networking.core.views import contact_json, followups_json
from outlook_networking.export import todo_calendar
from outlook_networking.i18n import category_scheme
from outlook_networking.i18n.phrases import RENDERERS

from .pseudo import TIER, VALUE, PseudoWording, has_words

WORDS = PseudoWording()


def _sample(name: str, count: int) -> Value:
    """A value for a phrase's ``name``: data as :data:`VALUE`, counts as ``count``."""
    if name in ("name", "subject", "role", "address", "other", "note", "organisation"):
        return VALUE
    if name == "tier":
        return TIER
    if name in ("ago", "wait", "target"):
        return timedelta(days=count + 2)
    if name in ("since", "on"):
        return date(2026, 12, 3)
    if name in ("groups", "introduced"):
        return (VALUE,) * count
    if name == "value":
        return 0.5
    return count


def test_every_code_has_words_and_only_them() -> None:
    assert set(RENDERERS) == set(CODES)


def test_the_check_sees_words_outside_the_marks() -> None:
    assert has_words(f"⟦{VALUE} wrote⟧ 3 days ago")
    assert not has_words(f"⟦{VALUE} wrote ⟦3 days ago⟧⟧; {TIER}: ⟦{VALUE}⟧")


def test_every_phrase_goes_through_the_catalogs() -> None:
    for code, names in CODES.items():
        for count in (0, 1, 2):
            values = {n: _sample(n, count) for n in names}
            text = WORDS.phrase(phrase(code, **values))
            assert text and not has_words(text), (code, count, text)
    # A subject-less message and a known role take other sentences; those are marked too.
    assert not has_words(WORDS.phrase(Phrase("role", (("role", "mentor"),))))
    assert not has_words(
        WORDS.phrase(phrase("owed_reply", name=VALUE, subject="", ago=timedelta(1),
                            target=timedelta(hours=48)))
    )


def _network():  # type: ignore[no-untyped-def]
    ann, bob = "ann@acme.com", "bob@b.example"
    asked = mail(ME, ann, ago(days=100))
    items = [
        asked,
        reply_to(asked, ago(days=94)),
        meeting(ME, [ann], ago(days=120)),
        mail(bob, ME, ago(days=4), subject="Question"),
        *(mail(ME, "cy@c.example", ago(days=d), subject=f"Idea {d}") for d in (90, 60, 40)),
    ]
    return run(items)


def test_tasks_categories_and_json_text_go_through_the_catalogs() -> None:
    network = _network()
    assert {f.kind for f in network.followups} >= {"owed_reply", "unreciprocated"}
    account = AccountConfig(name="work", address=ME)
    desired = desired_state(network, account, WORDS)
    assert desired.tasks
    for task in desired.tasks:
        for text in (task.subject, task.body):
            # Names and subjects of the sample network are data: mark them as such.
            masked = _masked(network, text)
            assert not has_words(masked), text
    scheme = category_scheme(Config(accounts=(), settings=network.settings), WORDS)
    for name in scheme.names.values():
        assert not has_words(name.replace("A", TIER).replace("B", TIER).replace("C", TIER)
                             .replace("D", TIER)), name  # fmt: skip
    for view in network.contacts:
        doc = contact_json(view, NOW, WORDS)
        for text in (*doc["reasons"], doc["next_step"] or "", doc["summary"]):
            assert not has_words(_masked(network, text)), text
    for row in followups_json(network, words=WORDS):
        for text in (row["reason"], row["subject"]):
            assert not has_words(_masked(network, text)), text


def test_the_task_export_goes_through_the_catalogs() -> None:
    network = _network()
    tier_of = {c.person.key: c.tier.tier for c in network.contacts}
    data = todo_calendar(network.followups, now=NOW, tier_of=tier_of, words=WORDS)
    calendar = icalendar.Calendar.from_ical(data)
    assert not has_words(str(calendar["x-wr-calname"]))
    todos = calendar.walk("VTODO")
    assert todos
    for todo in todos:
        for text in (str(todo["summary"]), str(todo["description"]), *todo.categories):
            assert not has_words(_masked(network, text)), text


def _masked(network, text: str) -> str:  # type: ignore[no-untyped-def]
    """``text`` with the network's names, addresses, subjects and tiers replaced by the sample
    value marks (they are data, not wording)."""
    data = {p.name for p in network.identities.persons.values() if p.name}
    data |= {a for p in network.identities.persons.values() for a in p.addresses}
    data |= {"Question", "Idea 90", "Idea 60", "Idea 40"}
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, VALUE)
    for tier in "ABCD":
        text = text.replace(f"{tier}: ", f"{TIER}: ")
    return text
