"""Shared state in Redis, so that several instances act as one.

- Cache: a hash per key (`value`, `version`) with a TTL, and a set per candidate naming
  its keys, so that one step evicts them all.
- Coalescing: the first instance to set the lookup's lock (SET NX PX) loads, and hands its
  result to the others under a key named by its lock token; they poll for it.
- Budget: the log of sends in a sorted set, scored by Redis's own clock (TIME), so that
  every instance agrees on the time; reserving and observing are Lua scripts, each one
  atomic (https://redis.io/docs/latest/develop/interactive/programmability/eval-intro/).
- Dedupe: SET NX PX.

Every key has a TTL. Every call is bounded by `timeout`: the pool's wait for a connection,
the connect and each read (redis-py retries nothing: a retry would multiply the wait).
The connection pool is redis-py's BlockingConnectionPool, because the plain pool raises
"Too many connections" under a burst instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Mapping
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.driver_info import DriverInfo

from bot.ats.budget import LONGEST_WAIT, WINDOW, RateLimitState, retry_after
from bot.ats.errors import RateLimited
from bot.state.base import Health, Load
from bot.state.keys import Keys

logger = logging.getLogger("bot.state")

MAX_CONNECTIONS = 512
"""Connections to Redis per instance; more callers wait (up to the timeout) for one.

As many as the Bindbee pool allows lookups in flight: with fewer, a burst of a few hundred
lookups waited on our own pool, not on Redis, timed out, and sent the instance to its
local fallback budget, which let two instances together exceed Bindbee's limit (seen in
the benchmark: 85 429s). Redis itself takes 10,000 clients by default."""

HANDOFF_TTL = 5.0
"""Seconds a coalesced result stays for the instances waiting on it."""

POLL_FIRST, POLL_MAX = 0.005, 0.02
"""Seconds between two looks for the leader's result: short at first, then longer."""

# KEYS: value key, group set. ARGV: value, ttl ms, version ('' when unknown).
_PUT = """
if ARGV[3] ~= '' then
  local old = redis.call('HGET', KEYS[1], 'version')
  if old and old ~= '' and tonumber(old) > tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], KEYS[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
"""

# KEYS: group set.
_EVICT = """
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return #members
"""

# KEYS: lock. ARGV: token, ttl ms. Returns {1, token} when we lead, else {0, leader's token}.
_LEAD = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1]) or ''}
"""

# KEYS: lock. ARGV: token. Deletes the lock only if it is still ours.
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# The budget, as bot/ats/budget.py keeps it, with Redis's clock and one more limit: a user's
# share. KEYS: sends (sorted set), meta (hash), user's sends ('' key unused when no user).
_BUDGET_COMMON = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local per_minute = tonumber(ARGV[2])
local meta = redis.call('HMGET', KEYS[2], 'limit', 'blocked_until', 'others', 'others_until')
local limit = math.min(per_minute, tonumber(meta[1]) or per_minute)
local blocked_until = tonumber(meta[2]) or 0
local others = tonumber(meta[3]) or 0
local others_until = tonumber(meta[4]) or 0
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local function keep(key, last)
  redis.call('PEXPIRE', key, math.ceil((last - now + window) * 1000))
end
"""

# ARGV: window, per_minute, longest, max_wait, member, user share ('' = none).
_RESERVE = (
    _BUDGET_COMMON
    + """
local max_wait = tonumber(ARGV[4])
local function slot_free(key, start, capacity)
  if capacity <= 0 then return math.huge end
  if redis.call('ZCARD', key) < capacity then return start end
  local nth = redis.call('ZRANGE', key, -capacity, -capacity, 'WITHSCORES')
  return math.max(start, tonumber(nth[2]) + window)
end
local start = now
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last > 0 then start = math.max(start, tonumber(last[2])) end
start = math.max(start, blocked_until)
if ARGV[6] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
  start = slot_free(KEYS[3], start, math.max(1, math.floor(limit * tonumber(ARGV[6]))))
end
local at
if start < others_until then
  at = slot_free(KEYS[1], start, limit - others)
  if at >= others_until then at = slot_free(KEYS[1], others_until, limit) end
else
  at = slot_free(KEYS[1], start, limit)
end
if at - now > max_wait then return {0, tostring(at - now)} end
redis.call('ZADD', KEYS[1], at, ARGV[5])
keep(KEYS[1], at)
if ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[3], at, ARGV[5])
  keep(KEYS[3], at)
end
return {1, tostring(at - now)}
"""
)

