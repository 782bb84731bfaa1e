"""Lookups: coalescing, the cache (lifetime, bound, privacy), and fresh re-checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from bot.ats.errors import AmbiguousRemoteId, NotFound, Unavailable
from bot.ats.models import Candidate, CandidatePage
from bot.core.search import SearchKey, SearchResult
from bot.lookups import LookupKey, Lookups

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def person(candidate_id: str = "c-1", **fields: object) -> Candidate:
    values: dict[str, object] = {
        "id": candidate_id,
        "modified_at": NOW,
        "remote_id": f"r-{candidate_id}",
        "first_name": "Maya",
        "last_name": "Patel",
        "title": "Staff Engineer",
        "email_addresses": ["maya@example.com"],
        "phone_numbers": ["+1 555 0100"],
    }
    values.update(fields)
    return Candidate.model_validate(values)


class CountingSource:
    """A CandidateSource that counts calls and can hold answers until released."""

    def __init__(self, *people: Candidate) -> None:
        self.people = {p.id: p for p in people}
        self.calls: list[str] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail_with: Exception | None = None
        self.slow_second_page = 0.0

    async def get_candidate(self, candidate_id: str) -> Candidate:
        self.calls.append(candidate_id)
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        if candidate_id not in self.people:
            raise NotFound()
        return self.people[candidate_id]

    async def find_by_remote_id(self, remote_id: str) -> list[Candidate]:
        self.calls.append(f"remote:{remote_id}")
        await self.release.wait()
        return [p for p in self.people.values() if p.remote_id == remote_id]

    async def list_candidates(
        self, filters: Mapping[str, str], *, page_size: int, cursor: str | None = None
    ) -> CandidatePage:
        self.calls.append(f"list:{sorted(filters.items())}:{cursor}")
        await self.release.wait()
        if cursor is not None and self.slow_second_page:
            await asyncio.sleep(self.slow_second_page)
        if self.fail_with is not None:
            raise self.fail_with
        found = [p for p in self.people.values() if _selects(p, filters)]
        start = int(cursor or 0)
        end = start + page_size
        return CandidatePage(tuple(found[start:end]), str(end) if end < len(found) else None)


def _selects(candidate: Candidate, filters: Mapping[str, str]) -> bool:
    for name, wanted in filters.items():
        values = (
            candidate.email_addresses if name == "email_addresses" else (getattr(candidate, name),)
        )
        if wanted.casefold() not in {(v or "").casefold() for v in values}:
            return False
    return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


ID = LookupKey("id", "c-1")


async def test_concurrent_lookups_of_one_key_share_one_request() -> None:
    source = CountingSource(person())
    source.release.clear()
    lookups = Lookups(source)
    waiting = [asyncio.create_task(lookups.fetch(ID)) for _ in range(200)]
    await asyncio.sleep(0)
    source.release.set()
    results = await asyncio.gather(*waiting)
    assert source.calls == ["c-1"]
    assert {r.first_name for r in results} == {"Maya"}


async def test_a_shared_failure_reaches_every_waiter_and_is_not_cached() -> None:
    source = CountingSource(person())
    source.release.clear()
    source.fail_with = Unavailable("down")
    lookups = Lookups(source)
    waiting = [asyncio.create_task(lookups.fetch(ID)) for _ in range(5)]
    await asyncio.sleep(0)
    source.release.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, Unavailable) for r in results)
    assert len(source.calls) == 1
    source.fail_with = None
    assert (await lookups.fetch(ID)).first_name == "Maya"
    assert len(source.calls) == 2


async def test_one_waiter_giving_up_does_not_cancel_the_others() -> None:
    source = CountingSource(person())
    source.release.clear()
    lookups = Lookups(source)
    impatient = asyncio.create_task(lookups.fetch(ID))
    patient = asyncio.create_task(lookups.fetch(ID))
    await asyncio.sleep(0)
    impatient.cancel()
    source.release.set()
    assert (await patient).first_name == "Maya"


async def test_cache_lives_for_its_ttl() -> None:
    clock = Clock()
    source = CountingSource(person())
    lookups = Lookups(source, ttl=60, clock=clock)
    await lookups.fetch(ID)
    clock.now += 59.9
    await lookups.fetch(ID)
    assert len(source.calls) == 1
    clock.now += 0.2
    await lookups.fetch(ID)
    assert len(source.calls) == 2


async def test_ttl_zero_turns_the_cache_off() -> None:
    source = CountingSource(person())
    lookups = Lookups(source, ttl=0)
    await lookups.fetch(ID)
    await lookups.fetch(ID)
    assert len(source.calls) == 2
    assert lookups.cached_entries() == {}


async def test_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    people = [person(f"c-{i}") for i in range(4)]
    source = CountingSource(*people)
    lookups = Lookups(source, max_entries=3)
    for i in range(3):
        await lookups.fetch(LookupKey("id", f"c-{i}"))
    await lookups.fetch(LookupKey("id", "c-0"))  # c-0 is now the most recent
    await lookups.fetch(LookupKey("id", "c-3"))  # evicts c-1
    assert {k.value for k in lookups.cached_entries()} == {"c-0", "c-2", "c-3"}


async def test_private_candidates_are_cached_only_as_the_fact() -> None:
    secret = person("c-9", is_private=True, first_name="Secretina")
    lookups = Lookups(CountingSource(secret))
    answer = await lookups.fetch(LookupKey("id", "c-9"))
    for cached in [answer, *lookups.cached_entries().values()]:
        assert cached.is_private is True
        dumped = cached.model_dump_json()
        for value in ("Secretina", "Patel", "Staff Engineer", "maya@example.com", "555", "r-c-9"):
            assert value not in dumped


async def test_the_cache_keeps_no_email_of_a_candidate_who_may_not_be_emailed() -> None:
    lookups = Lookups(CountingSource(person("c-7", can_email=False, title="maya@example.com")))
    await lookups.fetch(LookupKey("id", "c-7"))
    [cached] = lookups.cached_entries().values()
    assert cached.email_addresses == ()
    assert "maya@example.com" not in cached.model_dump_json()
    assert cached.phone_numbers == ("+1 555 0100",)  # the requester may still see these
    assert cached.raw_data is None


async def test_strict_mode_caches_unknown_privacy_as_private() -> None:
    unknown = person("c-8", is_private=None)
    lookups = Lookups(CountingSource(unknown), strict=True)
    assert (await lookups.fetch(LookupKey("id", "c-8"))).first_name is None


async def test_a_fresh_read_bypasses_the_cache_and_updates_it_for_everyone() -> None:
    source = CountingSource(person())
    lookups = Lookups(source)
    await lookups.fetch(ID)
    by_link = LookupKey("remote_id", "r-c-1")
    await lookups.fetch(by_link)
    source.people["c-1"] = person(is_private=True)
    assert (await lookups.fetch(ID, not_before=time.monotonic())).is_private is True
    assert len(source.calls) == 3
    # the entry under the link's key was forgotten, not left showing the old data
    assert by_link not in lookups.cached_entries()
    assert (await lookups.fetch(ID)).is_private is True
    assert len(source.calls) == 3


class GatedSource:
    """A CandidateSource whose every read answers with the data as it was when the read
    started, and only once the test opens that read's gate."""

    def __init__(self, *people: Candidate) -> None:
        self.people = {p.id: p for p in people}
        self.gates: list[asyncio.Event] = []

    async def get_candidate(self, candidate_id: str) -> Candidate:
        answer = self.people.get(candidate_id)  # read now, answered later
        gate = asyncio.Event()
        self.gates.append(gate)
        await gate.wait()
        if answer is None:
            raise NotFound()
        return answer

    async def find_by_remote_id(self, remote_id: str) -> list[Candidate]:
        answer = [p for p in self.people.values() if p.remote_id == remote_id]
        gate = asyncio.Event()
        self.gates.append(gate)
        await gate.wait()
        return answer

    async def list_candidates(
        self, filters: Mapping[str, str], *, page_size: int, cursor: str | None = None
    ) -> CandidatePage:
        raise AssertionError("these tests do not search")


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_fresh_read_shares_only_a_read_that_started_after_the_request() -> None:
    source = GatedSource(person())
    lookups = Lookups(source)
    early = asyncio.create_task(lookups.fetch(ID))  # a read starts before the request
    await settle()
    arrived = time.monotonic()
    source.people["c-1"] = person(is_private=True)  # …and the candidate turns private
    fresh = asyncio.create_task(lookups.fetch(ID, not_before=arrived))
    await settle()
    assert len(source.gates) == 2  # the early read was too early to share
    later = asyncio.create_task(lookups.fetch(ID, not_before=arrived))
    await settle()
    assert len(source.gates) == 2  # a read that started after `arrived` is shared
    for gate in source.gates:
        gate.set()
    assert (await early).is_private is None  # its caller asked before the change
    assert (await fresh).is_private is True
    assert (await later).is_private is True


