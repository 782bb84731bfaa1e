"""The rate budget: a sliding window of our own sends, kept in line with Bindbee's headers.

Every test but the last two runs on a fake clock, so nothing sleeps.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ats.budget import (
    DEFAULT_RETRY_AFTER,
    LONGEST_WAIT,
    WINDOW,
    RateBudget,
    RateLimitState,
    retry_after,
)
from bot.ats.client import BindbeeClient
from bot.ats.errors import RateLimited
from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee

WALL = 1_700_000_000.0  # Unix time when every test starts


class Clocks:
    """A monotonic clock and a wall clock that advance together, by hand."""

    def __init__(self) -> None:
        self.elapsed = 0.0

    def monotonic(self) -> float:
        return 500.0 + self.elapsed

    def wall(self) -> float:
        return WALL + self.elapsed

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


def budget_of(per_minute: int, clocks: Clocks) -> RateBudget:
    return RateBudget(per_minute, clock=clocks.monotonic, wall_clock=clocks.wall)


def try_reserve(budget: RateBudget, max_wait: float) -> float | RateLimited:
    try:
        return budget.reserve(max_wait=max_wait)
    except RateLimited as refused:
        return refused


def reserve_many(budget: RateBudget, count: int) -> list[float]:
    return [budget.reserve(max_wait=math.inf) for _ in range(count)]


# -- our own window ------------------------------------------------------------------------


def test_sends_at_once_while_the_window_has_room(clocks: Clocks) -> None:
    budget = budget_of(3, clocks)
    assert reserve_many(budget, 3) == [0.0, 0.0, 0.0]


def test_defers_when_the_window_is_full(clocks: Clocks) -> None:
    budget = budget_of(3, clocks)
    reserve_many(budget, 3)
    clocks.advance(10)
    assert budget.reserve(max_wait=math.inf) == pytest.approx(50)


def test_deferred_sends_queue_behind_each_other(clocks: Clocks) -> None:
    budget = budget_of(2, clocks)
    reserve_many(budget, 2)
    # Two more fit the next window (at 60 s), the fifth has to wait for the one after.
    assert reserve_many(budget, 3) == pytest.approx([60, 60, 120])


def test_the_window_slides(clocks: Clocks) -> None:
    budget = budget_of(3, clocks)
    for _ in range(3):
        assert budget.reserve(max_wait=0) == 0
        clocks.advance(20)
    # t = 60: the send at t = 0 has left the window, the one at t = 20 has not.
    assert budget.reserve(max_wait=0) == 0
    clocks.advance(1)
    assert budget.reserve(max_wait=math.inf) == pytest.approx(19)


def test_refuses_a_wait_longer_than_max_wait_and_books_nothing(clocks: Clocks) -> None:
    budget = budget_of(2, clocks)
    reserve_many(budget, 2)
    clocks.advance(15)
    with pytest.raises(RateLimited) as refused:
        budget.reserve(max_wait=8.0)
    assert refused.value.retry_after == pytest.approx(45)
    assert refused.value.retry_after_seconds == 45
    # Nothing was booked: the next caller gets the same slot, not the one after.
    assert budget.reserve(max_wait=math.inf) == pytest.approx(45)


def test_rejects_a_budget_of_nothing() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateBudget(0)


@given(
    per_minute=st.integers(1, 5),
    steps=st.lists(st.tuples(st.floats(0, 40), st.floats(0, 150)), max_size=40),
)
def test_never_more_than_per_minute_in_any_window(
    per_minute: int, steps: list[tuple[float, float]]
) -> None:
    clocks = Clocks()
    budget = budget_of(per_minute, clocks)
    sends: list[float] = []
    for gap, max_wait in steps:
        clocks.advance(gap)
        wait = try_reserve(budget, max_wait)
        if isinstance(wait, RateLimited):
            assert wait.retry_after > max_wait
            continue
        assert 0 <= wait <= max_wait
        sends.append(clocks.monotonic() + wait)
    assert sends == sorted(sends)
    slack = 1e-6  # the clock arithmetic rounds; a microsecond means nothing to Bindbee
    for end in sends:
        assert sum(1 for sent in sends if end - WINDOW + slack < sent <= end) <= per_minute


# -- what Bindbee tells us -----------------------------------------------------------------


def test_a_429_blocks_for_retry_after(clocks: Clocks) -> None:
    budget = budget_of(100, clocks)
    budget.observe(429, {"Retry-After": "7"})
    with pytest.raises(RateLimited) as refused:
        budget.reserve(max_wait=5)
    assert refused.value.retry_after == pytest.approx(7)
    clocks.advance(7)
    assert budget.reserve(max_wait=0) == 0


def test_retry_after_on_other_answers_is_not_a_block(clocks: Clocks) -> None:
    budget = budget_of(100, clocks)
    budget.observe(503, {"Retry-After": "30"})
    assert budget.reserve(max_wait=0) == 0


def test_a_429_without_retry_after_waits_for_reset(clocks: Clocks) -> None:
    budget = budget_of(100, clocks)
    budget.observe(429, {"X-RateLimit-Reset": str(int(WALL) + 12)})
    assert budget.reserve(max_wait=math.inf) == pytest.approx(12)


def test_a_bare_429_waits_a_minute(clocks: Clocks) -> None:
    budget = budget_of(100, clocks)
    budget.observe(429, {})
    assert budget.reserve(max_wait=math.inf) == pytest.approx(DEFAULT_RETRY_AFTER)


def test_remaining_zero_blocks_until_reset(clocks: Clocks) -> None:
    budget = budget_of(100, clocks)
    budget.observe(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(WALL) + 30)})
    assert budget.reserve(max_wait=math.inf) == pytest.approx(30)


def test_a_reset_in_the_past_blocks_nothing(clocks: Clocks) -> None:
    budget = budget_of(100, clocks)
    budget.observe(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(WALL) - 5)})
    assert budget.reserve(max_wait=0) == 0


def test_lower_remaining_than_ours_counts_someone_elses_requests(clocks: Clocks) -> None:
    budget = budget_of(10, clocks)
    reserve_many(budget, 2)
    # We think 8 are left; Bindbee says 3: someone else made 5 in this window.
    headers = {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "3",
        "X-RateLimit-Reset": str(int(WALL) + 30),
    }
    budget.observe(200, headers)
    assert reserve_many(budget, 3) == [0, 0, 0]
    # Then nothing until Bindbee's reset, when only our own sends count again.
    assert budget.reserve(max_wait=math.inf) == pytest.approx(30)


def test_higher_remaining_than_ours_changes_nothing(clocks: Clocks) -> None:
    budget = budget_of(3, clocks)
    budget.observe(200, {"X-RateLimit-Remaining": "150", "X-RateLimit-Reset": str(WALL + 30)})
    assert reserve_many(budget, 3) == [0, 0, 0]
    assert budget.reserve(max_wait=math.inf) == pytest.approx(60)


def test_a_lower_limit_from_bindbee_lowers_ours(clocks: Clocks) -> None:
    budget = budget_of(10, clocks)
    budget.observe(200, {"X-RateLimit-Limit": "2"})
    assert budget.limit == 2
    assert reserve_many(budget, 3) == pytest.approx([0, 0, 60])


def test_a_higher_limit_from_bindbee_does_not_raise_ours(clocks: Clocks) -> None:
    budget = budget_of(2, clocks)
    budget.observe(200, {"x-ratelimit-limit": "500"})
    assert budget.limit == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"X-RateLimit-Limit": "abc"},
        {"X-RateLimit-Limit": "0"},
        {"X-RateLimit-Limit": "-5"},
        {"X-RateLimit-Limit": "2.5"},
        {"X-RateLimit-Remaining": "soon"},
        {"X-RateLimit-Remaining": "-1"},
        {"X-RateLimit-Remaining": ""},
        {"X-RateLimit-Remaining": "nan"},
        {"X-RateLimit-Remaining": "1e3"},
        {"X-RateLimit-Reset": "tomorrow"},
        {"X-RateLimit-Reset": "inf"},
        {"Retry-After": "a while"},
    ],
)
def test_malformed_headers_are_ignored(clocks: Clocks, headers: dict[str, str]) -> None:
    budget = budget_of(3, clocks)
    budget.observe(200, headers)
    assert budget.limit == 3
    assert reserve_many(budget, 3) == [0, 0, 0]


def test_rate_limit_state_reads_the_three_headers() -> None:
    headers = {"X-RateLimit-Limit": "200", "x-ratelimit-remaining": "157", "X-RATELIMIT-RESET": "1"}
    assert RateLimitState.from_headers(headers) == RateLimitState(200, 157, 1.0)
    assert RateLimitState.from_headers({"X-RateLimit-Remaining": "x"}) is None
    assert RateLimitState.from_headers({}) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5", "X-RateLimit-Reset": str(WALL + 40)}, 1.5),
        ({"Retry-After": format_datetime(datetime.fromtimestamp(WALL + 20, UTC), usegmt=True)}, 20),
        ({"Retry-After": "Tue, 14 Nov 2023 22:13:40 -0000"}, 20),  # zone-less: UTC
        ({"Retry-After": format_datetime(datetime.fromtimestamp(WALL - 20, UTC))}, 0.0),
        ({"Retry-After": "later", "X-RateLimit-Reset": str(WALL + 40)}, 40.0),
        ({"X-RateLimit-Reset": str(WALL - 40)}, DEFAULT_RETRY_AFTER),
        ({}, DEFAULT_RETRY_AFTER),
        ({"Retry-After": "99999999"}, LONGEST_WAIT),
    ],
)
def test_retry_after_falls_back_from_header_to_reset_to_a_minute(
    headers: dict[str, str], expected: float
) -> None:
    assert retry_after(headers, now=WALL) == pytest.approx(expected)


# -- end to end, against the fake's own rate limit -----------------------------------------


@pytest.fixture
def limited() -> Iterator[FakeBindbee]:
    with FakeBindbee(rate_limit=5) as fake:
        fake.add(payloads.FULL)
        yield fake


def client_for(fake: FakeBindbee, per_minute: int) -> BindbeeClient:
    return BindbeeClient(
        base_url=fake.url,
        api_key=FakeBindbee.API_KEY,
        connector_token=FakeBindbee.CONNECTOR_TOKEN,
        rate_limit_per_minute=per_minute,
        deadline=1.0,  # far shorter than the window: the extra requests cannot wait for it
        backoff_base=0.01,
    )


async def test_a_budget_as_large_as_the_limit_never_draws_a_429(limited: FakeBindbee) -> None:
    async with client_for(limited, per_minute=5) as client:
        lookups = [client.get_candidate(payloads.FULL["id"]) for _ in range(7)]
        outcomes = await asyncio.gather(*lookups, return_exceptions=True)
    refused = [outcome for outcome in outcomes if isinstance(outcome, RateLimited)]
    assert len(refused) == 2
    assert all(error.retry_after > 1.0 for error in refused)  # "try again in about a minute"
    assert len(limited.requests) == 5
    assert limited.count_429 == 0


def someone_else_calls(fake: FakeBindbee, times: int) -> None:
    """Another app using the same connector token."""
    headers = {
        "Authorization": f"Bearer {FakeBindbee.API_KEY}",
        "x-connector-token": FakeBindbee.CONNECTOR_TOKEN,
    }
    for _ in range(times):
        httpx.get(f"{fake.url}/api/ats/v1/candidates/{payloads.FULL['id']}", headers=headers)


async def test_someone_elses_requests_count_against_our_budget(limited: FakeBindbee) -> None:
    someone_else_calls(limited, 3)
    async with client_for(limited, per_minute=5) as client:
        await client.get_candidate(payloads.FULL["id"])  # Remaining: 1 tells us about the 3
        await client.get_candidate(payloads.FULL["id"])
        with pytest.raises(RateLimited) as refused:
            await client.get_candidate(payloads.FULL["id"])
    assert 1 < refused.value.retry_after <= WINDOW + 1
    assert len(limited.requests) == 5
    assert limited.count_429 == 0


async def test_a_429_from_bindbee_holds_back_the_next_request(limited: FakeBindbee) -> None:
    someone_else_calls(limited, 5)
    async with client_for(limited, per_minute=5) as client:
        with pytest.raises(RateLimited) as first:
            await client.get_candidate(payloads.FULL["id"])
        with pytest.raises(RateLimited) as second:
            await client.get_candidate(payloads.FULL["id"])
    assert 1 < first.value.retry_after <= WINDOW  # Bindbee's Retry-After
    assert 1 < second.value.retry_after <= WINDOW + 1
    assert limited.count_429 == 1  # the second lookup was held back without asking
    assert len(limited.requests) == 6


# -- fair shares between users --------------------------------------------------------------


def fair_budget(per_minute: int, share: float, clocks: Clocks) -> RateBudget:
    return RateBudget(per_minute, user_share=share, clock=clocks.monotonic, wall_clock=clocks.wall)


def book(budget: RateBudget, user: str | None, count: int, max_wait: float = 8.0) -> list[str]:
    """Book `count` sends for `user`: "now", "wait" or "refused Ns" for each."""
    outcomes = []
    for _ in range(count):
        try:
            wait = budget.reserve(max_wait=max_wait, user=user)
        except RateLimited as refused:
            outcomes.append(f"refused {refused.retry_after_seconds}s")
        else:
            outcomes.append("now" if wait == 0 else "wait")
    return outcomes


def test_one_user_takes_at_most_their_share_and_hears_their_own_wait(clocks: Clocks) -> None:
    budget = fair_budget(200, 0.5, clocks)
    clocks.advance(0.5)
    flood = book(budget, "U0FLOOD", 200)  # 40 commands of 5 ids in half a second
    assert flood == ["now"] * 100 + ["refused 60s"] * 100
    clocks.advance(0.1)  # someone arrives just after the flood
    assert book(budget, "U0ALICE", 5) == ["now"] * 5
    assert book(budget, "U0BOB", 95) == ["now"] * 95
    # the connector's minute is spent now: Bob's own share is not, so he hears its wait
    assert book(budget, "U0CAROL", 1) == ["refused 60s"]


def test_a_users_share_comes_back_as_their_sends_leave_the_window(clocks: Clocks) -> None:
    budget = fair_budget(10, 0.5, clocks)
    assert book(budget, "U0A", 5) == ["now"] * 5
    clocks.advance(20)
    assert book(budget, "U0A", 1) == ["refused 40s"]
    clocks.advance(35)
    assert book(budget, "U0A", 1) == ["wait"]  # 5 s to go: fits the 8 s a lookup may wait
    clocks.advance(5)
    assert book(budget, "U0A", 4) == ["now"] * 4


def test_sends_for_nobody_in_particular_only_meet_the_connector_limit(clocks: Clocks) -> None:
    budget = fair_budget(10, 0.5, clocks)
    assert book(budget, None, 10) == ["now"] * 10
    assert book(budget, "U0A", 1) == ["refused 60s"]


@pytest.mark.parametrize(
    ("per_minute", "share", "limit"), [(200, 0.5, 100), (3, 0.5, 1), (1, 0.1, 1), (200, 1.0, 200)]
)
def test_the_user_limit_is_the_share_of_the_limit_in_force(
    clocks: Clocks, per_minute: int, share: float, limit: int
) -> None:
    assert fair_budget(per_minute, share, clocks).user_limit == limit


def test_the_user_limit_follows_a_lower_limit_bindbee_reports(clocks: Clocks) -> None:
    budget = fair_budget(200, 0.5, clocks)
    budget.observe(200, {"X-RateLimit-Limit": "100"})
    assert budget.user_limit == 50


@pytest.mark.parametrize("share", [0, -0.5, 1.5, math.nan])
def test_a_share_outside_0_to_1_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="user_share"):
        RateBudget(200, user_share=share)


@given(
    st.lists(
        st.tuples(st.sampled_from(["U0A", "U0B", "U0C", None]), st.floats(0, 30)),
        max_size=300,
    )
)
def test_no_user_ever_has_more_than_their_share_in_any_window(
    bookings: list[tuple[str | None, float]],
) -> None:
    clocks = Clocks()
    budget = fair_budget(20, 0.5, clocks)
    granted: dict[str | None, list[float]] = {}
    for user, pause in bookings:
        clocks.advance(pause)
        try:
            wait = budget.reserve(max_wait=8.0, user=user)
        except RateLimited:
            continue
        granted.setdefault(user, []).append(clocks.monotonic() + wait)
    everyone = sorted(t for times in granted.values() for t in times)
    for times in [everyone, *(granted[u] for u in granted if u is not None)]:
        cap = 20 if times is everyone else 10
        for i, start in enumerate(times):
            in_window = [t for t in times[i:] if t < start + WINDOW]
            assert len(in_window) <= cap
    assert budget.tracked_users <= 3
    clocks.advance(WINDOW + 8)
    assert budget.tracked_users <= 3
    budget.reserve(max_wait=0, user="U0D")
    assert budget.tracked_users == 1  # users whose sends left the window are forgotten
