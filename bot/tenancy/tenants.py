"""Which Lookups serve a request: one per connector, never shared between connectors.

Lookups (bot/lookups.py) hold the cache, the coalescing and, through their Bindbee client,
the rate budget. Keeping one per connector token keeps every workspace's candidates, and
its share of Bindbee's rate limit, to itself.

    OneTenant      single-workspace mode: the connector of BINDBEE_CONNECTOR_TOKEN
    ManyTenants    OAuth mode: the workspace's connection is read from the database for
                   every request (so a disconnect counts at once), and its Lookups are
                   found by the connector's name in shared state (bot/state/keys.py: a
                   keyed hash of the token), never by the token itself
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bot.lookups import Lookups

if TYPE_CHECKING:  # SQLAlchemy is loaded only in OAuth mode
    from bot.tenancy.workspaces import Workspaces

MAX_CONNECTORS = 10_000  # Lookups kept in memory at most; the least recently used go first


class Tenants(Protocol):
    """Finds the Lookups for a request's workspace."""

    async def lookups_for(self, team_id: str | None) -> Lookups | None:
        """The workspace's Lookups, or None when it has no connection."""
        ...

    async def aclose(self) -> None:
        """Close what the Lookups hold."""
        ...


class OneTenant:
    """One connector for every request (the single-workspace setup)."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups

    async def lookups_for(self, team_id: str | None) -> Lookups | None:
        """Always the one Lookups."""
        return self.lookups

    async def aclose(self) -> None:
        """Close the one Lookups."""
        await self.lookups.aclose()


class ManyTenants:
    """One Lookups per connector, found through the workspace's stored connection."""

    def __init__(
        self,
        workspaces: Workspaces,
        make_lookups: Callable[[str], Lookups],
        *,
        key_of: Callable[[str], str],
        max_connectors: int = MAX_CONNECTORS,
    ) -> None:
        self._workspaces = workspaces
        self._make_lookups = make_lookups
        self._key_of = key_of  # a connector token → its name (a keyed hash)
        self._max = max_connectors
        self._by_connector: OrderedDict[str, Lookups] = OrderedDict()

    async def lookups_for(self, team_id: str | None) -> Lookups | None:
        """The Lookups of the workspace's connector, or None when it is not connected."""
        if not team_id:
            return None
        connection = await self._workspaces.connection(team_id)
        if connection is None:
            return None
        token = connection.token.get_secret_value()
        key = self._key_of(token)
        lookups = self._by_connector.get(key)
        if lookups is None:
            lookups = self._make_lookups(token)
            self._by_connector[key] = lookups
            while len(self._by_connector) > self._max:
                self._by_connector.popitem(last=False)
        self._by_connector.move_to_end(key)
        return lookups

    def connector_keys(self) -> list[str]:
        """The connectors that have Lookups in memory (for tests and diagnostics)."""
        return list(self._by_connector)

    async def aclose(self) -> None:
        """Forget every Lookups; the shared HTTP pool is closed by whoever made it."""
        self._by_connector.clear()
