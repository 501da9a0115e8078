"""Strength score properties: more two-way interaction never lowers it; time alone decays it."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.core.scoring import strength
from outlook_networking.core.settings import Settings
from outlook_networking.model import Interaction

from .analysis import run
from .builders import ME, NOW, ago, mail, meeting

ANN = "ann@acme.com"
OTHERS = ["bob@b.example", "cy@c.example", "di@d.example"]

# One interaction: (kind, days ago, extra recipients)
_event = st.tuples(
    st.sampled_from(["sent", "received", "meeting"]),
    st.floats(min_value=0.0, max_value=700.0, allow_nan=False),
    st.integers(min_value=0, max_value=3),
)


def build(kind: str, days: float, extra: int) -> Interaction:
    at = ago(days=days)
    if kind == "meeting":
        return meeting(ME, [ANN, *OTHERS[:extra]], at)
    if kind == "sent":
        return mail(ME, [ANN, *OTHERS[:extra]], at)
    return mail(ANN, [ME, *OTHERS[:extra]], at)


def score(events: list[tuple[str, float, int]], days_later: float = 0) -> float:
    network = run([build(*e) for e in events], now=NOW + timedelta(days=days_later))
    view = network.find(ANN)
    return view.score if view is not None else 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(_event, max_size=12), _event)
def test_adding_a_two_way_interaction_never_lowers_the_score(
    events: list[tuple[str, float, int]], extra: tuple[str, float, int]
) -> None:
    assert score([*events, extra]) >= score(events) - 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(_event, min_size=1, max_size=12), st.floats(min_value=0.01, max_value=800))
def test_a_score_decays_with_time_alone(
    events: list[tuple[str, float, int]], days_later: float
) -> None:
    assert score(events, days_later) <= score(events) + 1e-9


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
