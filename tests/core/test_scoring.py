"""Strength score properties: more interaction never lowers it; time alone decays it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from outlook_networking.core.scoring import strength
from outlook_networking.core.settings import Settings
from outlook_networking.model import Interaction, Kind

from .analysis import run
from .builders import ME, NOW, ago, mail, meeting

ANN = "ann@acme.com"
BOB = "bob@b.example"
OTHERS = [BOB, "cy@c.example", "di@d.example"]

# One interaction: (kind, days ago, extra recipients, the earlier interaction it answers). An
# answer names its parent in In-Reply-To, the one pairing a later message cannot take away (see
# docs/scoring.md for why a newly stored parent may).
_event = st.tuples(
    st.sampled_from(["sent", "received", "meeting"]),
    st.floats(min_value=0.0, max_value=700.0, allow_nan=False),
    st.integers(min_value=0, max_value=3),
    st.none() | st.integers(min_value=0, max_value=11),
)
Event = tuple[str, float, int, int | None]


def build(kind: str, days: float, extra: int, parent: Interaction | None) -> Interaction:
    at = ago(days=days)
    if kind == "meeting":
        return meeting(ME, [ANN, *OTHERS[:extra]], at)
    headers: dict[str, Any] = {}
    if parent is not None:
        headers = {"subject": "Re: Hello", "in_reply_to": parent.message_id}
        headers["references"] = (parent.message_id,)
    if kind == "sent":
        return mail(ME, [ANN, *OTHERS[:extra]], at, **headers)
    return mail(ANN, [ME, *OTHERS[:extra]], at, **headers)


def build_all(events: list[Event]) -> list[Interaction]:
    items: list[Interaction] = []
    for kind, days, extra, answers in events:
        mails = [i for i in items if i.kind is Kind.EMAIL]
        parent = mails[answers % len(mails)] if answers is not None and mails else None
        items.append(build(kind, days, extra, parent))
    return items


def score_of_items(items: list[Interaction], days_later: float = 0) -> float:
    network = run(items, now=NOW + timedelta(days=days_later))
    view = network.find(ANN)
    return view.score if view is not None else 0.0


def score(events: list[Event], days_later: float = 0) -> float:
    return score_of_items(build_all(events), days_later)


@given(st.lists(_event, max_size=12), _event)
# Found by a random run: Bob became a contact through the extra mail, so Ann's earlier mail
# that copied him counted two people instead of one and weighed less (13.929 → 13.893).
@example([("sent", 0.0, 0, None), ("received", 0.0, 1, None)], ("sent", 0.0, 2, None))
def test_adding_an_interaction_never_lowers_the_score(events: list[Event], extra: Event) -> None:
    assert score([*events, extra]) >= score(events) - 1e-9


@given(st.lists(_event, min_size=1, max_size=12), st.floats(min_value=0.01, max_value=800))
def test_a_score_decays_with_time_alone(events: list[Event], days_later: float) -> None:
    items = build_all(events)
    assert score_of_items(items, days_later) <= score_of_items(items) + 1e-9


def test_a_newly_stored_parent_may_show_a_reply_answered_someone_else() -> None:
    """The documented exception: Ann's reply names Bob's message; until Bob's message is stored,
    the reply pairs with the owner's message in its References and counts as two-way."""
    start = mail(ME, ANN, ago(days=60))
    bobs = mail(BOB, [ME, ANN], ago(days=40), subject="Re: Hello", in_reply_to=start.message_id)
    anns = mail(
        ANN,
        ME,
        ago(days=30),
        subject="Re: Hello",
        in_reply_to=bobs.message_id,
        references=(start.message_id, bobs.message_id),
    )
    assert score_of_items([start, anns]) > score_of_items([start, bobs, anns])


def test_weights_meetings_over_mail_one_to_one_over_many_two_way_over_one_way() -> None:
    s = Settings()
    exchange = [mail(ME, ANN, ago(days=10)), mail(ANN, ME, ago(days=9))]
    meeting_only = [meeting(ME, [ANN], ago(days=10))]
    group_meeting = [meeting(ME, [ANN, *OTHERS], ago(days=10))]
    group_mail = [mail(ME, [ANN, *OTHERS], ago(days=10)), mail(ANN, [ME, *OTHERS], ago(days=9))]
    one_way = [mail(ME, ANN, ago(days=10)), mail(ME, ANN, ago(days=9))]

    def of(items: list[Interaction]) -> float:
        history = run(items).find(ANN).history  # type: ignore[union-attr]
        return strength(history, s, NOW).score

    assert of(meeting_only) > of(group_meeting)
    assert of(exchange) > of(group_mail)
    assert of(exchange) > 5 * of(one_way)
    assert 0 < of(one_way) < 5
    assert of(meeting_only) > of([exchange[0]])


def test_half_life_halves_the_weight() -> None:
    items = [meeting(ME, [ANN], ago(days=0))]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    s = Settings(half_life_days=30)
    later = strength(history, s, NOW + timedelta(days=30)).total
    assert abs(later - strength(history, s, NOW).total / 2) < 1e-9
