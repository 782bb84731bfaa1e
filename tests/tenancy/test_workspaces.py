"""The directory of workspaces and their sealed connections, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select, update

from bot.tenancy.database import create_engine
from bot.tenancy.vault import Vault
from bot.tenancy.workspaces import Workspaces
from tests.fakes.slack import CLIENT_ID
from tests.harness import KEY_NEW, KEY_OLD


@pytest.fixture
async def workspaces(database_url: str) -> AsyncIterator[Workspaces]:
    """A directory on an empty database of each backend, tables created."""
    directory = Workspaces(create_engine(database_url), CLIENT_ID, Vault([KEY_NEW]))
    await directory.create_tables()
    await directory.create_tables()  # a second time is harmless: only missing tables
    yield directory
    await directory.aclose()


async def _install(workspaces: Workspaces, team_id: str, installer: str) -> None:
    installation = Installation(
        app_id="A0APP",
        team_id=team_id,
        user_id=installer,
        bot_token=f"xoxb-{team_id}",
        bot_id="B0BOT",
        bot_user_id="U0BOT",
        bot_scopes="commands",
    )
    await workspaces.installations.async_save(installation)


async def test_connections_are_saved_found_listed_and_deleted(workspaces: Workspaces) -> None:
    store = workspaces.connections
    assert await store.find("T0ACME") is None

    await store.save("T0ACME", "first-token", connected_by="U0ANNA")
    await store.save("T0ACME", "second-token", connected_by="U0ADMIN")  # replaces

    found = await store.find("T0ACME")
    assert found is not None
    assert found.token.get_secret_value() == "second-token"
    assert found.info.connected_by == "U0ADMIN"
    assert "second-token" not in repr(found)
    assert [info.team_id for info in await store.all()] == ["T0ACME"]
    assert await store.delete("T0ACME")
    assert not await store.delete("T0ACME")
    assert await store.find("T0ACME") is None


async def test_a_row_copied_to_another_workspace_is_not_a_connection(
    workspaces: Workspaces,
) -> None:
    store = workspaces.connections
    await store.save("T0ACME", "acme-token", connected_by="U0ANNA")
    await store.save("T0GLOBEX", "globex-token", connected_by="U0GUS")
    table = store.table
    async with workspaces.engine.begin() as conn:
        acme_row = (
            await conn.execute(select(table.c.sealed_token).where(table.c.team_id == "T0ACME"))
        ).scalar_one()
        await conn.execute(
            update(table).where(table.c.team_id == "T0GLOBEX").values(sealed_token=acme_row)
        )

    assert await store.find("T0GLOBEX") is None  # not acme's token, not anything
    acme = await store.find("T0ACME")
    assert acme is not None
    assert acme.token.get_secret_value() == "acme-token"


async def test_reseal_all_moves_every_token_to_the_newest_key(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        old = Workspaces(engine, CLIENT_ID, Vault([KEY_OLD]))
        await old.create_tables()
        await old.connections.save("T0ACME", "acme-token", connected_by="U0ANNA")

        both = Workspaces(engine, CLIENT_ID, Vault([KEY_NEW, KEY_OLD]))
        assert await both.connections.reseal_all() == (1, [])

        new_only = Workspaces(engine, CLIENT_ID, Vault([KEY_NEW]))
        found = await new_only.connections.find("T0ACME")
        assert found is not None
        assert found.token.get_secret_value() == "acme-token"
        assert await Workspaces(engine, CLIENT_ID, Vault([KEY_OLD])).connection("T0ACME") is None
    finally:
        await engine.dispose()


async def test_overview_and_forget(workspaces: Workspaces) -> None:
    await _install(workspaces, "T0ACME", "U0ANNA")
    await _install(workspaces, "T0GLOBEX", "U0GUS")
    await workspaces.connections.save("T0ACME", "acme-token", connected_by="U0ANNA")
    await workspaces.connections.save("T0LATER", "later-token", connected_by="operator")

    overview = {status.team_id: status for status in await workspaces.overview()}
    assert sorted(overview) == ["T0ACME", "T0GLOBEX", "T0LATER"]
    assert overview["T0ACME"].installed
    assert overview["T0ACME"].connection is not None
    assert overview["T0GLOBEX"].connection is None
    assert not overview["T0LATER"].installed
    assert await workspaces.installer("T0GLOBEX") == "U0GUS"

    await workspaces.forget("T0ACME")

    assert not await workspaces.is_installed("T0ACME")
    assert await workspaces.connection("T0ACME") is None
    assert await workspaces.is_installed("T0GLOBEX")
