"""A share's dedupe key: one per workspace, clicked message and candidate."""

from __future__ import annotations

from typing import Any

from bot.slack.listeners.actions import ShareRequest


def _press(
    team: str, channel: str = "C0SHARED", ts: str = "1.2", value: str = "c1"
) -> ShareRequest:
    body: dict[str, Any] = {
        "team": {"id": team},
        "channel": {"id": "C0SHARED"},
        "container": {"message_ts": ts},
        "user": {"id": "U1"},
    }
    return ShareRequest.from_body(body, {"value": value})


def test_the_same_message_in_two_workspaces_is_two_shares() -> None:
    # A Slack Connect channel keeps its id in every workspace it joins.
    assert _press("T0ACME").key != _press("T0GLOBEX").key


def test_a_repeat_in_one_workspace_is_one_share() -> None:
    assert _press("T0ACME").key == _press("T0ACME").key
    assert _press("T0ACME").key != _press("T0ACME", value="c2").key
    assert _press("T0ACME").key != _press("T0ACME", ts="1.3").key
