"""Lookups: from an id or a link to a candidate, calling the ATS as little as possible.

- Coalescing: concurrent lookups of the same key share one request to the source.
- Cache: results live for a short, settable time in a bounded LRU. It keeps only what the
  policy could ever show (`policy.retained`): a private candidate only as the fact that it
  is private, and no email address of a candidate who may not be emailed.
- `fresh=True` bypasses both, for anything that must re-check privacy (the share button);
  its result then refreshes the cache, so a candidate who became private is private for all.

Errors are not cached: a failed lookup is retried by the next person who asks.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.ats.errors import AmbiguousRemoteId, LookupFailure, NotFound
from bot.ats.models import Candidate
from bot.core.links import KeyKind
from bot.core.policy import is_private, retained


class CandidateSource(Protocol):
    """Where candidates come from: the Bindbee client, or the bundled demo data."""

    async def get_candidate(self, candidate_id: str) -> Candidate:
        """One candidate by Bindbee id, or raise an LookupFailure."""
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
    ) -> None:
        self._source = source
        self._ttl = ttl
        self._max_entries = max_entries
        self._strict = strict
        self._clock = clock
        self._cache: OrderedDict[LookupKey, tuple[float, Candidate]] = OrderedDict()
        self._pending: dict[LookupKey, asyncio.Task[Candidate]] = {}

    async def fetch(self, key: LookupKey, *, fresh: bool = False) -> Candidate:
        """The candidate for `key`, or raise an LookupFailure."""
        if fresh:
            return await self._load(key)
        cached = self._cached(key)
        if cached is not None:
            return cached
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._load(key))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        # shield: one caller giving up must not cancel the request the others wait on
        return await asyncio.shield(task)

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
        """What the cache holds right now (for tests and diagnostics)."""
        return {key: candidate for key, (_, candidate) in self._cache.items()}

    async def _load(self, key: LookupKey) -> Candidate:
        candidate = await self._from_source(key)
        kept = retained(candidate, strict=self._strict)
        if is_private(candidate, strict=self._strict):
            candidate = kept  # nothing of a private candidate goes any further
            self._forget(candidate.id)  # older entries under other keys may predate the change
        self._store(key, kept)
        self._store(LookupKey("id", kept.id), kept)
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

    def _cached(self, key: LookupKey) -> Candidate | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        stored_at, candidate = entry
        if self._clock() - stored_at >= self._ttl:
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return candidate

    def _forget(self, candidate_id: str) -> None:
        stale = [key for key, (_, cached) in self._cache.items() if cached.id == candidate_id]
        for key in stale:
            del self._cache[key]

    def _store(self, key: LookupKey, candidate: Candidate) -> None:
        if self._ttl <= 0:
            return
        self._cache[key] = (self._clock(), candidate)
        self._cache.move_to_end(key)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
