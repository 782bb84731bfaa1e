"""One suite, every backend: in-process memory, Redis, and Redis behind the fallback.

The Redis runs are against a real server (tests/services/); each test has its own prefix.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.ats.errors import RateLimited
from bot.state import Keys, SharedState
from bot.state.fallback import FallbackState
from bot.state.memory import MemoryState
from bot.state.redis import RedisState, connect

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(params=["memory", "redis", "fallback"])
async def state(request: pytest.FixtureRequest) -> AsyncIterator[SharedState]:
    """Each backend in turn, empty."""
    backend: SharedState
    if request.param == "memory":
        backend = MemoryState()
    else:
        url = request.getfixturevalue("redis_url")
        shared = RedisState(connect(url, timeout=5.0))  # generous: the machine may be loaded
        backend = shared if request.param == "redis" else FallbackState(shared, MemoryState())
    yield backend
    await backend.aclose()


@pytest.fixture
def keys(redis_prefix: str) -> Keys:
    return Keys.for_connector("connector-token", secret="api-key", prefix=redis_prefix)


async def test_a_value_is_kept_for_its_ttl(state: SharedState, keys: Keys) -> None:
    key = keys.cache("id", "c-1")
    assert await state.get(key) is None
    assert await state.put(key, '{"a": 1}', ttl=0.3, group=keys.candidate("c-1"))
    assert await state.get(key) == '{"a": 1}'
    await asyncio.sleep(0.4)
    assert await state.get(key) is None


async def test_a_zero_ttl_keeps_nothing(state: SharedState, keys: Keys) -> None:
    key = keys.cache("id", "c-1")
    assert not await state.put(key, "{}", ttl=0, group=keys.candidate("c-1"))
    assert await state.get(key) is None


async def test_an_older_version_never_replaces_a_newer_one(state: SharedState, keys: Keys) -> None:
    key, group = keys.cache("id", "c-1"), keys.candidate("c-1")
    assert await state.put(key, '"new"', ttl=60, group=group, version=200.0)
    assert not await state.put(key, '"old"', ttl=60, group=group, version=100.0)
    assert await state.get(key) == '"new"'
    assert await state.put(key, '"same"', ttl=60, group=group, version=200.0)
    assert await state.get(key) == '"same"'
    assert await state.put(key, '"unversioned"', ttl=60, group=group)
    assert await state.get(key) == '"unversioned"'


async def test_evicting_a_group_drops_each_of_its_keys_and_no_other(
    state: SharedState, keys: Keys
) -> None:
    group = keys.candidate("c-1")
    by_id, by_link = keys.cache("id", "c-1"), keys.cache("remote_id", "r-1")
    other = keys.cache("id", "c-2")
    await state.put(by_id, "1", ttl=60, group=group)
    await state.put(by_link, "1", ttl=60, group=group)
    await state.put(other, "2", ttl=60, group=keys.candidate("c-2"))
    await state.evict(group)
    assert await state.get(by_id) is None
    assert await state.get(by_link) is None
    assert await state.get(other) == "2"


async def test_connectors_never_see_each_other_s_keys(state: SharedState, keys: Keys) -> None:
    other = Keys.for_connector("another-token", secret="api-key", prefix=keys.prefix)
    await state.put(keys.cache("id", "c-1"), "mine", ttl=60, group=keys.candidate("c-1"))
    assert await state.get(other.cache("id", "c-1")) is None


async def test_concurrent_loads_of_one_key_run_once(state: SharedState, keys: Keys) -> None:
    calls = 0
    release = asyncio.Event()

    async def load() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "result"

    waiting = [
        asyncio.create_task(state.coalesce(keys.lookup("id", "c-1"), load, wait=5))
        for _ in range(20)
    ]
    await asyncio.sleep(0.05)
    release.set()
    assert await asyncio.gather(*waiting) == ["result"] * 20
    assert calls == 1


async def test_a_failed_load_reaches_every_waiter_and_the_next_one_loads_again(
    state: SharedState, keys: Keys
) -> None:
    attempts = 0

    async def load() -> str:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.05)
        if attempts == 1:
            raise ValueError("boom")
        return "ok"

    key = keys.lookup("id", "c-1")
    results = await asyncio.gather(
        *(state.coalesce(key, load, wait=5) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, ValueError) for r in results)
    assert await state.coalesce(key, load, wait=5) == "ok"
    assert attempts == 2


async def test_a_cached_value_answers_a_coalesced_lookup_without_a_load(
    state: SharedState, keys: Keys
) -> None:
    loads = 0

    async def load() -> str:
        nonlocal loads
        loads += 1
        return "loaded"

    cache_key, lookup = keys.cache("id", "c-1"), keys.lookup("id", "c-1")
    assert await state.coalesce(lookup, load, wait=5, cached=cache_key) == "loaded"
    assert loads == 1  # nothing cached yet
    await state.put(cache_key, "cached", ttl=60, group=keys.candidate("c-1"))
    assert await state.coalesce(lookup, load, wait=5, cached=cache_key) == "cached"
    assert loads == 1
    assert await state.coalesce(lookup, load, wait=5) == "loaded"  # not asked to look
    assert loads == 2


async def test_first_time_is_true_once_within_the_ttl(state: SharedState, keys: Keys) -> None:
    key = keys.event("Ev1")
    assert await state.first_time(key, ttl=0.3)
    assert not await state.first_time(key, ttl=0.3)
    assert await state.first_time(keys.event("Ev2"), ttl=0.3)
    await asyncio.sleep(0.4)
    assert await state.first_time(key, ttl=0.3)


async def test_the_budget_grants_the_limit_then_refuses_for_about_a_minute(
    state: SharedState, keys: Keys
) -> None:
    budget = state.budget(keys, per_minute=3)
    assert [await budget.reserve(0) for _ in range(3)] == [0, 0, 0]
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(0)
    assert 55 < refused.value.retry_after <= 60


async def test_the_budget_books_a_later_slot_when_the_caller_can_wait(
    state: SharedState, keys: Keys
) -> None:
    budget = state.budget(keys, per_minute=2)
    await budget.reserve(0)
    await budget.reserve(0)
    assert 55 < await budget.reserve(120) <= 60
    assert 55 < await budget.reserve(120) <= 60  # two fit in that next window
    assert 115 < await budget.reserve(180) <= 120


async def test_the_budget_waits_out_a_429(state: SharedState, keys: Keys) -> None:
    budget = state.budget(keys, per_minute=100)
    await budget.observe(429, {"Retry-After": "7"})
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(1)
    assert 5 < refused.value.retry_after <= 7


async def test_the_budget_waits_for_the_reset_when_nothing_remains(
    state: SharedState, keys: Keys
) -> None:
    import time

    budget = state.budget(keys, per_minute=100)
    await budget.observe(
        200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 20)}
    )
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(1)
    assert 15 < refused.value.retry_after <= 21


async def test_the_budget_counts_what_others_spent(state: SharedState, keys: Keys) -> None:
    budget = state.budget(keys, per_minute=10)
    await budget.reserve(0)
    # Bindbee says 2 remain of 10 after our one request: someone else sent 7.
    await budget.observe(200, {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "2"})
    assert await budget.reserve(0) == 0
    assert await budget.reserve(0) == 0
    with pytest.raises(RateLimited):
        await budget.reserve(1)


async def test_a_lower_limit_from_bindbee_holds(state: SharedState, keys: Keys) -> None:
    budget = state.budget(keys, per_minute=10)
    await budget.observe(200, {"X-RateLimit-Limit": "2"})
    await budget.reserve(0)
    await budget.reserve(0)
    with pytest.raises(RateLimited):
        await budget.reserve(0)
