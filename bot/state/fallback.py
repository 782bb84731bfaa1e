"""Redis first, this process behind it: lookups get answers whatever Redis does.

When a Redis call fails or times out, the instance marks Redis down, logs a warning (at
most once a minute) and uses its in-process state: cache, coalescing, dedupe, and a budget
of `fallback_share` of the limit (the other instances may be on their own share too).
While down, it tries Redis again at most once every `retry_interval` seconds, and goes back
to it at the first answer. `/healthz` reports `degraded` meanwhile.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import redis.asyncio as aioredis

from bot.state.base import Health, Load
from bot.state.keys import Keys
from bot.state.memory import MemoryBudget, MemoryState
from bot.state.redis import RedisBudget, RedisState

logger = logging.getLogger("bot.state")

WARN_EVERY = 60.0
"""Seconds between two warnings that Redis does not answer."""

_T = TypeVar("_T")
_FAILURES = (aioredis.RedisError, OSError, TimeoutError)


class FallbackBudget:
    """The shared budget while Redis answers, a local share of it while it does not."""

    def __init__(self, state: FallbackState, shared: RedisBudget, local: MemoryBudget) -> None:
        self._state = state
        self._shared = shared
        self.local = local

    async def reserve(self, max_wait: float, *, user: str | None = None) -> float:
        """Book one send in the shared budget, or in the local one while Redis is down."""
        return await self._state.first_of(
            lambda: self._shared.reserve(max_wait, user=user),
            lambda: self.local.reserve(max_wait, user=user),
        )

    async def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Tell both: the local budget must know of a 429 before it is needed."""
        await self.local.observe(status, headers)
        await self._state.first_of(lambda: self._shared.observe(status, headers), _nothing)


class FallbackState:
    """A RedisState that falls back to a MemoryState while Redis does not answer."""

    name = "redis"

    def __init__(
        self,
        shared: RedisState,
        local: MemoryState,
        *,
        fallback_share: float = 0.5,
        retry_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self.local = local
        self._share = fallback_share
        self._retry_interval = retry_interval
        self._clock = clock
        self._down_since: float | None = None
        self._next_try = -math.inf
        self._last_warning = -math.inf
        self._last_recovery = -math.inf
        self._problem = ""

    @property
    def degraded(self) -> bool:
        """True while Redis is taken to be down."""
        return self._down_since is not None

    async def first_of(
        self, shared: Callable[[], Awaitable[_T]], local: Callable[[], Awaitable[_T]]
    ) -> _T:
        """`shared()` while Redis answers; `local()` when it fails or is known to be down."""
        if self._down_since is None or self._clock() >= self._next_try:
            self._next_try = self._clock() + self._retry_interval  # one try at a time
            try:
                result = await shared()
            except _FAILURES as exc:
                self._failed(exc)
            else:
                self._answered()
                return result
        return await local()

    async def get(self, key: str) -> str | None:
        """The cached value, from Redis or (while it is down) from this process."""
        return await self.first_of(lambda: self.shared.get(key), lambda: self.local.get(key))

    async def put(
        self, key: str, value: str, *, ttl: float, group: str, version: float | None = None
    ) -> bool:
        """Cache `value` in Redis, or in this process while Redis is down."""
        return await self.first_of(
            lambda: self.shared.put(key, value, ttl=ttl, group=group, version=version),
            lambda: self.local.put(key, value, ttl=ttl, group=group, version=version),
        )

    async def evict(self, group: str) -> None:
        """Evict in both: what this process cached while Redis was down must go too."""
        await self.local.evict(group)
        await self.first_of(lambda: self.shared.evict(group), _nothing)

    async def coalesce(
        self, key: str, load: Load, *, wait: float, cached: str | None = None
    ) -> str:
        """Coalesce across instances, or in this process; `load` runs at most once."""
        once = _Once(load)
        return await self.first_of(
            lambda: self.shared.coalesce(key, once, wait=wait, cached=cached),
            lambda: self.local.coalesce(key, once, wait=wait, cached=cached),
        )

    async def first_time(self, key: str, *, ttl: float) -> bool:
        """Set-if-absent in Redis, or in this process while Redis is down."""
        return await self.first_of(
            lambda: self.shared.first_time(key, ttl=ttl),
            lambda: self.local.first_time(key, ttl=ttl),
        )

    async def forget(self, key: str) -> None:
        """Forget the key in Redis (or in this process while Redis is down), and here too."""
        await self.local.forget(key)
        await self.first_of(
            lambda: self.shared.forget(key),
            lambda: self.local.forget(key),
        )

    def budget(
        self, keys: Keys, *, per_minute: int, user_share: float | None = None
    ) -> FallbackBudget:
        """The shared budget, with a local one of `fallback_share` of the limit behind it."""
        local_limit = max(1, math.floor(per_minute * self._share))
        return FallbackBudget(
            self,
            self.shared.budget(keys, per_minute=per_minute, user_share=user_share),
            self.local.budget(keys, per_minute=local_limit, user_share=user_share),
        )

    async def check(self) -> Health:
        """Ask Redis now; degraded for as long as it does not answer."""
        health = await self.shared.check()
        if health.degraded:
            self._failed(None, health.detail)
        else:
            self._answered()
        return health

    async def aclose(self) -> None:
        """Close the Redis client."""
        await self.shared.aclose()

    def _failed(self, exc: BaseException | None, detail: str = "") -> None:
        now = self._clock()
        if self._down_since is None:
            self._down_since = now
        self._next_try = now + self._retry_interval
        self._problem = detail or f"Redis does not answer ({type(exc).__name__})"
        if now - self._last_warning >= WARN_EVERY:
            self._last_warning = now
            logger.warning(
                "%s; using this instance's own cache, coalescing and %g of the rate budget",
                self._problem,
                self._share,
            )

    def _answered(self) -> None:
        if self._down_since is not None:
            now = self._clock()
            # At most once a minute too: a Redis that comes and goes must not flood the log.
            if now - self._last_recovery >= WARN_EVERY:
                self._last_recovery = now
                logger.warning(
                    "Redis answers again after %.0f s; shared state is back",
                    now - self._down_since,
                )
            self._down_since = None
            self._next_try = -math.inf
            # Evictions made on other instances meanwhile never reached this cache: drop it,
            # so that a later outage cannot serve a candidate who has turned private since.
            self.local.clear()


class _Once:
    """A load that runs at most once: a fallback after a Redis failure reuses its result."""

    def __init__(self, load: Load) -> None:
        self._load = load
        self._result: str | None = None

    async def __call__(self) -> str:
        if self._result is None:
            self._result = await self._load()
        return self._result


async def _nothing() -> None:
    return None
