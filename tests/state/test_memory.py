"""The in-process backend's own limits: a bounded cache and bounded dedupe."""

from __future__ import annotations

from bot.state.keys import Keys
from bot.state.memory import MAX_SEEN, MemoryState

KEYS = Keys(prefix="p", tenant="t")


async def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    state = MemoryState(max_entries=2)
    for name in ("a", "b"):
        await state.put(KEYS.cache("id", name), name, ttl=60, group=KEYS.candidate(name))
    await state.get(KEYS.cache("id", "a"))  # a is now the most recent
    await state.put(KEYS.cache("id", "c"), "c", ttl=60, group=KEYS.candidate("c"))
    assert set(state.entries().values()) == {"a", "c"}


async def test_a_key_that_moves_to_another_candidate_leaves_its_old_group() -> None:
    state = MemoryState()
    link = KEYS.cache("remote_id", "r-1")
    await state.put(link, "first", ttl=60, group=KEYS.candidate("c-1"))
    await state.put(link, "second", ttl=60, group=KEYS.candidate("c-2"))
    await state.evict(KEYS.candidate("c-1"))
    assert await state.get(link) == "second"


async def test_dedupe_forgets_the_oldest_beyond_its_bound() -> None:
    state = MemoryState()
    for i in range(MAX_SEEN + 1):
        await state.first_time(f"e{i}", ttl=3600)
    assert await state.first_time("e0", ttl=3600)  # forgotten: the bound holds memory flat
    assert not await state.first_time(f"e{MAX_SEEN}", ttl=3600)


def test_a_tenant_is_a_keyed_hash_of_the_token() -> None:
    token = "connector-token-123"
    keys = Keys.for_connector(token, secret="api-key")
    assert token not in keys.cache("id", "x")
    assert len(keys.tenant) == 32
    assert keys == Keys.for_connector(token, secret="api-key")
    assert keys.tenant != Keys.for_connector(token, secret="another-key").tenant
    assert keys.tenant != Keys.for_connector("another-token", secret="api-key").tenant
    assert keys.cache("id", "x").startswith("candidate-lookup:")