# ARGV: window, per_minute, longest, status, limit, remaining, reset_at (Unix s), block (s);
# '' where the response said nothing.
_OBSERVE = (
    _BUDGET_COMMON
    + """
local longest = tonumber(ARGV[3])
if ARGV[5] ~= '' and tonumber(ARGV[5]) > 0 then
  limit = math.min(per_minute, tonumber(ARGV[5]))
end
if ARGV[6] ~= '' then
  local remaining = tonumber(ARGV[6])
  local reset_in = window
  if ARGV[7] ~= '' then reset_in = math.min(math.max(0, tonumber(ARGV[7]) - now), longest) end
  local until_ = now + reset_in
  if remaining == 0 then
    blocked_until = math.max(blocked_until, until_)
  else
    local sent = redis.call('ZCOUNT', KEYS[1], '-inf', now)
    local seen = (limit - sent) - remaining
    if seen > 0 then
      if now >= others_until then others = 0 end
      others = math.max(others, seen)
      others_until = math.max(others_until, until_)
    end
  end
end
if ARGV[4] == '429' then blocked_until = math.max(blocked_until, now + tonumber(ARGV[8])) end
redis.call('HSET', KEYS[2], 'limit', limit, 'blocked_until', tostring(blocked_until),
  'others', others, 'others_until', tostring(others_until))
keep(KEYS[2], math.max(now, blocked_until, others_until))
return 1
"""
)


def connect(url: str, *, timeout: float, max_connections: int = MAX_CONNECTIONS) -> aioredis.Redis:
    """A client on a bounded, blocking pool; no call waits longer than `timeout` per step.

    Nothing connects until the first command, so an outage at start-up stops nothing.
    """
    no_retry = Retry(NoBackoff(), 0)
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=no_retry,
        decode_responses=True,
        # Given once: left out, redis-py reads its own version from the installed package's
        # metadata for every new connection, which was 8 % of a burst's CPU.
        driver_info=DriverInfo(name="redis-py", lib_version=redis.__version__),
    )
    return aioredis.Redis(connection_pool=pool, retry=no_retry)


