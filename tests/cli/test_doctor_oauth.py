"""`python -m bot doctor` in OAuth mode: database, keys, workspaces; never a secret."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.__main__ import main
from bot.tenancy.database import create_engine
from bot.tenancy.vault import Vault
from bot.tenancy.workspaces import Workspaces
from tests.fakes.slack import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET
from tests.harness import KEY_NEW, KEY_OLD

SECRETS = ["acme-connector-token", "xoxb-t0acme", CLIENT_SECRET, SIGNING_SECRET, KEY_NEW, KEY_OLD]


async def _prepare(database_url: str, key: str) -> None:
    workspaces = Workspaces(create_engine(database_url), CLIENT_ID, Vault([key]))
    try:
        await workspaces.create_tables()
        for team in ("T0ACME", "T0GLOBEX"):
            await workspaces.installations.async_save(
                Installation(
                    app_id="A0APP",
                    team_id=team,
                    user_id="U0ANNA",
                    bot_token=f"xoxb-{team.lower()}",
                    bot_id="B",
                )
            )
        await workspaces.connections.save("T0ACME", "acme-connector-token", connected_by="U0A")
    finally:
        await workspaces.aclose()


def _configure(monkeypatch: pytest.MonkeyPatch, database_url: str, keys: str) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("BINDBEE_API_KEY", "bindbee-api-key-1234")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEYS", keys)


def _doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["doctor"])
    out, err = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in out + err
    assert "Traceback" not in out + err
    return status, out


def test_counts_installed_and_connected_workspaces(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    asyncio.run(_prepare(database_url, KEY_OLD))
    _configure(monkeypatch, database_url, f"{KEY_NEW},{KEY_OLD}")

    status, out = _doctor(capsys)

    assert status == 0, out
    assert "✓ OAuth mode: SLACK_CLIENT_ID is set" in out
    assert "✓ CONNECTOR_ENCRYPTION_KEYS holds 2 key(s)" in out
    assert "✓ the database answers at" in out
    assert "✓ every stored connector token opens" in out
    assert "✓ 2 workspace(s) installed, 1 of them connected to an ATS" in out


def test_a_missing_key_and_a_dead_database_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    asyncio.run(_prepare(database_url, KEY_OLD))
    _configure(monkeypatch, database_url, KEY_NEW)  # the old key was dropped too early
    status, out = _doctor(capsys)
    assert status == 1
    assert "✗ no key in CONNECTOR_ENCRYPTION_KEYS opens the connection of T0ACME" in out

    _configure(monkeypatch, "postgresql://app:db-password-9@127.0.0.1:1/none", KEY_NEW)
    status, out = _doctor(capsys)
    assert status == 1
    assert "✗ the database at postgresql+asyncpg://app:***@127.0.0.1:1/none does not answer" in out
    assert "db-password-9" not in out


def test_missing_oauth_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    status, out = _doctor(capsys)
    assert status == 1
    for name in ("SLACK_CLIENT_SECRET", "CONNECTOR_ENCRYPTION_KEYS", "BINDBEE_API_KEY"):
        assert f"✗ {name}: required but not set" in out
