"""The long-lived objects the listeners share, built once per process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from bot.ats.client import BindbeePool
from bot.config import Settings
from bot.core.links import LinkPattern
from bot.dedupe import Dedupe
from bot.inflight import InFlight
from bot.lookups import Lookups
from bot.slack.connect import ConnectGuard
from bot.slack.replies import Replies
from bot.slack.teams import ServedTeams
from bot.state import Keys, SharedState
from bot.tenancy.tenants import Tenants

if TYPE_CHECKING:  # SQLAlchemy is loaded only in OAuth mode
    from bot.tenancy.workspaces import Workspaces


@dataclass
class AppContext:
    """Everything a listener needs besides what Bolt passes in."""

    settings: Settings
    tenants: Tenants
    patterns: tuple[LinkPattern, ...]
    slack: AsyncWebClient  # the Web API client Bolt and the server use
    teams: ServedTeams  # which teams requests may come from (the team check)
    seen_events: Dedupe  # event ids already handled (Slack retries deliveries)
    shares: Dedupe  # (message, candidate) pairs already shared
    guard: ConnectGuard  # the Slack Connect guard for unfurls and shares
    state: SharedState  # cache, coalescing, budget and dedupe: in process or in Redis
    keys: Keys  # the names of this connector's keys in `state`
    replies: Replies = field(default_factory=Replies)
    inflight: InFlight = field(default_factory=InFlight)
    # OAuth mode only: installations and connections. None serves the one workspace.
    workspaces: Workspaces | None = None
    bindbee_pool: BindbeePool | None = None  # the pool all connectors share
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def lookups_for(self, team_id: str | None) -> Lookups | None:
        """The Lookups of the workspace's own connector; None when it is not connected."""
        return await self.tenants.lookups_for(team_id)

    async def aclose(self) -> None:
        """Close every connection the app_context holds."""
        await self.tenants.aclose()
        await self.replies.aclose()
        await self.state.aclose()
        for close in self.closers:
            await close()
        if self.workspaces is not None:
            await self.workspaces.aclose()

    @property
    def strict(self) -> bool:
        """Whether unknown privacy flags count as private (PRIVACY_STRICT)."""
        return self.settings.privacy_strict