class RedisBudget:
    """One connector's budget, shared by every instance through Redis."""

    def __init__(
        self, state: RedisState, keys: Keys, per_minute: int, user_share: float | None
    ) -> None:
        self._state = state
        self._keys = keys
        self._sends = keys.budget()
        self._meta = keys.budget() + ":meta"
        self._per_minute = per_minute
        self._user_share = user_share

    async def reserve(self, max_wait: float, *, user: str | None = None) -> float:
        """Book one send: the seconds to wait first (0 = now), or raise RateLimited."""
        share = self._user_share if user and self._user_share else None
        user_key = self._keys.user(user) if user and share else self._sends + ":nouser"
        granted, wait = await self._state.scripts["reserve"](
            keys=[self._sends, self._meta, user_key],
            args=[
                WINDOW,
                self._per_minute,
                LONGEST_WAIT,
                max(0.0, max_wait),
                uuid.uuid4().hex,
                "" if share is None else share,
            ],
        )
        seconds = float(wait)
        if not int(granted):
            raise RateLimited(retry_after=seconds if math.isfinite(seconds) else LONGEST_WAIT)
        return seconds

    async def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers (and its Retry-After on a 429)."""
        state = RateLimitState.from_headers(headers)
        block = retry_after(headers, now=time.time()) if status == 429 else 0.0
        await self._state.scripts["observe"](
            keys=[self._sends, self._meta],
            args=[
                WINDOW,
                self._per_minute,
                LONGEST_WAIT,
                status,
                _or_blank(state.limit if state else None),
                _or_blank(state.remaining if state else None),
                _or_blank(state.reset_at if state else None),
                block,
            ],
        )


class RedisState:
    """Cache, coalescing, budgets and dedupe in Redis, shared by every instance."""

    name = "redis"

    def __init__(self, client: aioredis.Redis, *, lock_ttl: float = 10.0) -> None:
        self.client = client
        self._lock_ttl_ms = math.ceil(lock_ttl * 1000)
        self._pending: dict[str, asyncio.Task[str]] = {}
        self.scripts: dict[str, Any] = {
            name: client.register_script(source)
            for name, source in {
                "put": _PUT,
                "evict": _EVICT,
                "lead": _LEAD,
                "unlock": _UNLOCK,
                "reserve": _RESERVE,
                "observe": _OBSERVE,
            }.items()
        }

    async def get(self, key: str) -> str | None:
        """The cached value under `key`, or None."""
        value = await self.client.hget(key, "value")
        return None if value is None else str(value)

    async def put(
        self, key: str, value: str, *, ttl: float, group: str, version: float | None = None
    ) -> bool:
        """Cache `value` for `ttl` seconds, unless a newer version is cached."""
        if ttl <= 0:
            return False
        stored = await self.scripts["put"](
            keys=[key, group], args=[value, math.ceil(ttl * 1000), _or_blank(version)]
        )
        return bool(stored)

    async def evict(self, group: str) -> None:
        """Drop every cached value of `group`."""
        await self.scripts["evict"](keys=[group])

    async def coalesce(self, key: str, load: Load, *, wait: float) -> str:
        """One `load` at a time for `key` across every instance; the others get its result.

        In this process the callers share one task, so only one of them talks to Redis.
        """
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._lead_or_follow(key, load, wait))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(task)

    async def _lead_or_follow(self, key: str, load: Load, wait: float) -> str:
        lock = key + ":lock"
        deadline = time.monotonic() + wait
        while True:
            token = uuid.uuid4().hex
            leading, leader = await self.scripts["lead"](
                keys=[lock], args=[token, self._lock_ttl_ms]
            )
            if int(leading):
                return await self._lead(key, lock, token, load)
            result = await self._follow(key, lock, str(leader), deadline)
            if result is not None:
                return result
            if time.monotonic() >= deadline:
                # The leader took too long: an answer of our own beats none.
                return await load()

    async def _lead(self, key: str, lock: str, token: str, load: Load) -> str:
        try:
            result = await load()
        except BaseException:
            # The others see the lock go without a result, and one of them leads next.
            with contextlib.suppress(aioredis.RedisError, OSError):
                await self.scripts["unlock"](keys=[lock], args=[token])
            raise
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.set(f"{key}:result:{token}", result, px=math.ceil(HANDOFF_TTL * 1000))
            await self.scripts["unlock"](keys=[lock], args=[token], client=pipe)
            await pipe.execute()
        return result

    async def _follow(self, key: str, lock: str, leader: str, deadline: float) -> str | None:
        """The leader's result, or None when its lock is gone without one, or time is up."""
        handoff = f"{key}:result:{leader}"
        pause = POLL_FIRST
        while time.monotonic() < deadline:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.get(handoff)
                pipe.get(lock)
                result, holder = await pipe.execute()
            if result is not None:
                return str(result)
            if holder != leader:
                return None  # the leader failed or gave up: someone must lead again
            await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
        return None

    async def first_time(self, key: str, *, ttl: float) -> bool:
        """True the first time `key` is seen within `ttl` seconds (SET NX PX)."""
        return bool(await self.client.set(key, "1", nx=True, px=math.ceil(ttl * 1000)))

    async def forget(self, key: str) -> None:
        """Forget a key `first_time` saw (DEL)."""
        await self.client.delete(key)

    def budget(
        self, keys: Keys, *, per_minute: int, user_share: float | None = None
    ) -> RedisBudget:
        """The connector's budget, shared through Redis."""
        return RedisBudget(self, keys, per_minute, user_share)

    async def check(self) -> Health:
        """Ping Redis: ok, or degraded with the kind of failure."""
        try:
            await self.client.ping()
        except (aioredis.RedisError, OSError) as exc:
            return Health("degraded", f"Redis does not answer ({type(exc).__name__})")
        return Health("ok")

    async def server_version(self) -> str:
        """The Redis server's version (for doctor)."""
        info: dict[str, Any] = await self.client.info("server")
        return str(info.get("redis_version", "unknown"))

    async def eviction_policy(self) -> tuple[int, str]:
        """The server's maxmemory (0: no limit) and maxmemory-policy (for doctor)."""
        info: dict[str, Any] = await self.client.info("memory")
        return int(info.get("maxmemory", 0) or 0), str(info.get("maxmemory_policy", ""))

    async def aclose(self) -> None:
        """Close the client and its pool."""
        await self.client.aclose(close_connection_pool=True)


def _or_blank(value: float | None) -> float | str:
    """A script argument: the number, or '' for "not known"."""
    return "" if value is None else value
