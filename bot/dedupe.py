"""Doing a thing once: "have we seen this key lately?", bounded in memory and in time.

Slack may deliver one event more than once (its retries carry the same `event_id`), and a
button can be pressed twice or its request replayed. Each of those is answered once by
asking a `Dedupe` first.

The protocol is async and asks one atomic question, so that a shared backend can take the
place of `MemoryDedupe` without changing a caller: in Redis, `first` is one
`SET key 1 NX EX ttl` (https://redis.io/docs/latest/commands/set/) and `forget` a `DEL`.
A shared backend must also put the connector (a keyed hash of it, never the token) into
its keys.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class Dedupe(Protocol):
    """Remembers keys for a while, and says whether one is new."""

    async def first(self, key: str) -> bool:
        """True the first time `key` is seen within the time kept; False for a repeat."""
        ...

    async def forget(self, key: str) -> None:
        """Forget `key`, so that it counts as new again (the thing was not done after all)."""
        ...


class MemoryDedupe:
    """A `Dedupe` in this process: at most `max_entries` keys, each kept `ttl` seconds.

    When more than `max_entries` keys arrive within `ttl`, the oldest are forgotten first,
    so memory stays bounded even under a flood (a repeat of a forgotten key is then let
    through again).
    """

    def __init__(
        self, *, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl <= 0 or max_entries < 1:
            raise ValueError("ttl must be positive and max_entries at least 1")
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._expiries: OrderedDict[str, float] = OrderedDict()  # oldest first

    async def first(self, key: str) -> bool:
        """True the first time `key` is seen within `ttl` seconds; False for a repeat."""
        now = self._clock()
        self._forget_expired(now)
        if key in self._expiries:
            return False
        self._expiries[key] = now + self._ttl
        while len(self._expiries) > self._max_entries:
            self._expiries.popitem(last=False)
        return True

    async def forget(self, key: str) -> None:
        """Forget `key`, so that it counts as new again."""
        self._expiries.pop(key, None)

    def __len__(self) -> int:
        return len(self._expiries)

    def _forget_expired(self, now: float) -> None:
        # Every key gets the same ttl, so insertion order is expiry order.
        while self._expiries:
            key, expires = next(iter(self._expiries.items()))
            if expires > now:
                return
            del self._expiries[key]
