"""OAuth-mode settings: chosen by SLACK_CLIENT_ID, with their own requirements."""

from __future__ import annotations

import pytest

from bot.config import (
    OAuthSettings,
    ServeSettings,
    SettingsError,
    WorkspaceSettings,
    load_serve_settings,
)
from tests.harness import KEY_NEW, KEY_OLD

OAUTH = {
    "SLACK_CLIENT_ID": "1111111111.2222222222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": "signing-secret",
    "BINDBEE_API_KEY": "key",
    "CONNECTOR_ENCRYPTION_KEYS": f"{KEY_NEW}, {KEY_OLD}",
}


def _set(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_oauth_mode_needs_no_bot_or_connector_token(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, OAUTH)
    settings = load_serve_settings()
    assert isinstance(settings, OAuthSettings)
    assert settings.oauth_mode
    assert settings.slack_bot_token is None
    assert settings.bindbee_connector_token is None
    assert settings.encryption_keys() == [KEY_NEW, KEY_OLD]
    assert settings.database_url.get_secret_value() == "sqlite:///candidate-lookup.db"
    assert "users:read" in settings.slack_scopes.split(",")


def test_without_a_client_id_the_single_workspace_setup_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _set(monkeypatch, {k: v for k, v in OAUTH.items() if k != "SLACK_CLIENT_ID"})
    with pytest.raises(SettingsError) as caught:
        load_serve_settings()
    assert {p.split(":")[0] for p in caught.value.problems} == {
        "SLACK_BOT_TOKEN",
        "BINDBEE_CONNECTOR_TOKEN",
    }
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("BINDBEE_CONNECTOR_TOKEN", "c")
    assert isinstance(load_serve_settings(), ServeSettings)


def test_oauth_mode_names_what_it_misses_without_values(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(
        monkeypatch,
        {
            "SLACK_CLIENT_ID": "1111111111.2222222222",
            "CONNECTOR_ENCRYPTION_KEYS": f"{KEY_NEW},not-a-fernet-key-HUSH",
            "DATABASE_URL": "mysql://user:HUSHPW@db/app",
            "SLACK_APP_TOKEN": "xapp-1",
        },
    )
    with pytest.raises(SettingsError) as caught:
        load_serve_settings()
    problems = dict(p.split(": ", 1) for p in caught.value.problems)
    assert set(problems) == {
        "SLACK_CLIENT_SECRET",
        "SLACK_SIGNING_SECRET",
        "BINDBEE_API_KEY",
        "CONNECTOR_ENCRYPTION_KEYS",
        "DATABASE_URL",
        "SLACK_APP_TOKEN",
    }
    assert "key 2 is not a Fernet key" in problems["CONNECTOR_ENCRYPTION_KEYS"]
    assert "HUSH" not in str(caught.value)


def test_workspace_settings_need_the_client_id_and_keys() -> None:
    with pytest.raises(SettingsError) as caught:
        WorkspaceSettings.load()
    assert {p.split(":")[0] for p in caught.value.problems} == {
        "SLACK_CLIENT_ID",
        "CONNECTOR_ENCRYPTION_KEYS",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [("SLACK_CLIENT_ID", "abc"), ("SLACK_SCOPES", "commands, bad scope"), ("DATABASE_URL", "x")],
)
def test_malformed_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    _set(monkeypatch, {**OAUTH, name: value})
    with pytest.raises(SettingsError, match=name):
        OAuthSettings.load()
