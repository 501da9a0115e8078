"""The schedule's rules, as pure functions of clock readings: no clock, no waiting."""

from __future__ import annotations

import pytest

from outlook_networking.agent.schedule import (
    MAX_NAP_S,
    PlannedRun,
    Schedule,
    delay_after,
    missed_cycles,
    plan_next,
    wait_before,
)

PLAIN = Schedule(interval_s=300, jitter=0.0, backoff_cap_s=3600)


def test_after_success_the_interval() -> None:
    assert delay_after(PLAIN, failures=0, seed=1) == 300


def test_back_off_doubles_per_failure_up_to_the_cap() -> None:
    delays = [delay_after(PLAIN, failures=n, seed=1) for n in range(7)]
    assert delays == [300, 600, 1200, 2400, 3600, 3600, 3600]


def test_back_off_survives_absurd_failure_counts() -> None:
    assert delay_after(PLAIN, failures=10_000, seed=1) == 3600


def test_cap_below_interval_never_shortens_the_interval() -> None:
    schedule = Schedule(interval_s=7200, jitter=0.0, backoff_cap_s=3600)
    assert delay_after(schedule, failures=3, seed=1) == 7200


def test_server_back_off_wins_when_longer() -> None:
    assert delay_after(PLAIN, failures=1, seed=1, retry_after_s=5000) == 5000
    assert delay_after(PLAIN, failures=1, seed=1, retry_after_s=5) == 600


def test_jitter_stays_within_its_fraction_and_is_reproducible() -> None:
    schedule = Schedule(interval_s=300, jitter=0.1)
    delays = [delay_after(schedule, failures=0, seed=s) for s in range(200)]
    assert all(270 <= d <= 330 for d in delays)
    assert len(set(delays)) > 100  # really spread, not one value
    assert delay_after(schedule, failures=0, seed=42) == delay_after(schedule, failures=0, seed=42)


@pytest.mark.parametrize("bad", [{"interval_s": 0}, {"jitter": 1.0}, {"jitter": -0.1}])
def test_nonsense_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Schedule(**bad)


def test_plan_next_puts_the_same_delay_on_both_clocks() -> None:
    planned = plan_next(PLAIN, wall=1_000_000.0, monotonic=50.0, failures=0, seed=3)
    assert planned == PlannedRun(wall=1_000_300.0, monotonic=350.0, delay_s=300.0)


def test_naps_are_bounded_so_a_suspend_is_noticed() -> None:
    planned = PlannedRun(wall=1_000_300.0, monotonic=350.0, delay_s=300.0)
    assert wait_before(planned, wall=1_000_000.0, monotonic=50.0) == MAX_NAP_S
    assert wait_before(planned, wall=1_000_290.0, monotonic=340.0) == pytest.approx(10.0)
    assert wait_before(planned, wall=1_000_300.0, monotonic=350.0) == 0.0


def test_wake_after_suspend_runs_now_once() -> None:
    # Suspended for 8 hours: the monotonic clock stood still, the wall clock did not.
    planned = PlannedRun(wall=1_000_300.0, monotonic=350.0, delay_s=300.0)
    wall_after_wake = 1_000_000.0 + 8 * 3600
    assert wait_before(planned, wall=wall_after_wake, monotonic=60.0) == 0.0
    assert missed_cycles(planned, wall=wall_after_wake, interval_s=300) == 95


def test_wall_clock_set_back_does_not_delay_past_the_monotonic_deadline() -> None:
    planned = PlannedRun(wall=1_000_300.0, monotonic=350.0, delay_s=300.0)
    # The user set the clock back a day; the monotonic deadline still fires on time.
    assert wait_before(planned, wall=1_000_300.0 - 86400, monotonic=350.0) == 0.0
    assert missed_cycles(planned, wall=1_000_300.0 - 86400, interval_s=300) == 0


def test_on_time_wake_missed_nothing() -> None:
    planned = PlannedRun(wall=1_000_300.0, monotonic=350.0, delay_s=300.0)
    assert missed_cycles(planned, wall=1_000_301.0, interval_s=300) == 0
