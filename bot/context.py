"""The long-lived objects the listeners share, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.core.links import LinkPattern
from bot.inflight import InFlight
from bot.lookups import LOCAL_KEYS, Lookups
from bot.slack.replies import Replies
from bot.state import Keys, SharedState
from bot.state.memory import MemoryState


@dataclass
class AppContext:
    """Everything a listener needs besides what Bolt passes in."""

    settings: Settings
    lookups: Lookups
    patterns: tuple[LinkPattern, ...]
    replies: Replies = field(default_factory=Replies)
    inflight: InFlight = field(default_factory=InFlight)
    state: SharedState = field(default_factory=MemoryState)  # dedupe; the cache too
    keys: Keys = LOCAL_KEYS

    async def aclose(self) -> None:
        """Close every connection the app_context hold."""
        await self.lookups.aclose()
        await self.replies.aclose()
        await self.state.aclose()

    @property
    def strict(self) -> bool:
        """Whether unknown privacy flags count as private (PRIVACY_STRICT)."""
        return self.settings.privacy_strict
