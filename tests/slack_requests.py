"""Requests signed exactly as Slack signs them, for tests that talk to the served app."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signed_headers(
    body: str, content_type: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers carrying Slack's v0 signature of `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # None only when the timestamp or body is missing
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }


def command_body(
    text: str,
    response_url: str | None,
    *,
    user_id: str = "U0ALICE",
    channel_id: str = "C0HIRING",
    team_id: str = "T0TEST",
    trigger_id: str = "1234.5678.abcd",
) -> str:
    """A `/candidate` slash-command form body, as Slack posts it (no response_url if None)."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": "test-team",
        "channel_id": channel_id,
        "channel_name": "hiring",
        "user_id": user_id,
        "user_name": "alice",
        "command": "/candidate",
        "text": text,
        "api_app_id": "A0APP",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode({key: value for key, value in fields.items() if value is not None})


def action_body(
    action_id: str,
    value: str,
    response_url: str | None,
    *,
    user_id: str = "U0ALICE",
    team_id: str = "T0TEST",
    channel_id: str = "C0HIRING",
    message_ts: str = "1700000000.000100",
) -> str:
    """A block_actions interactivity body (`payload=<json>`), as Slack posts it."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "test-team"},
        "user": {"id": user_id, "username": "alice", "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": True,
        },
        "trigger_id": "1234.5678.abcd",
        "channel": {"id": channel_id, "name": "hiring"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "card",
                "value": value,
                "action_ts": "1700000001.000200",
            }
        ],
    }
    if response_url is None:
        del payload["response_url"]
    return urlencode({"payload": json.dumps(payload)})


def event_body(
    event: dict[str, Any], *, event_id: str = "Ev0001", team_id: str = "T0TEST", **envelope: Any
) -> str:
    """An Events API `event_callback` JSON body wrapping `event`.

    Like Slack's own, the envelope says whether the channel is shared with another
    organisation (`is_ext_shared_channel`, false unless `envelope` says otherwise).
    """
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": team_id,
                    "user_id": "U0BOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event": event,
            **envelope,
        }
    )


def link_shared_event(
    urls: list[str], *, source: str = "conversations_history", channel: str = "C0HIRING"
) -> dict[str, Any]:
    """A `link_shared` event for `urls`; `source="composer"` gives the composer variant."""
    composer = source == "composer"
    unfurl_id = "C0HIRING.1700000000.000100.abc123" if not composer else "U0ALICE-COMPOSER-1"
    return {
        "type": "link_shared",
        "channel": "COMPOSER" if composer else channel,
        "is_bot_user_member": True,
        "user": "U0ALICE",
        "message_ts": unfurl_id if composer else "1700000000.000100",
        "unfurl_id": unfurl_id,
        "source": source,
        "event_ts": "1700000000.000200",
        "links": [{"domain": url.split("/")[2], "url": url} for url in urls],
    }


def home_button_body(action_id: str, *, user_id: str, team_id: str) -> str:
    """A block_actions body for a button on the app's Home tab (no response_url there)."""
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "test-team"},
        "user": {"id": user_id, "username": "someone", "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": "2222.3333.home",
        "view": {"id": "V0HOME", "type": "home", "team_id": team_id},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "home",
                "value": "connect",
                "action_ts": "1700000001.000200",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(
    callback_id: str, values: dict[str, Any], *, user_id: str, team_id: str
) -> str:
    """A view_submission body for a modal whose state holds `values`, as Slack posts it."""
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "test-team"},
        "user": {"id": user_id, "username": "someone", "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "trigger_id": "4444.5555.submit",
        "view": {
            "id": "V0MODAL",
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "state": {"values": values},
            "app_installed_team_id": team_id,
        },
    }
    return urlencode({"payload": json.dumps(payload)})
