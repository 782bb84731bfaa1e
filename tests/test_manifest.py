"""manifest.yml: valid against Slack's own schema, and in step with what the code handles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.core.links import BUILTIN_PATTERNS
from bot.slack.listeners import COMMAND

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "schemas" / "slack-manifest.schema.1.0.0.json"


def _manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def test_manifest_validates_against_slacks_schema() -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(_manifest())]
    assert errors == []


def test_the_schema_check_catches_a_broken_manifest() -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    broken = _manifest()
    broken["features"]["slash_commands"][0]["command"] = "candidate"  # no leading slash
    broken["features"]["unfurl_domains"].append("https://bad.example.com")
    assert len(list(validator.iter_errors(broken))) >= 2


def test_slash_command_is_the_one_the_app_registers() -> None:
    commands = _manifest()["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [COMMAND]
    assert commands[0]["description"]
    assert commands[0]["usage_hint"]


def test_unfurl_domains_are_exactly_the_builtin_patterns() -> None:
    assert _manifest()["features"]["unfurl_domains"] == [p.domain for p in BUILTIN_PATTERNS]


def test_events_scopes_and_interactivity() -> None:
    manifest = _manifest()
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["link_shared"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "channels:read",
        "commands",
        "groups:read",
        "im:read",
        "links:read",
        "links:write",
        "mpim:read",
    ]


def test_request_urls_are_placeholders_on_the_events_endpoint() -> None:
    manifest = _manifest()
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    assert all(url == "https://candidate-lookup.example.com/slack/events" for url in urls)


def test_procfile_serves_over_http() -> None:
    assert (ROOT / "Procfile").read_text().strip() == "web: python -m bot"


def _oauth_manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest-oauth.yml").read_text())
    return loaded


def test_the_oauth_manifest_validates_against_slacks_schema() -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(_oauth_manifest())]
    assert errors == []


def test_the_oauth_manifest_matches_what_oauth_mode_serves() -> None:
    from bot.app import REDIRECT_PATH
    from bot.config import DEFAULT_SCOPES

    oauth = _oauth_manifest()
    assert oauth["features"]["app_home"]["home_tab_enabled"] is True
    redirects = oauth["oauth_config"]["redirect_urls"]
    assert redirects == [f"https://candidate-lookup.example.com{REDIRECT_PATH}"]
    assert sorted(oauth["oauth_config"]["scopes"]["bot"]) == sorted(DEFAULT_SCOPES.split(","))
    assert oauth["settings"]["event_subscriptions"]["bot_events"] == [
        "link_shared",
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    ]
    # Everything else is the single-workspace manifest's.
    single = _manifest()
    assert oauth["features"]["unfurl_domains"] == single["features"]["unfurl_domains"]
    assert oauth["features"]["slash_commands"][0]["command"] == COMMAND
