"""The protocol every shared-state backend follows: cache, coalescing, budget, dedupe.

Two backends pass the same tests (tests/state/): `memory` (one process, the default) and
`redis` (several instances, REDIS_URL). `fallback` puts Redis first and memory behind it.
Values are JSON strings chosen by the caller; keys come from `bot.state.keys.Keys`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.state.keys import Keys

Load = Callable[[], Coroutine[Any, Any, str]]


class Budget(Protocol):
    """A connector's rate budget (see bot/ats/budget.py for what it keeps and why)."""

    async def reserve(self, max_wait: float, *, user: str | None = None) -> float:
        """Book one send: the seconds to wait first (0 = now), or raise RateLimited."""
        ...

    async def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers (and its Retry-After on a 429)."""
        ...


@dataclass(frozen=True)
class Health:
    """What the backend says about itself: `ok`, or `degraded` with a reason."""

    status: str
    detail: str = ""

    @property
    def degraded(self) -> bool:
        """True when shared state is not shared right now."""
        return self.status != "ok"


class SharedState(Protocol):
    """Cache, coalescing, rate budget and dedupe, in one process or shared by several."""

    name: str

    async def get(self, key: str) -> str | None:
        """The cached value under `key`, or None."""
        ...

    async def put(
        self, key: str, value: str, *, ttl: float, group: str, version: float | None = None
    ) -> bool:
        """Cache `value` for `ttl` seconds as part of `group`; False when a newer one stays.

        A value whose `version` is lower than the cached one's does not replace it.
        """
        ...

    async def evict(self, group: str) -> None:
        """Drop every cached value of `group` (every key that holds one candidate)."""
        ...

    async def coalesce(
        self, key: str, load: Load, *, wait: float, cached: str | None = None
    ) -> str:
        """Run `load` once for everyone asking for `key` at the same time; all get its result.

        Waiters give up on someone else's load after `wait` seconds and load it themselves.
        With `cached` (a cache key), its value, when there is one, is the result instead: no
        load, and in Redis no second round trip to look first.
        """
        ...

    async def first_time(self, key: str, *, ttl: float) -> bool:
        """True the first time `key` is seen within `ttl` seconds (set-if-absent)."""
        ...

    async def forget(self, key: str) -> None:
        """Forget a key `first_time` saw, so that it counts as new again."""
        ...

    def budget(self, keys: Keys, *, per_minute: int, user_share: float | None = None) -> Budget:
        """The rate budget of the connector `keys` belong to."""
        ...

    async def check(self) -> Health:
        """Whether the backend answers now (it may ask the server)."""
        ...

    async def aclose(self) -> None:
        """Close connections, if any."""
        ...
