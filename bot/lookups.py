"""Lookups: from an id, a link, an email or a name to candidates, calling the ATS as little
as possible.

- Coalescing: concurrent lookups of the same key share one request to the source (across
  every instance when the state is in Redis).
- Cache: results live for a short, settable time. It keeps only what the policy could ever
  show (`policy.retained`), as JSON: a private candidate only as the fact that it is
  private, and no email address of a candidate who may not be emailed.
- Fresh reads: `fetch(key, not_before=t)` answers from a read of the source that started
  at `t` or later (`t` from `time.monotonic()`); `fresh=True` means "from now". It never
  uses the cache, and shares only a fresh read of this process that started late enough.
  What a channel sees (a share, an unfurl) is decided this way, so a candidate who turned
  private is private there at once; only the requester's own card may come from the cache.
- The cache never goes back in time: an answer with an older `modified_at` never replaces
  a newer one (the state's versions), and in this process an answer never replaces one
  from a read that started later. A fresh "private" or "not found" removes every entry of
  that candidate, under every key (its Bindbee id and its ATS id), and reads that started
  before it cannot put them back.
- Pipeline: with a `pipeline` source, a candidate comes with its applications. For a lookup
  by id they are fetched at the same time as the candidate; by a link's ATS id, once the
  candidate is known. Their jobs, stages and reject reasons, when Bindbee sends only ids, are
  resolved through `References` (cached longer, and coalesced too).

Both live in a `SharedState` (bot/state/): this process's memory by default, Redis with
REDIS_URL. Jobs, stages and reject reasons stay in this process's memory.

Errors are not cached: a failed lookup is retried by the next person who asks, and neither is
a candidate whose applications could not be read.

Searches (by email or name, bot/core/search.py) read at most two pages: one sized to fit
MAX_ROWS public matches, and the next only when the first left fewer than that and the
lookup deadline still has time. Private matches are dropped before anything is counted.
Concurrent identical searches share one request (in this process). Search results are not
cached: a list would have to be forgotten, on every instance, the moment any one of its
candidates turns private, and the card behind each row is fetched fresh anyway.

Privacy of the pipeline: nothing of a private candidate's pipeline is fetched once the
candidate is known to be private, and applications fetched at the same time are dropped
unread: never parsed, cached or logged.

The lookup deadline bounds the whole answer. Applications that fail or come too late leave
the candidate without them, with a note saying so (`Pipeline.problem`); the card still goes out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from bot.ats import outcomes
from bot.ats.errors import AmbiguousRemoteId, LookupFailure, NotFound
from bot.ats.models import Candidate, CandidatePage, Pipeline, parse_applications
from bot.core.links import KeyKind
from bot.core.policy import is_private, retained
from bot.core.search import MAX_ROWS, PAGE_SIZE, SearchKey, SearchResult, matches
from bot.references import References, ReferenceSource, failure_seen
from bot.state.base import SharedState
from bot.state.keys import Keys
from bot.state.memory import MemoryState

LOCAL_KEYS = Keys(prefix="local", tenant="local")
"""Key names for a single connector in this process (tests, preview)."""
_log = logging.getLogger("bot.lookups")


class CandidateSource(Protocol):
    """Where candidates come from: the Bindbee client, or the bundled demo data."""

    async def get_candidate(self, candidate_id: str) -> Candidate:
        """One candidate by Bindbee id, or raise a LookupFailure."""
        ...

    async def find_by_remote_id(self, remote_id: str) -> list[Candidate]:
        """Every candidate whose ATS id is `remote_id` (usually zero or one)."""
        ...

    async def list_candidates(
        self, filters: Mapping[str, str], *, page_size: int, cursor: str | None = None
    ) -> CandidatePage:
        """One page of the candidates that Bindbee's list `filters` select."""
        ...


class PipelineSource(ReferenceSource, Protocol):
    """Where applications come from, with their jobs, stages and reject reasons."""

    async def fetch_applications(self, candidate_id: str) -> object:
        """One page of the candidate's applications, as decoded JSON, not yet read."""
        ...


@dataclass(frozen=True)
class LookupKey:
    """What the user gave us: a Bindbee id, or the ATS's own id taken from a link."""

    kind: KeyKind
    value: str


@dataclass(frozen=True)
class _Read:
    """A fresh read of the source in flight, and when it started (time.monotonic())."""

    started: float
    task: asyncio.Task[Candidate] = field(compare=False)


