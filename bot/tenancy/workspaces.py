"""The directory of workspaces: who installed the app, and which are connected to an ATS.

Installations and OAuth states live in slack_sdk's async SQLAlchemy stores
(https://docs.slack.dev/tools/python-slack-sdk/oauth/), connections in ours; all three share
one engine, so one DATABASE_URL holds everything and every instance sees the same state
(the OAuth callback may land on another instance than the install page).
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import WorkspaceSettings
from bot.tenancy.connections import Connection, ConnectionInfo, ConnectionStore
from bot.tenancy.database import create_engine
from bot.tenancy.vault import Vault

STATE_LIFETIME = 600  # seconds from "Add to Slack" to the callback (Slack's own example)


@dataclass(frozen=True)
class WorkspaceStatus:
    """One line of `workspaces list`: never a token."""

    team_id: str
    installed: bool
    connection: ConnectionInfo | None


class Workspaces:
    """Installations, OAuth states and connections, in one database."""

    def __init__(self, engine: AsyncEngine, client_id: str, vault: Vault) -> None:
        self.engine = engine
        self.installations = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine)
        self.states = AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_LIFETIME, engine=engine
        )
        self.connections = ConnectionStore(engine, vault)

    @classmethod
    def from_settings(cls, settings: WorkspaceSettings) -> Workspaces:
        """The directory for DATABASE_URL, CONNECTOR_ENCRYPTION_KEYS and SLACK_CLIENT_ID."""
        engine = create_engine(settings.database_url.get_secret_value())
        return cls(engine, settings.slack_client_id, Vault(settings.encryption_keys()))

    async def create_tables(self) -> None:
        """Create whatever table is missing; existing ones are left as they are."""
        await self.installations.create_tables()  # type: ignore[no-untyped-call]
        await self.states.create_tables()  # type: ignore[no-untyped-call]
        await self.connections.create_tables()

    async def aclose(self) -> None:
        """Close the database connections."""
        await self.engine.dispose()

    async def installer(self, team_id: str) -> str | None:
        """The user who installed the app in `team_id` (latest install), or None."""
        installation = await self.installations.async_find_installation(
            enterprise_id=None, team_id=team_id
        )
        return None if installation is None else installation.user_id

    async def is_installed(self, team_id: str) -> bool:
        """Whether the app is installed in `team_id`."""
        found = await self.installations.async_find_bot(enterprise_id=None, team_id=team_id)
        return found is not None

    async def connection(self, team_id: str) -> Connection | None:
        """The workspace's ATS connection, read afresh, or None."""
        return await self.connections.find(team_id)

    async def forget(self, team_id: str, enterprise_id: str | None = None) -> None:
        """Delete the workspace's installation and its connector token (uninstall, revoke)."""
        await self.installations.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        await self.connections.delete(team_id)

    async def installed_teams(self) -> list[str]:
        """Team ids with an installation of this app."""
        table = self.installations.installations
        query = (
            select(table.c.team_id)
            .distinct()
            .where(table.c.client_id == self.installations.client_id)
            .where(table.c.team_id.is_not(None))
        )
        async with self.engine.connect() as conn:
            return sorted(str(team) for team in (await conn.execute(query)).scalars())

    async def overview(self) -> list[WorkspaceStatus]:
        """Every workspace that is installed or connected, in team id order."""
        installed = set(await self.installed_teams())
        connections = {info.team_id: info for info in await self.connections.all()}
        teams = sorted(installed | set(connections))
        return [WorkspaceStatus(t, t in installed, connections.get(t)) for t in teams]

    async def count_rows(self) -> int:
        """A cheap query that proves the database answers (for doctor)."""
        async with self.engine.connect() as conn:
            table = self.connections.table
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


class InstalledTeams:
    """The team check's rule in OAuth mode (bot/slack/middleware.py): the team installed us.

    Bolt's authorization already refuses a team without an installation; this keeps the
    check explicit, and covers the events Bolt lets through unauthorized (app_uninstalled,
    tokens_revoked).
    """

    def __init__(self, workspaces: Workspaces) -> None:
        self.workspaces = workspaces

    async def serves(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """True when `team_id` has installed the app."""
        return bool(team_id) and await self.workspaces.is_installed(str(team_id))
