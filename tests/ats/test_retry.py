"""The retry engine on its own: a fake clock, sleep and jitter, so nothing really waits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ats.budget import RateBudget
from bot.ats.errors import AtsError, NotFound, RateLimited, Unavailable
from bot.ats.retry import Attempt, Retrier
from bot.state.memory import MemoryBudget


class FakeTime:
    """A clock that moves only when the engine sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def retrier(time: FakeTime, **options: Any) -> Retrier:
    budget = MemoryBudget(RateBudget(200, clock=time.clock))
    return Retrier(
        budget,
        jitter=lambda low, high: high,  # always the longest pause, so the figures are exact
        sleep=time.sleep,
        clock=time.clock,
        **options,
    )


def outcomes(*results: object | AtsError) -> tuple[list[int], Attempt]:
    """An attempt that returns `results` in turn, and the list of attempt numbers it saw."""
    seen: list[int] = []
    queue = list(results)

    async def attempt(number: int, deadline: float) -> object | AtsError:
        seen.append(number)
        return queue.pop(0)

    return seen, attempt


async def test_transient_errors_are_retried_with_growing_backoff() -> None:
    time = FakeTime()
    seen, attempt = outcomes(Unavailable("502"), Unavailable("502"), "body")
    assert await retrier(time, backoff_base=0.5).run(attempt) == "body"
    assert seen == [1, 2, 3]
    assert time.slept == [0.5, 1.0]  # base × 2^(retry − 1), with the jitter at its ceiling


async def test_a_final_error_is_not_retried() -> None:
    time = FakeTime()
    seen, attempt = outcomes(NotFound("404"), "body")
    with pytest.raises(NotFound):
        await retrier(time).run(attempt)
    assert seen == [1]


async def test_the_last_error_stands_when_attempts_run_out() -> None:
    time = FakeTime()
    seen, attempt = outcomes(*(Unavailable(f"50{n}") for n in range(3)))
    with pytest.raises(Unavailable, match="502"):
        await retrier(time, max_attempts=3).run(attempt)
    assert seen == [1, 2, 3]


async def test_a_backoff_that_does_not_fit_the_deadline_ends_the_tries() -> None:
    time = FakeTime()
    seen, attempt = outcomes(Unavailable("503"), "body")
    with pytest.raises(Unavailable, match="503"):
        await retrier(time, backoff_base=5.0, deadline=1.0).run(attempt)
    assert seen == [1]
    assert time.slept == []


async def test_a_rate_limit_waits_for_the_budget_not_for_backoff() -> None:
    time = FakeTime()
    engine = retrier(time, backoff_base=5.0, deadline=10.0)
    await engine.budget.observe(429, {"Retry-After": "2"})
    seen, attempt = outcomes("body")
    assert await engine.run(attempt) == "body"
    assert seen == [1]
    assert time.slept == [pytest.approx(2.0)]


async def test_a_budget_wait_beyond_the_deadline_is_refused_without_a_request() -> None:
    time = FakeTime()
    engine = retrier(time, deadline=1.0)
    await engine.budget.observe(429, {"Retry-After": "30"})
    seen, attempt = outcomes("body")
    with pytest.raises(RateLimited):
        await engine.run(attempt)
    assert seen == []


def test_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        Retrier(MemoryBudget(RateBudget(200)), max_attempts=0)
