"""Lookups: coalescing, the cache (lifetime, bound, privacy), and fresh re-checks."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.ats.errors import AmbiguousRemoteId, NotFound, Unavailable
from bot.ats.models import Candidate
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
