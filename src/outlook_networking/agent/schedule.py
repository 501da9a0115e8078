"""When the agent runs next: interval, jitter, back-off, and catching up after the machine slept.

Pure functions over plain numbers, so every rule is tested without a clock.

Two clocks are involved and both are read by the caller:

- the **monotonic** clock (``time.monotonic``) never jumps when the user or NTP changes the time,
  but on Linux and macOS it stops while the machine is suspended;
- the **wall** clock (``time.time``) keeps counting through a suspend, but can jump.

A planned run therefore carries a deadline on each clock, and it is due as soon as either has
passed: after a normal wait the monotonic deadline fires; after a suspend the wall deadline has
long passed and the run happens at the first wake-up. However long the machine slept, that is one
run, not every cycle that was missed (:func:`missed_cycles` only counts them for the log). The
loop waits in naps of at most :data:`MAX_NAP_S`, so a suspend is noticed that long after waking.

Back-off: after ``n`` failed cycles in a row the delay is ``interval × 2ⁿ``, capped at
``Schedule.backoff_cap_s`` (never shorter than the interval), and never shorter than what the
server asked for (``Retry-After``). Jitter spreads the delay by ±``jitter`` (a fraction) so many
agents of one organisation do not hit the server in step; it comes from a seed, so a test can
name it.

Exports: ``Schedule``, ``PlannedRun``, ``delay_after``, ``plan_next``, ``wait_before``,
``missed_cycles``, ``MAX_NAP_S``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = [
    "MAX_NAP_S",
    "PlannedRun",
    "Schedule",
    "delay_after",
    "missed_cycles",
    "plan_next",
    "wait_before",
]

# The longest single wait: how late a wake-up after suspend is noticed, and how rarely an idle
# agent wakes. Once a minute costs nothing measurable.
MAX_NAP_S = 60.0


@dataclass(frozen=True, slots=True)
class Schedule:
    """The agent's timing settings."""

    interval_s: float = 300.0
    jitter: float = 0.1  # ± fraction of the delay
    backoff_cap_s: float = 3600.0

    def __post_init__(self) -> None:
        if self.interval_s <= 0:
            raise ValueError("interval_s must be positive")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """The next run, as a deadline on both clocks (seconds) and the delay it was planned with."""

    wall: float
    monotonic: float
    delay_s: float


def delay_after(
    schedule: Schedule, *, failures: int, seed: int, retry_after_s: float = 0.0
) -> float:
    """Seconds from the end of a cycle to the start of the next.

    Parameters:
        failures: failed cycles in a row, this one included (0 after a success).
        seed: picks the jitter; the same seed gives the same delay.
        retry_after_s: the longest back-off a server asked for during the cycle.
    """
    base = schedule.interval_s
    if failures > 0:
        # 2**failures overflows float for absurd counts; the cap is reached long before.
        backed_off = schedule.interval_s * 2.0 ** min(failures, 32)
        base = max(schedule.interval_s, min(schedule.backoff_cap_s, backed_off))
    spread = random.Random(seed).uniform(-schedule.jitter, schedule.jitter)
    return max(base * (1.0 + spread), retry_after_s, 0.0)


def plan_next(
    schedule: Schedule,
    *,
    wall: float,
    monotonic: float,
    failures: int,
    seed: int,
    retry_after_s: float = 0.0,
) -> PlannedRun:
    """The next run after a cycle that ended at the given clock readings."""
    delay = delay_after(schedule, failures=failures, seed=seed, retry_after_s=retry_after_s)
    return PlannedRun(wall=wall + delay, monotonic=monotonic + delay, delay_s=delay)


def wait_before(planned: PlannedRun, *, wall: float, monotonic: float) -> float:
    """How long to nap before looking again; 0 means the run is due now.

    Due when either deadline has passed (see the module docstring). A wall clock set back by the
    user does not delay the run past its monotonic deadline; a wall clock set forward makes it
    run early once, which is harmless.
    """
    remaining = min(planned.monotonic - monotonic, planned.wall - wall)
    if remaining <= 0:
        return 0.0
    return min(remaining, MAX_NAP_S)


def missed_cycles(planned: PlannedRun, *, wall: float, interval_s: float) -> int:
    """How many whole cycles a late wake-up skipped (for the log; they are not run)."""
    late = wall - planned.wall
    if late <= 0:
        return 0
    return int(late // interval_s)
