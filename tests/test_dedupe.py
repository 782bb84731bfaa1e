"""StateDedupe on the in-process state: a key is new once within its time, forget undoes.

The same questions against Redis are asked in tests/state/ and tests/e2e/test_instances.py.
"""

from __future__ import annotations

from bot.dedupe import Dedupe, StateDedupe
from bot.state.memory import MAX_SEEN, MemoryState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def named(key: str) -> str:
    return f"test:{key}"


async def test_a_key_is_new_once_within_its_time() -> None:
    clock = Clock()
    seen: Dedupe = StateDedupe(MemoryState(clock=clock), named, ttl=60)
    assert await seen.first("a") is True
    assert await seen.first("a") is False
    assert await seen.first("b") is True
    clock.now += 59.9
    assert await seen.first("a") is False
    clock.now += 0.1
    assert await seen.first("a") is True  # its time is over: new again


async def test_memory_is_bounded_oldest_first() -> None:
    state = MemoryState(clock=Clock())
    seen = StateDedupe(state, named, ttl=60)
    for i in range(MAX_SEEN + 1):
        assert await seen.first(str(i))
    assert await seen.first(str(MAX_SEEN)) is False
    assert await seen.first("0") is True  # forgotten to make room


async def test_forget_makes_a_key_new_again() -> None:
    seen = StateDedupe(MemoryState(clock=Clock()), named, ttl=60)
    await seen.first("a")
    await seen.forget("a")
    await seen.forget("never-seen")
    assert await seen.first("a") is True


async def test_keys_are_named_by_key_of() -> None:
    state = MemoryState(clock=Clock())
    await StateDedupe(state, named, ttl=60).first("a")
    assert await state.first_time("test:a", ttl=60) is False
    assert await StateDedupe(state, lambda key: f"other:{key}", ttl=60).first("a") is True
