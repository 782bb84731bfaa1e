"""Each workspace's ATS connection: its Bindbee connector token, sealed, in DATABASE_URL.

One row per team: the sealed token (bot/tenancy/vault.py), who connected it and when.
Reads go to the database every time, so a connection made or removed anywhere (the Home
tab on another instance, or `python -m bot workspaces`) counts from the next request on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.tenancy.vault import Unreadable, Vault

logger = logging.getLogger("bot.tenancy")

TABLE = "workspace_connections"


@dataclass(frozen=True)
class ConnectionInfo:
    """What may be shown about a connection: never its token."""

    team_id: str
    connected_by: str
    connected_at: int  # Unix seconds


@dataclass(frozen=True)
class Connection:
    """A workspace's connection, with its token opened (kept as a SecretStr)."""

    info: ConnectionInfo
    token: SecretStr


class ConnectionStore:
    """Save, find, list and delete the workspaces' connector tokens."""

    def __init__(self, engine: AsyncEngine, vault: Vault, *, table_name: str = TABLE) -> None:
        self.engine = engine
        self.vault = vault
        self.metadata = MetaData()
        self.table = Table(
            table_name,
            self.metadata,
            Column("team_id", String(32), primary_key=True),
            Column("sealed_token", Text, nullable=False),
            Column("connected_by", String(32), nullable=False),
            Column("connected_at", BigInteger, nullable=False),
        )

    async def create_tables(self) -> None:
        """Create the table when it is missing."""
        async with self.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)

    async def save(self, team_id: str, token: str, *, connected_by: str) -> ConnectionInfo:
        """Connect `team_id` with `token`, replacing any earlier connection."""
        info = ConnectionInfo(team_id, connected_by, int(time.time()))
        row = {
            "team_id": team_id,
            "sealed_token": self.vault.seal(team_id, token),
            "connected_by": connected_by,
            "connected_at": info.connected_at,
        }
        async with self.engine.begin() as conn:
            await conn.execute(delete(self.table).where(self.table.c.team_id == team_id))
            await conn.execute(insert(self.table).values(**row))
        return info

    async def find(self, team_id: str) -> Connection | None:
        """The workspace's connection, or None when it has none (or none that opens)."""
        async with self.engine.connect() as conn:
            result = await conn.execute(select(self.table).where(self.table.c.team_id == team_id))
            row = result.mappings().first()
        if row is None:
            return None
        try:
            token = self.vault.open(team_id, str(row["sealed_token"]))
        except Unreadable as exc:
            # A missing key or a row moved from another team: not a connection. The team id
            # is safe to log; the sealed value is not.
            logger.warning("connection of team=%s not usable: %s", team_id, exc)
            return None
        return Connection(_info(row), SecretStr(token))

    async def delete(self, team_id: str) -> bool:
        """Remove the workspace's connection; True when there was one."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(self.table).where(self.table.c.team_id == team_id))
        return bool(result.rowcount)

    async def all(self) -> list[ConnectionInfo]:
        """Every connection, by team id, without tokens."""
        columns = (self.table.c.team_id, self.table.c.connected_by, self.table.c.connected_at)
        async with self.engine.connect() as conn:
            result = await conn.execute(select(*columns).order_by(self.table.c.team_id))
            return [_info(row) for row in result.mappings()]

    async def reseal_all(self) -> tuple[int, list[str]]:
        """Re-encrypt every token with the newest key: (how many, teams no key opens)."""
        resealed, unreadable = 0, []
        async with self.engine.begin() as conn:
            result = await conn.execute(select(self.table.c.team_id, self.table.c.sealed_token))
            for team_id, sealed in result.all():
                try:
                    fresh = self.vault.reseal(str(sealed))
                except Unreadable:
                    unreadable.append(str(team_id))
                    continue
                await conn.execute(
                    self.table.update()
                    .where(self.table.c.team_id == team_id)
                    .values(sealed_token=fresh)
                )
                resealed += 1
        return resealed, unreadable


def _info(row: object) -> ConnectionInfo:
    mapping = dict(row)  # type: ignore[call-overload]
    return ConnectionInfo(
        team_id=str(mapping["team_id"]),
        connected_by=str(mapping["connected_by"]),
        connected_at=int(mapping["connected_at"]),
    )
