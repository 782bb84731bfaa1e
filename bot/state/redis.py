"""Shared state in Redis, so that several instances act as one.

- Cache: a hash per key (`value`, `version`) with a TTL, and a set per candidate naming
  its keys, so that one step evicts them all.
- Coalescing: the first instance to set the lookup's lock (SET NX PX) loads, and hands its
  result to the others under a key named by its lock token; they poll for it. The same
  script looks at the cache first, so a miss costs one round trip before the load.
- Budget: the log of sends in a sorted set, scored by Redis's own clock (TIME), so that
  every instance agrees on the time; reserving and observing are Lua scripts, each one
  atomic (https://redis.io/docs/latest/develop/interactive/programmability/eval-intro/).
  Sends asked for together are booked in one call, and rate-limit readings are merged
  over OBSERVE_EVERY (a 429 is shared at once): a burst would otherwise cost a round trip
  for every request and every response.
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
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, replace
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

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

# KEYS: lock, and the cache key to look at first (optional). ARGV: token, ttl ms.
# Returns {2, value} when the cache holds one, {1, token} when we lead, else {0, leader's token}.
_LEAD = """
if KEYS[2] then
  local value = redis.call('HGET', KEYS[2], 'value')
  if value then return {2, value} end
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1]) or ''}
"""

# KEYS: lock. ARGV: token. Deletes the lock only if it is still ours.
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lock, result key. ARGV: token, result, ttl ms. The leader's result for the others,
# then the lock released (if still ours): one round trip.
_HAND_OVER = """
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
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
local longest = tonumber(ARGV[3])
-- What one response said: status, limit, remaining, reset_at (Unix s), block (s); '' where
-- it said nothing.
local function observe(status, seen_limit, remaining_s, reset_s, block_s)
  if seen_limit ~= '' and tonumber(seen_limit) > 0 then
    limit = math.min(per_minute, tonumber(seen_limit))
  end
  if remaining_s ~= '' then
    local remaining = tonumber(remaining_s)
    local reset_in = window
    if reset_s ~= '' then reset_in = math.min(math.max(0, tonumber(reset_s) - now), longest) end
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
  if status == '429' then blocked_until = math.max(blocked_until, now + tonumber(block_s)) end
  redis.call('HSET', KEYS[2], 'limit', limit, 'blocked_until', tostring(blocked_until),
    'others', others, 'others_until', tostring(others_until))
  keep(KEYS[2], math.max(now, blocked_until, others_until))
end
"""

# Several sends booked in one call, in order, each as if alone. KEYS: sends, meta, then one
# user's sends key per send (the sends key plus ':nouser' when there is no user share).
# ARGV: window, per_minute, longest, an observation not yet shared or five '' (as for
# _OBSERVE: status, limit, remaining, reset_at, block; applied first), then per send:
# max_wait, member, user share ('' = none). Returns {granted, wait} per send.
_RESERVE = (
    _BUDGET_COMMON
    + """
if ARGV[4] ~= '' then observe(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]) end
local function slot_free(key, start, capacity)
  if capacity <= 0 then return math.huge end
  if redis.call('ZCARD', key) < capacity then return start end
  local nth = redis.call('ZRANGE', key, -capacity, -capacity, 'WITHSCORES')
  return math.max(start, tonumber(nth[2]) + window)
end
local function book(max_wait, member, share, user_key)
  local start = now
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #last > 0 then start = math.max(start, tonumber(last[2])) end
  start = math.max(start, blocked_until)
  if share ~= '' then
    redis.call('ZREMRANGEBYSCORE', user_key, '-inf', now - window)
    start = slot_free(user_key, start, math.max(1, math.floor(limit * tonumber(share))))
  end
  local at
  if start < others_until then
    at = slot_free(KEYS[1], start, limit - others)
    if at >= others_until then at = slot_free(KEYS[1], others_until, limit) end
  else
    at = slot_free(KEYS[1], start, limit)
  end
  if at - now > max_wait then return {0, tostring(at - now)} end
  redis.call('ZADD', KEYS[1], at, member)
  keep(KEYS[1], at)
  if share ~= '' then
    redis.call('ZADD', user_key, at, member)
    keep(user_key, at)
  end
  return {1, tostring(at - now)}
