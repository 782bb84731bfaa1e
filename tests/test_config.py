"""Settings: every problem reported at once, by variable name, never with a secret's value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import LookupSettings, PatternsMode, ServeSettings, Settings, SettingsError

SECRET = "xoxp-THIS-IS-A-SECRET-VALUE"
GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-good",
    "SLACK_SIGNING_SECRET": "signing-secret",
    "BINDBEE_API_KEY": "key",
    "BINDBEE_CONNECTOR_TOKEN": "connector",
}


def _set(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_complete_settings_load_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, GOOD)
    settings = ServeSettings.load()
    assert settings.slack_bot_token.get_secret_value() == "xoxb-good"
    assert str(settings.bindbee_base_url) == "https://api.bindbee.dev/"
    assert str(settings.slack_api_url) == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.cache_ttl == 60
    assert not settings.socket_mode
    assert not settings.privacy_strict
    assert [p.domain for p in settings.link_patterns()] == [
        "app.greenhouse.io",
        "hire.lever.co",
        "app.ashbyhq.com",
    ]


def test_every_problem_is_reported_at_once_without_values(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(
        monkeypatch,
        {
            "SLACK_BOT_TOKEN": SECRET,
            "PORT": "eighty",
            "BINDBEE_BASE_URL": "not a url",
            "CACHE_TTL": "-1",
            "UNFURL_PATTERNS": "(unclosed",
            "LOG_LEVEL": "LOUD",
        },
    )
    with pytest.raises(SettingsError) as caught:
        ServeSettings.load()
    message = str(caught.value)
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "BINDBEE_API_KEY",
        "BINDBEE_CONNECTOR_TOKEN",
        "PORT",
        "BINDBEE_BASE_URL",
        "CACHE_TTL",
        "UNFURL_PATTERNS",
        "LOG_LEVEL",
    ):
        assert name in message
    assert "THIS-IS-A-SECRET" not in message
    assert "eighty" not in message
    assert len(caught.value.problems) == 9


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {k: v for k, v in GOOD.items() if k != "SLACK_SIGNING_SECRET"}
    _set(monkeypatch, {**values, "SLACK_APP_TOKEN": "xapp-1"})
    assert ServeSettings.load().socket_mode


def test_app_token_must_look_like_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, {**GOOD, "SLACK_APP_TOKEN": "xoxb-wrong-kind"})
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN: must start with xapp-"):
        ServeSettings.load()


def test_dotenv_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BINDBEE_API_KEY=from-dotenv\nBINDBEE_CONNECTOR_TOKEN=c\n")
    settings = LookupSettings.load()
    assert settings.bindbee_api_key.get_secret_value() == "from-dotenv"


def test_lower_levels_need_less() -> None:
    assert Settings.load().bindbee_api_key is None
    with pytest.raises(SettingsError) as caught:
        LookupSettings.load()
    assert {p.split(":")[0] for p in caught.value.problems} == {
        "BINDBEE_API_KEY",
        "BINDBEE_CONNECTOR_TOKEN",
    }


def test_unfurl_patterns_extend_or_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    custom = r"https://ats\.example\.com/c/(?P<id>[\w-]+)"
    monkeypatch.setenv("UNFURL_PATTERNS", custom)
    extended = Settings.load().link_patterns()
    assert len(extended) == 4
    assert extended[-1].domain == "ats.example.com"
    monkeypatch.setenv("UNFURL_PATTERNS_MODE", "replace")
    settings = Settings.load()
    assert settings.unfurl_patterns_mode is PatternsMode.REPLACE
    assert [p.domain for p in settings.link_patterns()] == ["ats.example.com"]


def test_pattern_without_id_group_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNFURL_PATTERNS", r"https://ats\.example\.com/c/(\d+)")
    with pytest.raises(
        SettingsError, match="UNFURL_PATTERNS: line 1 needs exactly one named group"
    ):
        Settings.load()


def test_serving_with_bad_settings_exits_2_with_one_message(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": SECRET, "PORT": "0x"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "THIS-IS-A-SECRET" not in result.stderr + result.stdout
    assert "SLACK_BOT_TOKEN: must start with xoxb-" in result.stderr
    assert "PORT:" in result.stderr
    assert "BINDBEE_API_KEY: required but not set" in result.stderr


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [
        name.upper() for name in Settings.model_fields if f"| `{name.upper()}` |" not in readme
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0.5", True),
        ("1", True),
        ("0.01", True),
        ("0", False),
        ("1.5", False),
        ("half", False),
        ("nan", False),
    ],
)
def test_user_share_is_a_fraction_of_the_budget(
    monkeypatch: pytest.MonkeyPatch, value: str, ok: bool
) -> None:
    _set(monkeypatch, {**GOOD, "BINDBEE_USER_SHARE": value})
    if ok:
        assert ServeSettings.load().bindbee_user_share == float(value)
        return
    with pytest.raises(SettingsError, match="BINDBEE_USER_SHARE"):
        ServeSettings.load()


def test_user_share_defaults_to_half(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, GOOD)
    assert ServeSettings.load().bindbee_user_share == 0.5


def test_redis_settings_default_to_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, GOOD)
    settings = ServeSettings.load()
    assert settings.redis_url is None
    assert (settings.redis_key_prefix, settings.redis_timeout) == ("candidate-lookup", 1.0)
    assert settings.redis_fallback_share == 0.5


def test_bad_redis_settings_are_named_without_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://user:hunter2-secret@redis.example.com:6379"
    _set(
        monkeypatch,
        {
            **GOOD,
            "REDIS_URL": url,
            "REDIS_KEY_PREFIX": "has space",
            "REDIS_TIMEOUT": "0",
            "REDIS_FALLBACK_SHARE": "1.5",
        },
    )
    with pytest.raises(SettingsError) as caught:
        ServeSettings.load()
    message = str(caught.value)
    for name in ("REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_TIMEOUT", "REDIS_FALLBACK_SHARE"):
        assert name in message
    assert "hunter2" not in message


def test_ats_profile_url_is_optional_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, GOOD)
    assert ServeSettings.load().ats_profile_url is None
    assert ServeSettings.load().reference_cache_ttl == 600
    monkeypatch.setenv("ATS_PROFILE_URL", "https://hire.lever.co/candidates/{remote_id}")
    assert ServeSettings.load().ats_profile_url == "https://hire.lever.co/candidates/{remote_id}"
    monkeypatch.setenv("ATS_PROFILE_URL", "http://hire.lever.co/candidates/{id}")
    with pytest.raises(SettingsError) as caught:
        ServeSettings.load()
    assert "ATS_PROFILE_URL:" in str(caught.value)
