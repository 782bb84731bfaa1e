"""Shared state inside one process: the embedded default, and the fallback when Redis fails.

No lock is needed: asyncio runs one coroutine at a time and no method here awaits between
reading and writing, so each step is atomic.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.ats.budget import RateBudget
from bot.state.base import Health, Load
from bot.state.keys import Keys

MAX_SEEN = 10_000
"""Dedupe keys kept at most (oldest go first): Slack retries come within minutes."""


@dataclass
class _Entry:
    value: str
    expires_at: float
    group: str
    version: float | None


class MemoryBudget:
    """The in-process rate budget (bot/ats/budget.py) behind the async Budget protocol."""

    def __init__(self, local: RateBudget) -> None:
        self.local = local

    async def reserve(self, max_wait: float, *, user: str | None = None) -> float:
        """Book one send: the seconds to wait first (0 = now), or raise RateLimited."""
        return self.local.reserve(max_wait, user=user)

    async def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers."""
        self.local.observe(status, headers)


class MemoryState:
    """Cache (an LRU bounded in entries and in size), coalescing, budgets and dedupe here."""

    name = "memory"

    def __init__(
        self,
        *,
        max_entries: int = 1000,
        max_bytes: int = 20_000_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self.size = 0  # characters of the cached values (JSON, nearly all ASCII: ≈ bytes)
        self._clock = clock
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._groups: dict[str, set[str]] = {}
        self._pending: dict[str, asyncio.Task[str]] = {}
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._budgets: dict[str, MemoryBudget] = {}

    async def get(self, key: str) -> str | None:
        """The cached value under `key`, or None."""
        entry = self._live(key)
        if entry is None:
            return None
        self._cache.move_to_end(key)
        return entry.value

    async def put(
        self, key: str, value: str, *, ttl: float, group: str, version: float | None = None
    ) -> bool:
        """Cache `value` for `ttl` seconds, unless a newer version is cached."""
        if ttl <= 0:
            return False
        old = self._live(key)
        if old is not None and _newer(old.version, version):
            return False
        if old is not None:
            self._drop(key)
        if len(value) > self._max_bytes:
            return False  # bigger than the whole cache
        self._cache[key] = _Entry(value, self._clock() + ttl, group, version)
        self.size += len(value)
        self._groups.setdefault(group, set()).add(key)
        while len(self._cache) > self._max_entries or self.size > self._max_bytes:
            self._drop(next(iter(self._cache)))  # the least recently used
        return True

    async def evict(self, group: str) -> None:
        """Drop every cached value of `group`."""
        for key in list(self._groups.get(group, ())):
            self._drop(key)

    async def coalesce(
        self, key: str, load: Load, *, wait: float, cached: str | None = None
    ) -> str:
        """One `load` at a time for `key`; everyone asking meanwhile gets its result (or
        the value cached under `cached`, when there is one)."""
        if cached is not None and (value := await self.get(cached)) is not None:
            return value
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(load())
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        # shield: one caller giving up must not cancel the load the others wait on
        return await asyncio.shield(task)

    async def first_time(self, key: str, *, ttl: float) -> bool:
        """True the first time `key` is seen within `ttl` seconds."""
        now = self._clock()
        expires_at = self._seen.get(key)
        if expires_at is not None and expires_at > now:
            return False
        self._seen[key] = now + ttl
        self._seen.move_to_end(key)
        while len(self._seen) > MAX_SEEN:
            self._seen.popitem(last=False)
        return True

    async def forget(self, key: str) -> None:
        """Forget a key `first_time` saw."""
        self._seen.pop(key, None)

    def budget(
        self, keys: Keys, *, per_minute: int, user_share: float | None = None
    ) -> MemoryBudget:
        """This process's budget for the connector; the same object on every call."""
        budget = self._budgets.get(keys.budget())
        if budget is None:
            budget = self._budgets[keys.budget()] = MemoryBudget(
                RateBudget(per_minute, user_share=user_share or 1.0)
            )
        return budget

    async def check(self) -> Health:
        """Always ok: nothing here can stop answering."""
        return Health("ok")

    async def aclose(self) -> None:
        """Nothing to close."""

    def clear(self) -> None:
        """Drop every cached value (dedupe and budgets stay)."""
        self._cache.clear()
        self._groups.clear()
        self.size = 0

    def entries(self) -> dict[str, str]:
        """Every live cached value by key (for tests and diagnostics)."""
        return {key: entry.value for key in list(self._cache) if (entry := self._live(key))}

    def _live(self, key: str) -> _Entry | None:
        entry = self._cache.get(key)
        if entry is not None and entry.expires_at <= self._clock():
            self._drop(key)
            return None
        return entry

    def _drop(self, key: str) -> None:
        entry = self._cache.pop(key, None)
        if entry is not None:
            self.size -= len(entry.value)
            self._ungroup(key, entry.group)

    def _ungroup(self, key: str, group: str) -> None:
        members = self._groups.get(group)
        if members is not None:
            members.discard(key)
            if not members:
                del self._groups[group]


def _newer(cached: float | None, offered: float | None) -> bool:
    """Whether the cached version is strictly newer than the one offered."""
    return cached is not None and offered is not None and cached > offered
