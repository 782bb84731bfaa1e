"""MemoryDedupe: a key is new once within its time, memory stays bounded, forget undoes."""

from __future__ import annotations

import pytest

from bot.dedupe import Dedupe, MemoryDedupe


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_key_is_new_once_within_its_time() -> None:
    clock = Clock()
    seen: Dedupe = MemoryDedupe(ttl=60, max_entries=10, clock=clock)
    assert await seen.first("a") is True
    assert await seen.first("a") is False
    assert await seen.first("b") is True
    clock.now += 59.9
    assert await seen.first("a") is False
    clock.now += 0.1
    assert await seen.first("a") is True  # its time is over: new again


async def test_memory_is_bounded_oldest_first() -> None:
    seen = MemoryDedupe(ttl=60, max_entries=3, clock=Clock())
    for key in "abcde":
        assert await seen.first(key)
    assert len(seen) == 3
    assert await seen.first("e") is False
    assert await seen.first("a") is True  # forgotten to make room


async def test_expired_keys_leave_memory() -> None:
    clock = Clock()
    seen = MemoryDedupe(ttl=10, max_entries=100, clock=clock)
    for i in range(50):
        await seen.first(str(i))
    clock.now += 10
    await seen.first("new")
    assert len(seen) == 1


async def test_forget_makes_a_key_new_again() -> None:
    seen = MemoryDedupe(ttl=60, max_entries=10, clock=Clock())
    await seen.first("a")
    await seen.forget("a")
    await seen.forget("never-seen")
    assert await seen.first("a") is True


@pytest.mark.parametrize(("ttl", "max_entries"), [(0, 10), (-1, 10), (60, 0)])
def test_nonsense_limits_are_refused(ttl: float, max_entries: int) -> None:
    with pytest.raises(ValueError, match="ttl"):
        MemoryDedupe(ttl=ttl, max_entries=max_entries)
