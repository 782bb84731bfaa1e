"""Which backend the settings give: in-process without REDIS_URL, Redis with memory behind it."""

from __future__ import annotations

from bot.config import Settings
from bot.state import keys_for, open_state
from bot.state.fallback import FallbackState
from bot.state.memory import MemoryState


def _settings(**values: object) -> Settings:
    return Settings.load(
        _env_file=None, bindbee_api_key="key", bindbee_connector_token="token", **values
    )


async def test_without_redis_url_state_stays_in_process() -> None:
    state = open_state(_settings())
    assert isinstance(state, MemoryState)


async def test_with_redis_url_nothing_connects_until_used() -> None:
    state = open_state(_settings(redis_url="redis://127.0.0.1:1/0", redis_fallback_share=0.25))
    assert isinstance(state, FallbackState)
    assert not state.degraded  # no connection tried yet: an outage cannot stop the start
    await state.aclose()


def test_keys_name_the_connector_under_the_prefix_without_its_token() -> None:
    keys = keys_for(_settings(redis_key_prefix="deploy-a"))
    assert keys.budget().startswith("deploy-a:")
    assert "token" not in keys.budget()
    assert keys != keys_for(_settings(redis_key_prefix="deploy-a"), "another-token")