end
local booked = {}
local i = 0
while ARGV[9 + 3 * i] do
  booked[i + 1] = book(tonumber(ARGV[9 + 3 * i]), ARGV[10 + 3 * i], ARGV[11 + 3 * i], KEYS[3 + i])
  i = i + 1
end
return booked
"""
)

# ARGV: window, per_minute, longest, then one observation: status, limit, remaining,
# reset_at (Unix s), block (s); '' where the response said nothing.
_OBSERVE = (
    _BUDGET_COMMON
    + """
observe(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
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
        # None: no CLIENT SETINFO on every new connection (a burst opens hundreds). Left out,
        # redis-py also read its own version from the package's metadata for each one, which
        # was 8 % of a burst's CPU.
        driver_info=None,
    )
    return aioredis.Redis(connection_pool=pool, retry=no_retry)


OBSERVE_EVERY = 0.02
"""Seconds over which a budget's rate-limit observations are merged into one script call.

Every Bindbee response carries the rate-limit headers, so a burst of 200 cards brought 400
observations, each a Redis round trip. Merged, an observation reaches the other instances
within this time, and this instance's own next reservation at once (it carries the merged
observation along). A 429, or nothing remaining, is shared at once."""


@dataclass(frozen=True)
class _Observation:
    """What a response said about the rate limit (a 429 never waits to be merged)."""

    status: int
    limit: int | None
    remaining: int | None
    reset_at: float | None
    block: float

    @classmethod
    def read(cls, status: int, headers: Mapping[str, str]) -> _Observation | None:
        """The observation in a response, or None when it says nothing about the limit."""
        state = RateLimitState.from_headers(headers)
        if status != 429 and state is None:
            return None
        block = retry_after(headers, now=time.time()) if status == 429 else 0.0
        if state is None:
            return cls(status, None, None, None, block)
        return cls(status, state.limit, state.remaining, state.reset_at, block)

    @property
    def urgent(self) -> bool:
        """A 429, or nothing left: every instance must hold back now."""
        return self.status == 429 or self.remaining == 0

    def merged(self, other: _Observation) -> _Observation:
        """The one to send for both: the later window's, and in one window the lower count."""
        if (other.reset_at or 0.0) != (self.reset_at or 0.0):
            return other if (other.reset_at or 0.0) > (self.reset_at or 0.0) else self
        lower = _lowest(self.remaining, other.remaining)
        return replace(self, limit=_lowest(self.limit, other.limit), remaining=lower)

    def args(self) -> list[float | str]:
        """The observation's script arguments."""
        return [
            self.status,
            _or_blank(self.limit),
            _or_blank(self.remaining),
            _or_blank(self.reset_at),
            self.block,
        ]


@dataclass(frozen=True)
class _Ask:
    """One send waiting to be booked, with the caller's future for the answer."""

    max_wait: float
    user: str | None
    answer: asyncio.Future[tuple[int, str]]