async def test_an_older_read_that_ends_later_never_replaces_a_newer_answer() -> None:
    source = GatedSource(person())
    lookups = Lookups(source)
    old = asyncio.create_task(lookups.fetch(ID))
    await settle()
    source.people["c-1"] = person(is_private=True)
    new = asyncio.create_task(lookups.fetch(ID, not_before=time.monotonic()))
    await settle()
    old_gate, new_gate = source.gates
    new_gate.set()
    assert (await new).is_private is True
    old_gate.set()
    assert (await old).is_private is None  # its caller asked before the change
    assert lookups.cached_entries()[ID].is_private is True  # but the cache stays private
    assert (await lookups.fetch(ID)).is_private is True


async def test_a_later_modified_at_wins_whatever_the_order_of_reads() -> None:
    newer = person(title="Principal", modified_at=NOW + timedelta(hours=1))
    source = GatedSource(newer)
    lookups = Lookups(source)
    first = asyncio.create_task(lookups.fetch(ID))
    await settle()
    source.people["c-1"] = person(title="Staff")  # a replica behind: an older record
    second = asyncio.create_task(lookups.fetch(ID, not_before=time.monotonic()))
    await settle()
    source.gates[0].set()
    await first
    source.gates[1].set()
    await second
    assert lookups.cached_entries()[ID].title == "Principal"


