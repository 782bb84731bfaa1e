"""Shared state behind one protocol (base.py): in this process, or in Redis for several.

open_state(settings)    MemoryState when REDIS_URL is unset (the default), else Redis
                        with this process's state behind it (FallbackState)
keys_for(settings)      the key names of the configured connector
"""

from __future__ import annotations

from pydantic import SecretStr

from bot.config import Settings
from bot.state.base import Budget, Health, SharedState
from bot.state.keys import Keys
from bot.state.memory import MemoryState

__all__ = ["Budget", "Health", "Keys", "SharedState", "keys_for", "open_state"]


def open_state(settings: Settings) -> SharedState:
    """The state backend the settings ask for; nothing connects yet."""
    local = MemoryState(max_entries=settings.cache_size, max_bytes=settings.cache_max_bytes)
    if settings.redis_url is None:
        return local
    # Imported here: one process on its own never loads redis-py (about 19 MB of memory).
    from bot.state.fallback import FallbackState
    from bot.state.redis import RedisState, connect

    client = connect(settings.redis_url.get_secret_value(), timeout=settings.redis_timeout)
    shared = RedisState(client, lock_ttl=settings.lookup_deadline + 1)
    return FallbackState(shared, local, fallback_share=settings.redis_fallback_share)


def keys_for(settings: Settings, connector_token: str | None = None) -> Keys:
    """Key names for a connector (by default the configured one), hashed with the API key."""
    token = connector_token or _secret(settings.bindbee_connector_token)
    return Keys.for_connector(
        token, secret=_secret(settings.bindbee_api_key), prefix=settings.redis_key_prefix
    )


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
