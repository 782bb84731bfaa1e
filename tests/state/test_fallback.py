"""Redis stops answering: answers come from this process, and Redis is used again once back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bot.ats.errors import RateLimited
from bot.state import Keys
from bot.state.fallback import FallbackState
from bot.state.memory import MemoryState
from bot.state.redis import RedisState, connect
from tests.services.redis_server import RedisServer

pytestmark = pytest.mark.timeout(40)


@pytest.fixture
def keys() -> Keys:
    return Keys.for_connector("token", secret="api-key", prefix="fallback-test")


@pytest.fixture
async def state(own_redis: RedisServer) -> AsyncIterator[FallbackState]:
    fallback = FallbackState(
        RedisState(connect(own_redis.url, timeout=0.25)),
        MemoryState(),
        fallback_share=0.5,
        retry_interval=0.1,
    )
    yield fallback
    await fallback.aclose()


async def test_without_redis_everything_works_in_process_and_health_says_degraded(
    state: FallbackState, own_redis: RedisServer, keys: Keys
) -> None:
    assert not (await state.check()).degraded
    own_redis.stop()
    key = keys.cache("id", "c-1")
    assert await state.get(key) is None
    assert await state.put(key, "local", ttl=60, group=keys.candidate("c-1"))
    assert await state.get(key) == "local"
    assert await state.first_time(keys.event("Ev1"), ttl=60)
    assert not await state.first_time(keys.event("Ev1"), ttl=60)

    async def load() -> str:
        await asyncio.sleep(0.05)
        return "loaded"

    calls = await asyncio.gather(
        *(state.coalesce(keys.lookup("id", "c-1"), load, wait=1) for _ in range(10))
    )
    assert calls == ["loaded"] * 10
    health = await state.check()
    assert health.degraded
    assert "Redis" in health.detail


async def test_the_local_budget_is_the_set_share_of_the_limit(
    state: FallbackState, own_redis: RedisServer, keys: Keys
) -> None:
    budget = state.budget(keys, per_minute=4)
    own_redis.stop()
    await budget.reserve(0)
    await budget.reserve(0)
    with pytest.raises(RateLimited):
        await budget.reserve(0)


async def test_redis_is_used_again_once_it_is_back(
    state: FallbackState, own_redis: RedisServer, keys: Keys
) -> None:
    own_redis.stop()
    await state.first_time(keys.event("Ev1"), ttl=60)
    await state.put(keys.cache("id", "c-1"), "alone", ttl=60, group=keys.candidate("c-1"))
    assert state.degraded
    assert state.local.entries() != {}
    own_redis.start()
    await asyncio.sleep(0.15)  # the retry interval
    assert await state.first_time(keys.event("Ev2"), ttl=60)
    assert not state.degraded
    assert state.local.entries() == {}  # what it cached alone may be stale by now
    assert not (await state.check()).degraded
    other = RedisState(connect(own_redis.url, timeout=1))
    assert await other.client.exists(keys.event("Ev2")) == 1  # written to Redis, not memory
    await other.aclose()


async def test_a_warning_at_most_once_a_minute(
    state: FallbackState, own_redis: RedisServer, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.state")
    own_redis.stop()
    for i in range(5):
        await state.get(keys.cache("id", f"c-{i}"))
        await asyncio.sleep(0.12)  # past the retry interval: each one tries Redis again
    warnings = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(warnings) == 1
    assert "token" not in warnings[0].getMessage()


async def test_a_redis_that_comes_and_goes_is_logged_at_most_once_a_minute(
    state: FallbackState, own_redis: RedisServer, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.state")
    for _ in range(3):  # down, back, down, back…
        own_redis.stop()
        await state.get(keys.cache("id", "c-1"))
        await asyncio.sleep(0.12)
        own_redis.start()
        await state.get(keys.cache("id", "c-1"))
        assert not state.degraded
        await asyncio.sleep(0.12)
    lines = [r.getMessage() for r in caplog.records]
    assert len([line for line in lines if "does not answer" in line]) == 1
    assert len([line for line in lines if "answers again" in line]) == 1


async def test_an_outage_at_start_up_stops_nothing(tmp_path: object, keys: Keys) -> None:
    from tests.services.redis_server import free_port

    state = FallbackState(
        RedisState(connect(f"redis://127.0.0.1:{free_port()}/0", timeout=0.25)), MemoryState()
    )
    assert await state.first_time(keys.event("Ev1"), ttl=60)
    assert (await state.check()).degraded
    await state.aclose()


async def test_redis_failing_after_the_load_does_not_load_twice(
    state: FallbackState, own_redis: RedisServer, keys: Keys
) -> None:
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        own_redis.stop()  # Redis goes away while the ATS answers
        return "answer"

    assert await state.coalesce(keys.lookup("id", "c-1"), load, wait=1) == "answer"
    assert calls == 1
    assert state.degraded