async def test_a_fresh_not_found_removes_the_candidate_under_every_key() -> None:
    source = GatedSource(person())
    lookups = Lookups(source)
    by_link = LookupKey("remote_id", "r-c-1")
    for key in (ID, by_link):
        task = asyncio.create_task(lookups.fetch(key))
        await settle()
        source.gates[-1].set()
        await task
    assert set(lookups.cached_entries()) == {ID, by_link}
    stale = asyncio.create_task(lookups.fetch(by_link, not_before=time.monotonic()))
    await settle()
    del source.people["c-1"]  # deleted in the ATS
    gone = asyncio.create_task(lookups.fetch(ID, not_before=time.monotonic()))
    await settle()
    source.gates[-1].set()
    with pytest.raises(NotFound):
        await gone
    assert lookups.cached_entries() == {}
    source.gates[-2].set()  # the read that started before the 404 ends after it
    await stale
    assert lookups.cached_entries() == {}  # and does not bring the candidate back


async def test_a_not_found_by_ats_id_removes_the_entry_under_the_bindbee_id_too() -> None:
    source = CountingSource(person())
    lookups = Lookups(source)
    await lookups.fetch(LookupKey("remote_id", "r-c-1"))  # cached under both keys
    assert len(lookups.cached_entries()) == 2
    del source.people["c-1"]
    with pytest.raises(NotFound):
        await lookups.fetch(LookupKey("remote_id", "r-c-1"), not_before=time.monotonic())
    assert lookups.cached_entries() == {}


async def test_the_cache_is_bounded_in_bytes() -> None:
    people = [person(f"c-{i}", tags=["x" * 900] * 3) for i in range(10)]
    lookups = Lookups(CountingSource(*people), max_bytes=10_000)
    for i in range(10):
        await lookups.fetch(LookupKey("id", f"c-{i}"))
    assert 0 < lookups.cached_bytes <= 10_000
    kept = [k.value for k in lookups.cached_entries()]
    assert 1 < len(kept) < 10
    assert kept == [f"c-{i}" for i in range(10 - len(kept), 10)]  # the most recent
    huge = Lookups(CountingSource(person(tags=["t" * 900] * 100)), max_bytes=10_000)
    await huge.fetch(ID)
    assert huge.cached_entries() == {}  # bigger than the whole cache: not cached


async def test_remote_ids_resolve_to_exactly_one_candidate() -> None:
    twins = (person("c-1", remote_id="42"), person("c-2", remote_id="42"))
    lookups = Lookups(CountingSource(*twins, person("c-3", remote_id="7")))
    assert (await lookups.fetch(LookupKey("remote_id", "7"))).id == "c-3"
    with pytest.raises(AmbiguousRemoteId):
        await lookups.fetch(LookupKey("remote_id", "42"))
    with pytest.raises(NotFound):
        await lookups.fetch(LookupKey("remote_id", "404"))


async def test_fetch_many_returns_each_outcome_in_order() -> None:
    lookups = Lookups(CountingSource(person("c-1"), person("c-2")))
    keys = [LookupKey("id", "c-2"), LookupKey("id", "missing"), LookupKey("id", "c-1")]
    results = await lookups.fetch_many(keys)
    assert isinstance(results[0], Candidate)
    assert results[0].id == "c-2"
    assert isinstance(results[1], NotFound)
    assert isinstance(results[2], Candidate)
    assert results[2].id == "c-1"


# -- searches -------------------------------------------------------------------------------


def patels(count: int, *, start: int = 0, **fields: object) -> list[Candidate]:
    return [person(f"p-{start + i}", last_name="Patel", **fields) for i in range(count)]


MAYA_PATEL = SearchKey("name", "Maya Patel")
PATEL = SearchKey("name", "Patel")


