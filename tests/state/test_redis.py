"""What only the Redis backend does: share across instances, bound its waits, name keys safely."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.ats.errors import RateLimited
from bot.state import Keys
from bot.state.redis import RedisState, connect

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


async def test_every_key_has_a_ttl_and_names_no_token(
    two: tuple[RedisState, RedisState], keys: Keys, redis_url: str, redis_prefix: str
) -> None:
    state = two[0]
    await state.put(keys.cache("id", "c-1"), "{}", ttl=60, group=keys.candidate("c-1"))
    await state.first_time(keys.event("Ev1"), ttl=60)
    budget = state.budget(keys, per_minute=10, user_share=0.5)
    await budget.reserve(0, user="U0ALICE")
    await budget.observe(200, {"X-RateLimit-Remaining": "3", "X-RateLimit-Limit": "10"})

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
