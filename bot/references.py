"""Jobs, interview stages and reject reasons: cached for longer, and fetched in batches.

These change rarely and many candidates share them, so they are kept for
REFERENCE_CACHE_TTL seconds (10 minutes by default), much longer than a candidate. Like
candidates, concurrent requests for the same ids share one request to the ATS: a burst of
cards for candidates in the same job asks for that job once.

Only what the policy may show is kept: a confidential job is cached without its name
(`policy.redacted_job`).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from bot.ats.models import Application, Job, RejectReason, Stage
from bot.core.policy import redacted_job


class ReferenceSource(Protocol):
    """Where jobs, stages and reject reasons come from (the Bindbee client, or the demo data)."""

    async def get_jobs(self, ids: Sequence[str]) -> list[Job]:
        """The jobs with these ids; unknown ids are left out."""
        ...

    async def get_stages(self, ids: Sequence[str]) -> list[Stage]:
        """The job interview stages with these ids; unknown ids are left out."""
        ...

    async def get_reject_reasons(self, ids: Sequence[str]) -> list[RejectReason]:
        """The reject reasons with these ids; unknown ids are left out."""
        ...


class _Record(Protocol):
    @property
    def id(self) -> str | None: ...


_T = TypeVar("_T", bound=_Record)
Fetch = Callable[[list[str]], Awaitable[Sequence[_T]]]


class _Store(Generic[_T]):
    """One kind of reference: a TTL + LRU cache, with concurrent misses sharing one fetch."""

    def __init__(
        self,
        fetch: Fetch[_T],
        *,
        ttl: float,
        max_entries: int,
        clock: Callable[[], float],
        keep: Callable[[_T], _T] = lambda record: record,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._keep = keep
        self._cache: OrderedDict[str, tuple[float, _T]] = OrderedDict()
        self._pending: dict[str, asyncio.Task[dict[str, _T]]] = {}

    async def get_many(self, ids: Iterable[str]) -> dict[str, _T]:
        """The records for these ids that could be had; a failed fetch leaves its ids out."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, _T] = {}
        missing: list[str] = []
        for record_id in wanted:
            cached = self._cached(record_id)
            if cached is not None:
                found[record_id] = cached
            elif record_id not in self._pending:
                missing.append(record_id)
        if missing:
            task = asyncio.create_task(self._load(missing))
            task.add_done_callback(failure_seen)
            for record_id in missing:
                self._pending[record_id] = task
        waiting = {self._pending[i] for i in wanted if i not in found}
        if not waiting:  # all cached: no task to gather
            return found
        # shield: one card giving up (its deadline) must not cancel a fetch others wait on
        results = await asyncio.gather(
            *(asyncio.shield(task) for task in waiting), return_exceptions=True
        )
        for result in results:
            if isinstance(result, dict):
                found.update(result)
        return {record_id: found[record_id] for record_id in wanted if record_id in found}

    def cancel_pending(self) -> None:
        """Cancel the fetches in flight (at shutdown, when nobody will wait for them)."""
        for task in set(self._pending.values()):
            task.cancel()

    def cached_ids(self) -> set[str]:
        """The ids the cache holds right now (for tests)."""
        return set(self._cache)

    async def _load(self, ids: list[str]) -> dict[str, _T]:
        try:
            records = await self._fetch(ids)
        finally:
            for record_id in ids:
                self._pending.pop(record_id, None)
        loaded: dict[str, _T] = {}
        for record in records:
            if record.id is not None and record.id in ids:
                loaded[record.id] = self._keep(record)
                self._store(record.id, loaded[record.id])
        return loaded

    def _cached(self, record_id: str) -> _T | None:
        entry = self._cache.get(record_id)
        if entry is None:
            return None
        stored_at, record = entry
        if self._clock() - stored_at >= self._ttl:
            del self._cache[record_id]
            return None
        self._cache.move_to_end(record_id)
        return record

    def _store(self, record_id: str, record: _T) -> None:
        if self._ttl <= 0:
            return
        self._cache[record_id] = (self._clock(), record)
        self._cache.move_to_end(record_id)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)


def failure_seen(task: asyncio.Task[Any]) -> None:
    """Mark a task's failure as seen (a done callback), so asyncio does not log it as lost:
    its waiters may all have given up, or its answer may be one we must not read."""
    if not task.cancelled():
        task.exception()


class References:
    """Resolves the bare ids in applications into jobs, stages and reject reasons."""

    def __init__(
        self,
        source: ReferenceSource,
        *,
        ttl: float = 600.0,
        max_entries: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs = _Store[Job](
            source.get_jobs, ttl=ttl, max_entries=max_entries, clock=clock, keep=redacted_job
        )
        self.stages = _Store[Stage](
            source.get_stages, ttl=ttl, max_entries=max_entries, clock=clock
        )
        self.reasons = _Store[RejectReason](
            source.get_reject_reasons, ttl=ttl, max_entries=max_entries, clock=clock
        )

    def cancel_pending(self) -> None:
        """Cancel every fetch in flight: they may outlive the cards that started them."""
        for store in (self.jobs, self.stages, self.reasons):
            store.cancel_pending()

    async def resolve(
        self, applications: Sequence[Application]
    ) -> tuple[tuple[Application, ...], bool]:
        """The applications with their ids resolved where possible, and whether any was not."""
        wanted = [app.unresolved() for app in applications]
        if all(ref is None for refs in wanted for ref in refs):
            return tuple(applications), False  # `expand` was honoured: nothing to look up
        jobs, stages, reasons = await asyncio.gather(
            self.jobs.get_many(job for job, _, _ in wanted if job is not None),
            self.stages.get_many(stage for _, stage, _ in wanted if stage is not None),
            self.reasons.get_many(reason for _, _, reason in wanted if reason is not None),
        )
        resolved = tuple(app.with_references(jobs, stages, reasons) for app in applications)
        gaps = any(any(ref is not None for ref in app.unresolved()) for app in resolved)
        return resolved, gaps
