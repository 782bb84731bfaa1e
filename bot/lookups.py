"""Lookups: from an id or a link to a candidate, calling the ATS as little as possible.

- Coalescing: concurrent lookups of the same key share one request to the source (across
  every instance when the state is in Redis).
- Cache: results live for a short, settable time. It keeps only what the policy could ever
  show (`policy.retained`), as JSON: a private candidate only as the fact that it is
  private, and no email address of a candidate who may not be emailed.
- `fresh=True` bypasses both, for anything that must re-check privacy (the share button);
  its result then refreshes the cache, so a candidate who became private is private for all.

Both live in a `SharedState` (bot/state/): this process's memory by default, Redis with
REDIS_URL. Errors are not cached: a failed lookup is retried by the next person who asks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.ats import outcomes
from bot.ats.errors import AmbiguousRemoteId, LookupFailure, NotFound
from bot.ats.models import Candidate
from bot.core.links import KeyKind
from bot.core.policy import is_private, retained
from bot.state.base import SharedState
from bot.state.keys import Keys
from bot.state.memory import MemoryState

LOCAL_KEYS = Keys(prefix="local", tenant="local")
"""Key names for a single connector in this process (tests, preview)."""


class CandidateSource(Protocol):
    """Where candidates come from: the Bindbee client, or the bundled demo data."""

    async def get_candidate(self, candidate_id: str) -> Candidate:
        """One candidate by Bindbee id, or raise a LookupFailure."""
        ...

    async def find_by_remote_id(self, remote_id: str) -> list[Candidate]:
        """Every candidate whose ATS id is `remote_id` (usually zero or one)."""
        ...


@dataclass(frozen=True)
class LookupKey:
    """What the user gave us: a Bindbee id, or the ATS's own id taken from a link."""

    kind: KeyKind
    value: str


class Lookups:
    """Coalesced, cached candidate lookups against one source (one connector)."""

    def __init__(
        self,
        source: CandidateSource,
        *,
        ttl: float = 60.0,
        max_entries: int = 1000,
        strict: bool = False,
        clock: Callable[[], float] = time.monotonic,
        state: SharedState | None = None,
        keys: Keys = LOCAL_KEYS,
        wait: float = 10.0,
    ) -> None:
        self._source = source
        self._ttl = ttl
        self._strict = strict
        self._state = state or MemoryState(max_entries=max_entries, clock=clock)
        self._keys = keys
        self._wait = wait  # how long to wait on another instance's request for the same key

    async def fetch(self, key: LookupKey, *, fresh: bool = False) -> Candidate:
        """The candidate for `key`, or raise a LookupFailure."""
        if fresh:
            return await self._load(key)
        cached = await self._state.get(self._keys.cache(key.kind, key.value))
        if cached is not None:
            return _candidate(outcomes.decode(cached))
        loaded: list[Candidate] = []  # what the source said, when this call is the one asking
        shared = await self._state.coalesce(
            self._keys.lookup(key.kind, key.value),
            lambda: self._load_shared(key, loaded),
            wait=self._wait,
        )
        # The others get what the policy lets a cache keep: the same cards, fewer fields
        # (preview, which explains what the policy hid, needs the source's own answer).
        return loaded[0] if loaded else _candidate(outcomes.decode(shared))

    async def fetch_many(
        self, keys: Sequence[LookupKey], *, fresh: bool = False
    ) -> list[Candidate | LookupFailure]:
        """Fetch several keys at the same time; each result is a candidate or its error."""

        async def one(key: LookupKey) -> Candidate | LookupFailure:
            try:
                return await self.fetch(key, fresh=fresh)
            except LookupFailure as error:
                return error

        return list(await asyncio.gather(*(one(key) for key in keys)))

    async def aclose(self) -> None:
        """Close the source, if it holds connections."""
        close = getattr(self._source, "aclose", None)
        if close is not None:
            await close()

    def cached_entries(self) -> dict[LookupKey, Candidate]:
        """What an in-process cache holds right now (for tests and diagnostics)."""
        if not isinstance(self._state, MemoryState):
            raise TypeError("only an in-process cache can be listed")
        prefix = self._keys.cache("", "")[:-2]  # "<prefix>:<tenant>:cache"
        found = {}
        for name, value in self._state.entries().items():
            kind, _, id_value = name.removeprefix(prefix + ":").partition(":")
            if name.startswith(prefix) and kind in ("id", "remote_id"):
                found[LookupKey(kind, id_value)] = _candidate(outcomes.decode(value))  # type: ignore[arg-type]
        return found

    async def _load_shared(self, key: LookupKey, loaded: list[Candidate]) -> str:
        """Load `key` and encode the outcome, an error included, for whoever waits on it."""
        try:
            candidate = await self._load(key)
            loaded.append(candidate)
            return outcomes.encode(retained(candidate, strict=self._strict))
        except LookupFailure as error:
            return outcomes.encode(error)

    async def _load(self, key: LookupKey) -> Candidate:
        candidate = await self._from_source(key)
        kept = retained(candidate, strict=self._strict)
        if is_private(candidate, strict=self._strict):
            candidate = kept  # nothing of a private candidate goes any further
            # older entries under other keys may predate the change, here or on other instances
            await self._state.evict(self._keys.candidate(kept.id))
        await self._store(key, kept)
        await self._store(LookupKey("id", kept.id), kept)
        return candidate

    async def _from_source(self, key: LookupKey) -> Candidate:
        if key.kind == "id":
            return await self._source.get_candidate(key.value)
        matches = await self._source.find_by_remote_id(key.value)
        if not matches:
            raise NotFound("no candidate has this ATS id")
        if len({match.id for match in matches}) > 1:
            raise AmbiguousRemoteId("several candidates have this ATS id")
        return matches[0]

    async def _store(self, key: LookupKey, candidate: Candidate) -> None:
        await self._state.put(
            self._keys.cache(key.kind, key.value),
            outcomes.encode(candidate),
            ttl=self._ttl,
            group=self._keys.candidate(candidate.id),
            version=candidate.modified_at.timestamp(),
        )


def _candidate(outcome: outcomes.Outcome) -> Candidate:
    """The candidate, or raise the error it stands for."""
    if isinstance(outcome, LookupFailure):
        raise outcome
    return outcome