class Lookups:
    """Coalesced, cached candidate lookups against one source (one connector)."""

    def __init__(
        self,
        source: CandidateSource,
        *,
        ttl: float = 60.0,
        max_entries: int = 1000,
        max_bytes: int = 20_000_000,
        strict: bool = False,
        clock: Callable[[], float] = time.monotonic,
        state: SharedState | None = None,
        keys: Keys = LOCAL_KEYS,
        wait: float = 10.0,
        pipeline: PipelineSource | None = None,
        reference_ttl: float = 600.0,
        deadline: float = 8.0,
    ) -> None:
        self._source = source
        self._pipeline = pipeline
        self.references = None if pipeline is None else References(pipeline, ttl=reference_ttl)
        self._deadline = deadline  # for a whole lookup (pipeline) or search (second page)
        self._ttl = ttl
        self._strict = strict
        self._state = state or MemoryState(
            max_entries=max_entries, max_bytes=max_bytes, clock=clock
        )
        self._keys = keys
        self._wait = wait  # how long to wait on another instance's request for the same key
        self._searching: dict[SearchKey, asyncio.Task[SearchResult]] = {}
        self._fresh: dict[LookupKey, _Read] = {}  # the latest fresh read of each key
        self._reading: dict[object, float] = {}  # the start of every read in flight
        # The start of the latest read whose answer is in, by key and by candidate id: an
        # answer from an earlier read must not replace it (nor undo a removal).
        self._latest: dict[LookupKey, float] = {}

    async def fetch(
        self, key: LookupKey, *, fresh: bool = False, not_before: float | None = None
    ) -> Candidate:
        """The candidate for `key`, or raise a LookupFailure.

        With `not_before` (a time.monotonic() reading; `fresh` means now), the answer comes
        from a read of the source that started at that time or later, never from the cache."""
        if fresh or not_before is not None:
            return await self._fresh_read(key, time.monotonic() if fresh else not_before)
        loaded: list[Candidate] = []  # what the source said, when this call is the one asking
        shared = await self._state.coalesce(
            self._keys.lookup(key.kind, key.value),
            lambda: self._load_shared(key, loaded),
            wait=self._wait,
            cached=self._keys.cache(key.kind, key.value),  # the cache's answer, when it has one
        )
        # The others get what the policy lets a cache keep: the same cards, fewer fields
        # (preview, which explains what the policy hid, needs the source's own answer).
        return loaded[0] if loaded else _candidate(outcomes.decode(shared))

    async def fetch_many(
        self, keys: Sequence[LookupKey], *, fresh: bool = False, not_before: float | None = None
    ) -> list[Candidate | LookupFailure]:
        """Fetch several keys at the same time; each result is a candidate or its error."""

        async def one(key: LookupKey) -> Candidate | LookupFailure:
            try:
                return await self.fetch(key, fresh=fresh, not_before=not_before)
            except LookupFailure as error:
                return error

        if len(keys) == 1:  # the usual case: no task to gather
            return [await one(keys[0])]
        return list(await asyncio.gather(*(one(key) for key in keys)))

    async def search(self, key: SearchKey) -> SearchResult:
        """The public candidates that match `key`, or raise a LookupFailure."""
        task = self._searching.get(key)
        if task is None:
            task = asyncio.create_task(self._search(key))
            self._searching[key] = task
            task.add_done_callback(lambda _: self._searching.pop(key, None))
        # shield: one caller giving up must not cancel the search the others wait on
        return await asyncio.shield(task)

    async def search_many(self, keys: Sequence[SearchKey]) -> list[SearchResult | LookupFailure]:
        """Run several searches at the same time; each result is a SearchResult or its error."""

        async def one(key: SearchKey) -> SearchResult | LookupFailure:
            try:
                return await self.search(key)
            except LookupFailure as error:
                return error

        return list(await asyncio.gather(*(one(key) for key in keys)))

    async def aclose(self) -> None:
        """Close the sources, if they hold connections."""
        if self.references is not None:
            self.references.cancel_pending()
        sources = {id(s): s for s in (self._source, self._pipeline) if s is not None}
        for source in sources.values():
            close = getattr(source, "aclose", None)
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

    @property
    def cached_bytes(self) -> int:
        """The size of what an in-process cache holds (for tests and diagnostics)."""
        if not isinstance(self._state, MemoryState):
            raise TypeError("only an in-process cache can be measured")
        return self._state.size

    async def _fresh_read(self, key: LookupKey, not_before: float | None) -> Candidate:
        """A fresh read in flight here that started late enough, or a new one."""
        read = self._fresh.get(key)
        if read is None or (not_before is not None and read.started < not_before):
            read = _Read(time.monotonic(), asyncio.create_task(self._read_candidate(key)))
            self._fresh[key] = read
            read.task.add_done_callback(lambda _: self._fresh_done(key, read))
        # shield: one caller giving up must not cancel the read the others wait on
        return await asyncio.shield(read.task)

    def _fresh_done(self, key: LookupKey, read: _Read) -> None:
        if self._fresh.get(key) is read:
            del self._fresh[key]

    async def _read_candidate(self, key: LookupKey) -> Candidate:
        return (await self._load(key)).candidate

    async def _load_shared(self, key: LookupKey, loaded: list[Candidate]) -> str:
        """Load `key` and encode the outcome, an error included, for whoever waits on it."""
        try:
            candidate, shared = await self._load(key)
        except LookupFailure as error:
            return outcomes.encode(error)
        loaded.append(candidate)
        return shared

    async def _load(self, key: LookupKey) -> _Loaded:
        started = time.monotonic()
        token = object()
        self._reading[token] = started
        try:
            return await self._apply(key, started)
        finally:
            del self._reading[token]
            self._forget_guards()

    async def _apply(self, key: LookupKey, started: float) -> _Loaded:
        """Read `key` from the source and bring the cache up to date with the answer."""
        ends_at = asyncio.get_running_loop().time() + self._deadline
        early = self._fetch_applications(key.value) if key.kind == "id" else None
        try:
            candidate = await self._from_source(key)
        except NotFound:
            _drop(early)
            await self._remove(key, started)
            raise
        except BaseException:
            _drop(early)
            raise
        private = is_private(candidate, strict=self._strict)
        if private or candidate.id != key.value:
            # Private: fetched at the same time, dropped unread. Another spelling of the id
            # (the candidate's own is asked for again, below).
            _drop(early)
            early = None
        if not private:
            candidate = await self._with_pipeline(candidate, early, ends_at)
        kept = retained(candidate, strict=self._strict)
        # Encoded once: for the cache, and for whoever waits on this read (here or elsewhere).
        loaded = _Loaded(kept if private else candidate, outcomes.encode(kept))
        if private:
            # older entries under other keys may predate the change, here or on other instances
            await self._remove(key, started, kept.id)
        by_id = LookupKey("id", kept.id)
        if any(self._latest.get(k, started) > started for k in (key, by_id)):
            return loaded  # a read that started later has answered already: keep that
        pipeline = loaded.candidate.pipeline
        if pipeline is not None and pipeline.problem is not None:
            return loaded  # not cached: the next card asks again, and may get the pipeline
        for cache_key in dict.fromkeys((key, by_id)):  # one entry when the key is the id
            await self._store(cache_key, kept, loaded.shared)
        self._mark((key, by_id), started)
        return loaded

    async def _remove(self, key: LookupKey, started: float, candidate_id: str = "") -> None:
        """Drop every entry of the candidate(s) behind `key`, under every key."""
        ids = {candidate_id} - {""}
        if key.kind == "id":
            ids.add(key.value)
        else:  # whoever the ATS id named until now
            cached = await self._state.get(self._keys.cache(key.kind, key.value))
            known = outcomes.decode(cached) if cached is not None else None
            if isinstance(known, Candidate):
                ids.add(known.id)
        for candidate in ids:
            await self._state.evict(self._keys.candidate(candidate))
        self._mark((key, *(LookupKey("id", candidate) for candidate in ids)), started)

    def _mark(self, keys: Sequence[LookupKey], started: float) -> None:
        for key in keys:
            self._latest[key] = max(started, self._latest.get(key, started))

    def _forget_guards(self) -> None:
        """A guard only matters to reads that started before it and are still in flight."""
        oldest = min(self._reading.values(), default=None)
        for key, started in list(self._latest.items()):
            if oldest is None or started <= oldest:
                del self._latest[key]

    async def _search(self, key: SearchKey) -> SearchResult:
        found, more_pages = await self._read_matches(key)
        public: list[Candidate] = []
        for candidate in found:
            if is_private(candidate, strict=self._strict):
                # cached under an id before it turned private, here or on other instances
                await self._state.evict(self._keys.candidate(candidate.id))
            else:
                public.append(candidate)
        return SearchResult(
            shown=tuple(retained(c, strict=self._strict) for c in public[:MAX_ROWS]),
            ids=tuple(candidate.id for candidate in public),
            maybe_more=more_pages and len(public) == len(found),
        )

    async def _read_matches(self, key: SearchKey) -> tuple[list[Candidate], bool]:
        """The candidates that really match (private ones too), and whether Bindbee had
        more pages than were read."""
        deadline = asyncio.get_running_loop().time() + self._deadline
        filter_sets = key.filter_sets()
        if len(filter_sets) > 1:
            # One request per filter set, side by side, and no second pages: still two in all.
            answers = await asyncio.gather(
                *(self._source.list_candidates(f, page_size=PAGE_SIZE) for f in filter_sets),
                return_exceptions=True,
            )
            found: list[Candidate] = []
            for filters, page in zip(filter_sets, answers, strict=True):
                if isinstance(page, BaseException):
                    raise page
                found += [candidate for candidate in page.items if matches(candidate, filters)]
            more_pages = any(isinstance(p, CandidatePage) and p.cursor for p in answers)
            return _unique(found), more_pages
        [filters] = filter_sets
        first = await self._source.list_candidates(filters, page_size=PAGE_SIZE)
        found = _unique([candidate for candidate in first.items if matches(candidate, filters)])
        public = sum(not is_private(candidate, strict=self._strict) for candidate in found)
        if first.cursor is None or public > MAX_ROWS:
            return found, first.cursor is not None
        try:
            async with asyncio.timeout_at(deadline):
                second = await self._source.list_candidates(
                    filters, page_size=PAGE_SIZE, cursor=first.cursor
                )
        except (LookupFailure, TimeoutError):
            return found, True  # the first page still answers
        found += [candidate for candidate in second.items if matches(candidate, filters)]
        return _unique(found), second.cursor is not None

    def _fetch_applications(self, candidate_id: str) -> asyncio.Task[object] | None:
        if self._pipeline is None:
            return None
        return asyncio.create_task(self._pipeline.fetch_applications(candidate_id))

    async def _with_pipeline(
        self, candidate: Candidate, early: asyncio.Task[object] | None, ends_at: float
    ) -> Candidate:
        """The candidate with its applications, or with a note on why they are missing."""
        if self._pipeline is None or self.references is None:
            return candidate
        try:
            async with asyncio.timeout_at(ends_at):
                if early is not None:
                    body = await early
                else:
                    body = await self._pipeline.fetch_applications(candidate.id)
                applications, more_pages = parse_applications(body, candidate.id)
        except TimeoutError:
            return _without_pipeline(candidate, "timeout")
        except LookupFailure as error:
            return _without_pipeline(candidate, error.kind)
        gaps = True
        try:
            async with asyncio.timeout_at(ends_at):
                applications, gaps = await self.references.resolve(applications)
        except TimeoutError:
            pass  # the applications as read, with ids where the jobs and stages would be
        pipeline = Pipeline(applications=applications, more_pages=more_pages, gaps=gaps)
        return candidate.model_copy(update={"pipeline": pipeline})

    async def _from_source(self, key: LookupKey) -> Candidate:
        if key.kind == "id":
            return await self._source.get_candidate(key.value)
        matches = await self._source.find_by_remote_id(key.value)
        if not matches:
            raise NotFound("no candidate has this ATS id")
        if len({match.id for match in matches}) > 1:
            raise AmbiguousRemoteId("several candidates have this ATS id")
        return matches[0]

    async def _store(self, key: LookupKey, candidate: Candidate, encoded: str) -> None:
        await self._state.put(
            self._keys.cache(key.kind, key.value),
            encoded,
            ttl=self._ttl,
            group=self._keys.candidate(candidate.id),
            version=candidate.modified_at.timestamp(),
        )


class _Loaded(NamedTuple):
    """A read's candidate (a private one as retained), and what a cache may keep, encoded."""

    candidate: Candidate
    shared: str


def _candidate(outcome: outcomes.Outcome) -> Candidate:
    """The candidate, or raise the error it stands for."""
    if isinstance(outcome, LookupFailure):
        raise outcome
    return outcome


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates in order, each id once (two filter sets may find the same person)."""
    first: dict[str, Candidate] = {}
    for candidate in candidates:
        first.setdefault(candidate.id, candidate)
    return list(first.values())


def _without_pipeline(candidate: Candidate, problem: str) -> Candidate:
    _log.warning("applications of candidate=%s not read: %s", candidate.id, problem)
    return candidate.model_copy(update={"pipeline": Pipeline.unreadable(problem)})


def _drop(task: asyncio.Task[object] | None) -> None:
    """Cancel a fetch whose answer must not be read; only its failure is marked as seen."""
    if task is not None:
        task.cancel()
        task.add_done_callback(failure_seen)