class RedisBudget:
    """One connector's budget, shared by every instance through Redis.

    Sends asked for in the same turn of the event loop are booked in one script call, in
    order, each as if alone: a card asks for two at once (candidate and applications), and a
    burst for hundreds, which were one Redis round trip each.
    """

    def __init__(
        self, state: RedisState, keys: Keys, per_minute: int, user_share: float | None
    ) -> None:
        self._state = state
        self._keys = keys
        self._sends = keys.budget()
        self._meta = keys.budget() + ":meta"
        self._per_minute = per_minute
        self._user_share = user_share
        self._unshared: _Observation | None = None  # merged, not yet in Redis
        self._flush: asyncio.Task[None] | None = None
        self._asks: list[_Ask] = []  # sends asked for in this turn of the event loop

    async def reserve(self, max_wait: float, *, user: str | None = None) -> float:
        """Book one send: the seconds to wait first (0 = now), or raise RateLimited."""
        ask = _Ask(max_wait, user, asyncio.get_running_loop().create_future())
        self._asks.append(ask)
        if len(self._asks) == 1:
            self._state.spawn(self._book_asked())  # runs once this turn's callers have asked
        granted, wait = await ask.answer
        seconds = float(wait)
        if not granted:
            raise RateLimited(retry_after=seconds if math.isfinite(seconds) else LONGEST_WAIT)
        return seconds

    async def _book_asked(self) -> None:
        asks, self._asks = self._asks, []
        # What this instance observed and has not shared yet goes along, applied first.
        unshared, self._unshared = self._unshared, None
        keys = [self._sends, self._meta]
        args: list[float | str] = [WINDOW, self._per_minute, LONGEST_WAIT]
        args += unshared.args() if unshared else ["", "", "", "", ""]
        for ask in asks:
            share = self._user_share if ask.user and self._user_share else None
            user = ask.user if share else None
            keys.append(self._keys.user(user) if user else self._sends + ":nouser")
            args += [max(0.0, ask.max_wait), uuid.uuid4().hex, "" if share is None else share]
        try:
            booked = await self._state.scripts["reserve"](keys=keys, args=args)
        except asyncio.CancelledError:
            for ask in asks:
                ask.answer.cancel()  # the state is closing: its callers stop too
            raise
        except Exception as exc:
            for ask in asks:
                if not ask.answer.done():
                    ask.answer.set_exception(exc)
            return
        for ask, (granted, wait) in zip(asks, booked, strict=True):
            if not ask.answer.done():  # a caller that gave up still used its slot, as before
                ask.answer.set_result((int(granted), str(wait)))

    async def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers (and its Retry-After on a 429)."""
        seen = _Observation.read(status, headers)
        if seen is None:
            return
        if seen.urgent:
            await self._share(seen)
            return
        self._unshared = seen if self._unshared is None else self._unshared.merged(seen)
        if self._flush is None:
            self._flush = self._state.spawn(self._share_soon())

    async def _share_soon(self) -> None:
        await asyncio.sleep(OBSERVE_EVERY)
        self._flush = None
        unshared, self._unshared = self._unshared, None
        if unshared is None:
            return  # a reservation took it along
        try:
            await self._share(unshared)
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            # This instance's own budget has it (FallbackBudget observes both); the others
            # learn from their own responses.
            logger.debug("a rate-limit observation was not shared: %s", type(exc).__name__)

    async def _share(self, seen: _Observation) -> None:
        await self._state.scripts["observe"](
            keys=[self._sends, self._meta],
            args=[WINDOW, self._per_minute, LONGEST_WAIT, *seen.args()],
        )


class RedisState:
    """Cache, coalescing, budgets and dedupe in Redis, shared by every instance."""

    name = "redis"

    def __init__(self, client: aioredis.Redis, *, lock_ttl: float = 10.0) -> None:
        self.client = client
        self._lock_ttl_ms = math.ceil(lock_ttl * 1000)
        self._pending: dict[str, asyncio.Task[str]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.scripts: dict[str, Any] = {
            name: client.register_script(source)
            for name, source in {
                "put": _PUT,
                "evict": _EVICT,
                "lead": _LEAD,
                "unlock": _UNLOCK,
                "hand_over": _HAND_OVER,
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

    async def coalesce(
        self, key: str, load: Load, *, wait: float, cached: str | None = None
    ) -> str:
        """One `load` at a time for `key` across every instance; the others get its result
        (or the value cached under `cached`: the same script looks there first).

        In this process the callers share one task, so only one of them talks to Redis.
        """
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._lead_or_follow(key, load, wait, cached))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(task)

    async def _lead_or_follow(self, key: str, load: Load, wait: float, cached: str | None) -> str:
        lock = key + ":lock"
        deadline = time.monotonic() + wait
        while True:
            token = uuid.uuid4().hex
            leading, leader = await self.scripts["lead"](
                keys=[lock] if cached is None else [lock, cached], args=[token, self._lock_ttl_ms]
            )
            if int(leading) == 2:
                return str(leader)  # the cached value
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
        await self.scripts["hand_over"](
            keys=[lock, f"{key}:result:{token}"],
            args=[token, result, math.ceil(HANDOFF_TTL * 1000)],
        )
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

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` in the background, until it ends or aclose() cancels it."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def aclose(self) -> None:
        """Stop the background work, then close the client and its pool."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.client.aclose(close_connection_pool=True)


def _or_blank(value: float | None) -> float | str:
    """A script argument: the number, or '' for "not known"."""
    return "" if value is None else value


def _lowest(a: int | None, b: int | None) -> int | None:
    """The lower of two counts, either of which may be unknown."""
    return b if a is None else a if b is None else min(a, b)
