"""What only the Redis backend does: share across instances, bound its waits, name keys safely."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.ats.errors import RateLimited
from bot.state import Keys
from bot.state.redis import OBSERVE_EVERY, RedisState, connect

pytestmark = pytest.mark.timeout(30)

TOKEN = "xoxb-connector-token-never-in-a-key"
SLOW_MACHINE = 5.0  # seconds: a loaded test machine must not turn a slow answer into an error


@pytest.fixture
def keys(redis_prefix: str) -> Keys:
    return Keys.for_connector(TOKEN, secret="api-key", prefix=redis_prefix)


@pytest.fixture
async def two(redis_url: str) -> AsyncIterator[tuple[RedisState, RedisState]]:
    """Two instances' worth of state: separate clients and pools on one Redis."""
    first, second = (
        RedisState(connect(redis_url, timeout=SLOW_MACHINE)),
        RedisState(connect(redis_url, timeout=SLOW_MACHINE)),
    )
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_one_load_for_a_burst_spread_over_two_instances(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)
        return "shared"

    key = keys.lookup("id", "c-1")
    results = await asyncio.gather(*(two[i % 2].coalesce(key, load, wait=5) for i in range(40)))
    assert results == ["shared"] * 40
    assert calls == 1


async def test_when_the_leader_fails_another_instance_loads(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    async def failing() -> str:
        await asyncio.sleep(0.1)
        raise ValueError("the leader failed")

    async def working() -> str:
        return "second try"

    key = keys.lookup("id", "c-1")
    leader = asyncio.create_task(two[0].coalesce(key, failing, wait=5))
    await asyncio.sleep(0.03)
    follower = await two[1].coalesce(key, working, wait=5)
    assert follower == "second try"
    with pytest.raises(ValueError, match="leader failed"):
        await leader


async def test_a_follower_gives_up_on_a_slow_leader_after_its_wait(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    async def slow() -> str:
        await asyncio.sleep(1)
        return "slow"

    async def quick() -> str:
        return "own answer"

    key = keys.lookup("id", "c-1")
    leader = asyncio.create_task(two[0].coalesce(key, slow, wait=5))
    await asyncio.sleep(0.05)
    assert await two[1].coalesce(key, quick, wait=0.3) == "own answer"
    assert await leader == "slow"


async def test_one_budget_for_two_instances(two: tuple[RedisState, RedisState], keys: Keys) -> None:
    budgets = [state.budget(keys, per_minute=4) for state in two]
    granted = refused = 0
    for i in range(6):
        try:
            await budgets[i % 2].reserve(0)
            granted += 1
        except RateLimited:
            refused += 1
    assert (granted, refused) == (4, 2)


async def test_concurrent_reservations_never_exceed_the_limit(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    budgets = [state.budget(keys, per_minute=50) for state in two]

    async def one(i: int) -> bool:
        try:
            await budgets[i % 2].reserve(0)
        except RateLimited:
            return False
        return True

    outcomes = await asyncio.gather(*(one(i) for i in range(120)))
    assert sum(outcomes) == 50


async def test_a_user_gets_no_more_than_their_share(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    budget = two[0].budget(keys, per_minute=10, user_share=0.3)
    for _ in range(3):
        await budget.reserve(0, user="U0ALICE")
    with pytest.raises(RateLimited):
        await budget.reserve(0, user="U0ALICE")
    assert await budget.reserve(0, user="U0BOB") == 0  # others still get theirs
    assert await budget.reserve(0) == 0


def _count_calls(state: RedisState, script: str) -> list[object]:
    """Count the calls of one of the state's scripts (each call is one round trip)."""
    calls: list[object] = []
    original = state.scripts[script]

    async def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("args"))
        return await original(*args, **kwargs)

    state.scripts[script] = counted
    return calls


def _limits(remaining: int, reset_in: float = 30.0) -> dict[str, str]:
    reset = str(int(time.time() + reset_in))
    return {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset,
    }


async def test_a_burst_of_observations_is_shared_in_one_call_and_reaches_the_other_instance(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    first, second = (state.budget(keys, per_minute=10) for state in two)
    calls = _count_calls(two[0], "observe")
    await first.reserve(0)
    for remaining in (8, 6, 4, 2):  # others sent 7 besides our one, as the last says
        await first.observe(200, _limits(remaining))
    assert calls == []  # nothing sent yet: merged first
    await asyncio.sleep(OBSERVE_EVERY * 5)
    assert len(calls) == 1
    # The other instance, which observed nothing, holds back for what others spent.
    assert await second.reserve(0) == 0
    assert await second.reserve(0) == 0
    with pytest.raises(RateLimited):
        await second.reserve(1)


async def test_an_observation_goes_along_with_the_next_reservation(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    budget = two[0].budget(keys, per_minute=10)
    calls = _count_calls(two[0], "observe")
    await budget.reserve(0)
    await budget.observe(200, _limits(2))
    assert await budget.reserve(0) == 0  # carried the observation: 2 left, this is one
    assert await budget.reserve(0) == 0
    with pytest.raises(RateLimited):
        await budget.reserve(1)
    await asyncio.sleep(OBSERVE_EVERY * 5)
    assert calls == []  # it travelled with the reservation, not on its own


@pytest.mark.parametrize(
    ("status", "headers"),
    [(429, {"Retry-After": "30"}), (200, {"X-RateLimit-Remaining": "0"})],
)
async def test_a_429_or_nothing_left_is_shared_at_once(
    two: tuple[RedisState, RedisState], keys: Keys, status: int, headers: dict[str, str]
) -> None:
    first, second = (state.budget(keys, per_minute=10) for state in two)
    await first.observe(status, headers)
    with pytest.raises(RateLimited):
        await second.reserve(1)  # at once, without waiting for a merge


async def test_merging_keeps_the_later_window_not_the_lower_count(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    first, second = (state.budget(keys, per_minute=10) for state in two)
    await first.observe(200, _limits(1, reset_in=1))  # the window about to end: 1 left
    await first.observe(200, _limits(10, reset_in=60))  # the next one: all 10 left
    await asyncio.sleep(OBSERVE_EVERY * 5)
    assert [await second.reserve(0) for _ in range(10)] == [0] * 10


async def test_closing_stops_an_observation_waiting_to_be_shared(
    redis_url: str, keys: Keys
) -> None:
    state = RedisState(connect(redis_url, timeout=SLOW_MACHINE))
    await state.budget(keys, per_minute=10).observe(200, _limits(5))
    await state.aclose()  # no task left pending, no error


async def test_sends_asked_for_together_are_booked_in_one_call_as_if_one_by_one(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    budget = two[0].budget(keys, per_minute=5)
    calls = _count_calls(two[0], "reserve")

    async def one() -> bool:
        try:
            await budget.reserve(0)
        except RateLimited:
            return False
        return True

    outcomes = await asyncio.gather(*(one() for _ in range(8)))
    assert outcomes == [True] * 5 + [False] * 3  # in the order asked
    assert len(calls) == 1
    with pytest.raises(RateLimited):
        await two[1].budget(keys, per_minute=5).reserve(0)  # the other instance sees all five


async def test_a_caller_that_gives_up_leaves_the_others_their_answers(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    budget = two[0].budget(keys, per_minute=10)
    impatient = asyncio.ensure_future(budget.reserve(0))
    patient = asyncio.ensure_future(budget.reserve(0))
    await asyncio.sleep(0)  # both have asked, and wait for the one booking
    impatient.cancel()
    assert await patient == 0
    assert impatient.cancelled()


async def test_a_failed_booking_reaches_every_caller(redis_url: str, keys: Keys) -> None:
    state = RedisState(connect(redis_url, timeout=SLOW_MACHINE))
    budget = state.budget(keys, per_minute=10)
    await state.client.aclose(close_connection_pool=True)
    state.client = connect("redis://127.0.0.1:1/0", timeout=0.5)  # nobody listens there
    state.scripts = {
        name: state.client.register_script(s.script) for name, s in state.scripts.items()
    }
    results = await asyncio.gather(budget.reserve(0), budget.reserve(0), return_exceptions=True)
    assert all(isinstance(r, (aioredis.RedisError, OSError)) for r in results), results
    await state.aclose()


async def test_a_miss_costs_one_round_trip_before_the_load(
    two: tuple[RedisState, RedisState], keys: Keys
) -> None:
    state = two[0]
    leads = _count_calls(state, "lead")
    gets: list[object] = []
    original_hget = state.client.hget

    async def counted_hget(*args: Any, **kwargs: Any) -> Any:
        gets.append(args)
        return await original_hget(*args, **kwargs)

    state.client.hget = counted_hget  # type: ignore[method-assign]

    async def load() -> str:
        return "x"

    result = await state.coalesce(
        keys.lookup("id", "c-1"), load, wait=1, cached=keys.cache("id", "c-1")
    )
    assert result == "x"
    assert (len(leads), gets) == (1, [])  # the script looked at the cache and took the lead


async def test_every_key_has_a_ttl_and_names_no_token(
    two: tuple[RedisState, RedisState], keys: Keys, redis_url: str, redis_prefix: str
) -> None:
    state = two[0]
    await state.put(keys.cache("id", "c-1"), "{}", ttl=60, group=keys.candidate("c-1"))
    await state.first_time(keys.event("Ev1"), ttl=60)
    budget = state.budget(keys, per_minute=10, user_share=0.5)
    await budget.reserve(0, user="U0ALICE")
    await budget.observe(200, {"X-RateLimit-Remaining": "3", "X-RateLimit-Limit": "10"})
    await asyncio.sleep(OBSERVE_EVERY * 5)  # shared a moment later, merged with any others

    async def load() -> str:
        return "x"

    await state.coalesce(keys.lookup("id", "c-1"), load, wait=1)
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    names = [name async for name in client.scan_iter(match=f"{redis_prefix}:*")]
    ttls = [await client.pttl(name) for name in names]
    await client.aclose()
    assert len(names) >= 7
    assert all(ttl > 0 for ttl in ttls), dict(zip(names, ttls, strict=True))
    assert not [name for name in names if TOKEN in name or "U0ALICE" in name]
    assert all(name.startswith(f"{redis_prefix}:{keys.tenant}:") for name in names)


async def test_a_burst_waits_for_a_connection_instead_of_failing(redis_url: str) -> None:
    state = RedisState(connect(redis_url, timeout=2, max_connections=2))
    results = await asyncio.gather(*(state.get(f"nothing-{i}") for i in range(200)))
    await state.aclose()
    assert results == [None] * 200


async def test_a_silent_server_costs_no_more_than_the_timeout() -> None:
    # A socket that accepts connections (in its backlog) and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        state = RedisState(connect(f"redis://127.0.0.1:{port}/0", timeout=0.2))
        started = time.monotonic()
        with pytest.raises((aioredis.RedisError, OSError, TimeoutError)):
            await state.get("anything")
        elapsed = time.monotonic() - started
        await state.aclose()
    assert elapsed < 1.0  # generous: the timeout is 0.2 s