async def test_a_search_drops_private_matches_before_counting_or_caching() -> None:
    public = patels(3)
    hidden = patels(2, start=10, is_private=True, title="Secret")
    lookups = Lookups(CountingSource(*public, *hidden))
    result = await lookups.search(MAYA_PATEL)
    assert [c.id for c in result.shown] == ["p-0", "p-1", "p-2"]
    assert result.count == 3
    assert not result.maybe_more
    assert "Secret" not in repr(result)
    assert all(c.raw_data is None for c in result.shown)
    assert lookups.cached_entries() == {}  # search results are not cached


async def test_a_search_keeps_ten_rows_and_counts_the_rest() -> None:
    source = CountingSource(*patels(17))
    result = await Lookups(source).search(MAYA_PATEL)
    assert len(result.shown) == 10
    assert result.count == 17
    assert len(source.calls) == 1  # one page of 25 held them all


async def test_the_second_page_is_read_only_when_the_first_leaves_ten_rows_or_fewer() -> None:
    source = CountingSource(*patels(20, is_private=True), *patels(10, start=20))
    result = await Lookups(source).search(MAYA_PATEL)
    assert result.count == 10
    assert [call.endswith(":None") for call in source.calls] == [True, False]
    crowded = CountingSource(*patels(40))
    result = await Lookups(crowded).search(MAYA_PATEL)
    assert (result.count, result.maybe_more, len(crowded.calls)) == (25, True, 1)


async def test_a_search_never_reads_a_third_page_nor_hints_at_private_ones() -> None:
    source = CountingSource(*patels(50, is_private=True), *patels(5, start=50))
    result = await Lookups(source).search(MAYA_PATEL)
    assert len(source.calls) == 2
    assert result.count == 0
    assert not result.maybe_more  # pages were left, but saying so would hint at them


async def test_a_slow_second_page_gives_way_to_the_first_within_the_deadline() -> None:
    source = CountingSource(*patels(20, is_private=True), *patels(10, start=20))
    source.slow_second_page = 5.0
    result = await Lookups(source, deadline=0.2).search(MAYA_PATEL)
    assert result.count == 5  # the first page's public matches
    assert len(source.calls) == 2


async def test_one_word_asks_first_and_last_name_side_by_side() -> None:
    source = CountingSource(person("a", first_name="Patel", last_name="Shah"), *patels(2, start=1))
    source.release.clear()
    lookups = Lookups(source)
    task = asyncio.create_task(lookups.search(PATEL))
    await asyncio.sleep(0.01)
    assert len(source.calls) == 2  # both asked before either answered
    source.release.set()
    result = await task
    assert sorted(result.ids) == ["a", "p-1", "p-2"]


async def test_concurrent_identical_searches_share_one_request_and_are_not_cached() -> None:
    source = CountingSource(*patels(3))
    source.release.clear()
    lookups = Lookups(source)
    waiting = [asyncio.create_task(lookups.search(MAYA_PATEL)) for _ in range(50)]
    await asyncio.sleep(0)
    source.release.set()
    results = await asyncio.gather(*waiting)
    assert len({r.ids for r in results}) == 1
    assert len(source.calls) == 1
    await lookups.search(MAYA_PATEL)
    assert len(source.calls) == 2


async def test_a_failed_search_is_not_cached() -> None:
    source = CountingSource(*patels(2))
    source.fail_with = Unavailable("down")
    lookups = Lookups(source)
    [error] = await lookups.search_many([MAYA_PATEL])
    assert isinstance(error, Unavailable)
    source.fail_with = None
    [result] = await lookups.search_many([MAYA_PATEL])
    assert isinstance(result, SearchResult)
    assert result.count == 2


async def test_a_candidate_turned_private_is_never_listed_again() -> None:
    source = CountingSource(*patels(3))
    lookups = Lookups(source)
    assert (await lookups.search(MAYA_PATEL)).ids == ("p-0", "p-1", "p-2")
    source.people["p-1"] = person("p-1", last_name="Patel", is_private=True)
    assert (await lookups.search(MAYA_PATEL)).ids == ("p-0", "p-2")


async def test_a_search_that_finds_someone_private_forgets_their_cached_card() -> None:
    source = CountingSource(*patels(2))
    lookups = Lookups(source)
    await lookups.fetch(LookupKey("id", "p-0"))
    source.people["p-0"] = person("p-0", last_name="Patel", is_private=True)
    await lookups.search(MAYA_PATEL)
    assert LookupKey("id", "p-0") not in lookups.cached_entries()


async def test_an_email_search_keeps_the_cache_free_of_addresses_that_may_not_be_used() -> None:
    lookups = Lookups(CountingSource(person("m", can_email=False)))
    result = await lookups.search(SearchKey("email", "maya@example.com"))
    assert result.count == 1
    assert result.shown[0].email_addresses == ()
    assert "maya@example.com" not in repr(result)
