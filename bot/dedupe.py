"""Doing a thing once: "have we seen this key lately?", bounded in memory and in time.

Slack may deliver one event more than once (its retries carry the same `event_id`), and a
button can be pressed twice or its request replayed. Each of those is answered once by
asking a `Dedupe` first.

The protocol is async and asks one atomic question, so that the shared state answers it in
this process or in Redis alike: there `first` is one `SET key 1 NX PX ttl`
(https://redis.io/docs/latest/commands/set/) and `forget` a `DEL`. Keys name the connector
(a keyed hash of it, never the token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.state import SharedState


class Dedupe(Protocol):
    """Remembers keys for a while, and says whether one is new."""

    async def first(self, key: str) -> bool:
        """True the first time `key` is seen within the time kept; False for a repeat."""
        ...

    async def forget(self, key: str) -> None:
        """Forget `key`, so that it counts as new again (the thing was not done after all)."""
        ...


@dataclass(frozen=True)
class StateDedupe:
    """A `Dedupe` on the shared state: in this process, or in Redis for every instance.

    `key_of` turns a caller's key into one that names the connector (`Keys.event`,
    `Keys.share`); each is remembered `ttl` seconds.
    """

    state: SharedState
    key_of: Callable[[str], str]
    ttl: float

    async def first(self, key: str) -> bool:
        """True the first time `key` is seen within `ttl` seconds; False for a repeat."""
        return await self.state.first_time(self.key_of(key), ttl=self.ttl)

    async def forget(self, key: str) -> None:
        """Forget `key`, so that it counts as new again."""
        await self.state.forget(self.key_of(key))
