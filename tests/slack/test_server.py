"""Serving: health, Slack's signature check, url_verification, auth.test, Socket Mode, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.slack.incoming import routable
from bot.slack.server import Server
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.harness import RunningApp, StartApp, settings_for
from tests.slack_requests import FORM, JSON, command_body, signed_headers

CHALLENGE = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
URL_VERIFICATION = json.dumps(
    {"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": CHALLENGE, "type": "url_verification"}
)


async def test_healthz_answers_200_once_ready(app: RunningApp) -> None:
    response = await app.http.get(f"{app.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_auth_test_goes_to_the_configured_slack_api(app: RunningApp) -> None:
    calls = app.slack.calls_to("/api/auth.test")
    assert len(calls) == 1
    assert calls[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"


async def test_signed_url_verification_returns_the_challenge(app: RunningApp) -> None:
    response = await app.post(URL_VERIFICATION, JSON)
    assert response.status_code == 200
    assert response.json() == {"challenge": CHALLENGE}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"content-type": JSON}, id="unsigned"),
        pytest.param(
            {**signed_headers(URL_VERIFICATION, JSON, secret="some-other-secret")},
            id="wrong-secret",
        ),
        pytest.param(
            {**signed_headers(URL_VERIFICATION, JSON, timestamp=int(time.time()) - 301)},
            id="older-than-5-minutes",
        ),
        pytest.param(
            {**signed_headers(URL_VERIFICATION + " ", JSON)},
            id="body-changed-after-signing",
        ),
    ],
)
async def test_requests_not_signed_by_slack_get_401(
    app: RunningApp, headers: dict[str, str]
) -> None:
    response = await app.http.post(
        f"{app.url}/slack/events", content=URL_VERIFICATION, headers=headers
    )
    assert response.status_code == 401


async def test_unsigned_command_never_reaches_the_ats(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    body = command_body(FULL["id"], app.slack.response_url())
    response = await app.http.post(
        f"{app.url}/slack/events", content=body, headers={"content-type": FORM}
    )
    assert response.status_code == 401
    assert bindbee.requests == []


async def test_stopping_closes_the_port_and_health(start_app: StartApp) -> None:
    app = await start_app()
    await app.server.stop()
    with pytest.raises(httpx.ConnectError):
        await app.http.get(f"{app.url}/healthz")


async def test_refused_bot_token_stops_start_up(slack: FakeSlack, bindbee: FakeBindbee) -> None:
    from bot.slack.server import TokenRefused

    slack.token = "xoxb-some-other-token"
    server = Server(settings_for(slack, bindbee))
    with pytest.raises(TokenRefused, match="invalid_auth"):
        await server.start()
    await server.stop()


async def test_socket_mode_acknowledges_a_slash_command(
    slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    bindbee.add(FULL)
    settings = settings_for(slack, bindbee, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    server = Server(settings)
    await server.start()
    try:
        await asyncio.to_thread(slack.wait_for_socket)
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "command": "/candidate",
                "text": FULL["id"],
                "user_id": "U0ALICE",
                "channel_id": "C0HIRING",
                "team_id": "T0TEST",
                "response_url": slack.response_url("socket"),
            },
        }
        slack.send_envelope(envelope)
        frame = await asyncio.to_thread(slack.wait_for_frame, "env-1")
        assert frame["envelope_id"] == "env-1"
        reply = (await slack.wait_for_async("/webhook/socket"))[0].body
        assert str(FULL["first_name"]) in json.dumps(reply)
        assert len(slack.calls_to("/api/apps.connections.open")) >= 1
    finally:
        await server.stop()


def test_sigterm_lets_a_lookup_in_flight_finish_then_exits_0(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeBindbee(latency=1.5) as bindbee:
        bindbee.add(FULL)
        port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "SYSTEMROOT"}},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "BINDBEE_API_KEY": FakeBindbee.API_KEY,
            "BINDBEE_CONNECTOR_TOKEN": FakeBindbee.CONNECTOR_TOKEN,
            "BINDBEE_BASE_URL": bindbee.url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            body = command_body(FULL["id"], slack.response_url("deploy"))
            ack = httpx.post(
                f"{base}/slack/events", content=body, headers=signed_headers(body, FORM)
            )
            assert ack.status_code == 200
            process.send_signal(signal.SIGTERM)  # while the ATS is still thinking
            # new requests are refused while the lookup in flight finishes
            reply = slack.wait_for("/webhook/deploy", within=15)[0].body
            assert FULL["first_name"] in json.dumps(reply)
            assert process.wait(timeout=15) == 0
        finally:
            if process.poll() is None:
                process.kill()
            _, stderr = process.communicate(timeout=5)
        assert "Traceback" not in stderr
        assert "waiting for 1 lookup(s) in flight" in stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("the app never became healthy")


# Bodies that used to reach Bolt's parser before any signature check, and end in a 500.
MALFORMED = {
    "payload-not-json": b"payload=%7Bbad",
    "json-not-closed": b"{bad",
    "deeply-nested-json": b"[" * 100_000 + b"]" * 100_000,
    "deeply-nested-payload": b"payload=" + b"%5B" * 50_000,
    "not-utf-8": b"\xff\xfe\xfa payload=\xc3\x28",
    "json-list": b"[1, 2, 3]",
    "team-not-an-object": b'{"type": "event_callback", "team": 5, "authorizations": "x"}',
}


def _no_trace(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_unsigned_malformed_bodies_get_401_and_are_never_parsed(
    app: RunningApp, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    for content_type in (FORM, JSON):
        response = await app.http.post(
            f"{app.url}/slack/events", content=body, headers={"content-type": content_type}
        )
        assert response.status_code == 401
    _no_trace(caplog)


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_signed_malformed_bodies_get_400_or_401_without_a_trace(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    timestamp = str(int(time.time()))
    try:
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(
            timestamp=timestamp, body=body
        )
    except UnicodeDecodeError:  # Slack signs text: bytes that are not UTF-8 cannot be signed
        signature = "v0=" + "0" * 64
    headers = {"x-slack-request-timestamp": timestamp, "x-slack-signature": str(signature)}
    for content_type in (FORM, JSON):
        response = await app.http.post(
            f"{app.url}/slack/events",
            content=body,
            headers={**headers, "content-type": content_type},
        )
        assert response.status_code in {400, 401}
    _no_trace(caplog)
    assert bindbee.requests == []


@pytest.mark.parametrize("timestamp", ["now", "", "1e9", "1700000000.5", "0x65a0", "-1", "1_700"])
async def test_a_malformed_timestamp_gets_401_without_a_trace(
    app: RunningApp, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    headers = {**signed_headers(URL_VERIFICATION, JSON), "x-slack-request-timestamp": timestamp}
    response = await app.http.post(
        f"{app.url}/slack/events", content=URL_VERIFICATION, headers=headers
    )
    assert response.status_code == 401
    _no_trace(caplog)


async def test_a_body_over_the_cap_is_refused_unread(app: RunningApp) -> None:
    from bot.slack.incoming import MAX_BODY_BYTES

    assert MAX_BODY_BYTES < 1024 * 1024  # aiohttp's own default cap, which is too lax
    for size, status in ((MAX_BODY_BYTES + 1, 413), (MAX_BODY_BYTES - 5000, 200)):
        body = command_body("x" * (size - len(command_body("", None))), None)
        assert abs(len(body) - size) < 5
        response = await app.http.post(
            f"{app.url}/slack/events", content=body, headers=signed_headers(body, FORM)
        )
        assert response.status_code == status


async def test_app_rate_limited_is_answered_200_with_a_warning(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    # https://api.slack.com/events/app_rate_limited
    notice = json.dumps(
        {
            "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
            "type": "app_rate_limited",
            "team_id": "T0TEST",
            "minute_rate_limited": 1518467820,
            "api_app_id": "A0APP",
        }
    )
    response = await app.post(notice, JSON)
    assert response.status_code == 200
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "app_rate_limited" in warning.getMessage()
    assert "team=T0TEST" in warning.getMessage()


# Signed bodies, well-formed JSON, but with fields Bolt's routing reads in shapes Slack never
# sends: they used to fail inside Bolt's matchers, with a 500 and a trace.
MISSHAPEN = {
    "actions-of-strings": (
        "form",
        {"type": "block_actions", "team": {"id": "T0TEST"}, "actions": ["x"]},
    ),
    "action-id-a-number": (
        "form",
        {"type": "block_actions", "team": {"id": "T0TEST"}, "actions": [{"action_id": 5}]},
    ),
    "actions-a-string": (
        "form",
        {"type": "block_actions", "team": {"id": "T0TEST"}, "actions": "x"},
    ),
    "view-a-string": ("form", {"type": "view_submission", "team": {"id": "T0TEST"}, "view": "x"}),
    "event-a-string": ("json", {"type": "event_callback", "team_id": "T0TEST", "event": "x"}),
    "authorizations-of-numbers": ("json", {"type": "event_callback", "authorizations": [5]}),
    "no-team-at-all": ("json", {"type": "event_callback", "event": {"type": "link_shared"}}),
}


@pytest.mark.parametrize(("kind", "body"), MISSHAPEN.values(), ids=MISSHAPEN.keys())
async def test_signed_bodies_of_the_wrong_shape_get_400_without_a_trace(
    app: RunningApp, caplog: pytest.LogCaptureFixture, kind: str, body: dict[str, object]
) -> None:
    if kind == "form":
        response = await app.post(urlencode({"payload": json.dumps(body)}), FORM)
    else:
        response = await app.post(json.dumps(body), JSON)
    assert response.status_code == 400
    _no_trace(caplog)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "event", "actions", "team", "user", "view", "action_id", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(_JSON)
def test_the_shape_check_takes_any_json_without_failing(body: object) -> None:
    assert routable(body) in {True, False}
