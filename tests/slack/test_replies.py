"""Replies go to Slack only: hooks.slack.com or SLACK_API_URL's origin, and never a redirect."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.replies import Replies
from tests.fakes.slack import FakeSlack


@pytest.fixture
async def replies(slack: FakeSlack) -> AsyncIterator[Replies]:
    sender = Replies(slack_api_url=slack.api_url, timeout=5)
    yield sender
    await sender.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/commands/T0TEST/1234/abcd",
        "https://hooks.slack.com/actions/T0TEST/1234/abcd",
        "https://HOOKS.SLACK.COM/commands/T0TEST/1234/abcd",
        "https://hooks.slack.com:443/commands/T0TEST/1234/abcd",
        "https://slack.com/api/whatever",  # SLACK_API_URL's origin, by default
    ],
)
def test_slacks_own_hosts_are_accepted(url: str) -> None:
    assert Replies().accepts(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/commands/T0TEST/1234/abcd",
        "https://hooks.slack.com.evil.test/commands/T0TEST/1234/abcd",
        "https://hooks.slack.com@evil.test/commands/T0TEST/1234/abcd",
        "https://user:pass@hooks.slack.com/commands/T0TEST/1234/abcd",
        "https://hooks.slack.com:8443/commands/T0TEST/1234/abcd",
        "https://evil.test/?https://hooks.slack.com/",
        "https://evilhooks.slack.com/commands",
        "https://api.slack.com/commands",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/admin",
        "hooks.slack.com/commands/T0TEST",
        "//hooks.slack.com/commands/T0TEST",
        "https://hooks.slack.com/commands\n/T0TEST",
        "https://hooks.slack.com/" + "x" * 3000,
        "file:///etc/passwd",
        "",
        None,
        ["https://hooks.slack.com/commands/T0TEST/1234/abcd"],
    ],
)
def test_anything_else_is_refused(url: object) -> None:
    assert not Replies().accepts(url)


async def test_the_fake_slacks_origin_is_accepted(slack: FakeSlack, replies: Replies) -> None:
    assert replies.accepts(slack.response_url("x"))
    assert await replies.send(slack.response_url("x"), {"text": "hello"})
    assert slack.calls_to("/webhook/x")[0].body == {"text": "hello"}


async def test_another_origin_is_refused_and_its_url_never_logged(
    slack: FakeSlack, replies: Replies, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    elsewhere = slack.response_url("x").replace("127.0.0.1", "localhost")
    assert not await replies.send(elsewhere, {"text": "a requester card"})
    assert slack.calls == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not on a Slack host" in logged
    assert "localhost" not in logged


async def test_a_redirect_is_never_followed(
    slack: FakeSlack, replies: Replies, caplog: pytest.LogCaptureFixture
) -> None:
    url = slack.response_url("x").replace("/webhook/", "/redirect/")
    assert not await replies.send(url, {"text": "a requester card"})
    assert len(slack.calls_to("/redirect/x")) == 1
    assert slack.calls_to("/webhook/") == []  # the 307 led here, and was not followed
    assert "NotSlack" in caplog.text


_SCHEMES = st.sampled_from(["https", "http", "HTTPS", "ftp", "javascript"])
_HOSTS = st.sampled_from(
    ["hooks.slack.com", "HOOKS.slack.com", "hooks.slack.com.evil.test", "evil.test", "slack.com"]
)
_USERINFO = st.sampled_from(["", "user@", "hooks.slack.com@", "a:b@"])
_PORTS = st.sampled_from(["", ":443", ":80", ":8443"])
_PATHS = st.text(alphabet="abc/?#=&%.@:", max_size=20)


@given(_SCHEMES, _USERINFO, _HOSTS, _PORTS, _PATHS)
def test_only_https_on_slacks_hosts_port_443_without_user_info_is_accepted(
    scheme: str, userinfo: str, host: str, port: str, path: str
) -> None:
    url = f"{scheme}://{userinfo}{host}{port}/{path}"
    expected = (
        scheme.lower() == "https"
        and userinfo == ""
        # hooks.slack.com, and SLACK_API_URL's origin (slack.com by default)
        and host.lower() in {"hooks.slack.com", "slack.com"}
        and port in {"", ":443"}
    )
    assert Replies(slack_api_url="https://slack.com/api/").accepts(url) == expected


@given(st.text(max_size=300))
def test_any_text_is_judged_without_failing(text: str) -> None:
    assert Replies().accepts(text) in {True, False}


# -- what is retried: slack_sdk's retry handlers judge, our loop posts -----------------------


async def test_a_server_error_is_retried_and_the_reply_delivered(
    slack: FakeSlack, replies: Replies
) -> None:
    slack.fail_webhook(1, status=500)
    assert await replies.send(slack.response_url("x"), {"text": "hello"})
    calls = slack.calls_to("/webhook/x")
    assert len(calls) == 2
    assert calls[1].body == {"text": "hello"}


async def test_a_429_is_retried_after_retry_after(slack: FakeSlack, replies: Replies) -> None:
    slack.fail_webhook(1, status=429, retry_after="0")
    assert await replies.send(slack.response_url("x"), {"text": "hello"})
    assert len(slack.calls_to("/webhook/x")) == 2


@pytest.mark.parametrize("retry_after", ["3600", "soon", ""])
async def test_a_429_with_a_long_or_unreadable_wait_is_given_up_at_once(
    slack: FakeSlack, replies: Replies, caplog: pytest.LogCaptureFixture, retry_after: str
) -> None:
    slack.fail_webhook(1, status=429, retry_after=retry_after)
    card = {"text": "hello", "blocks": [{"type": "divider"}]}
    assert not await replies.send(slack.response_url("x"), card)
    assert len(slack.calls_to("/webhook/x")) == 1  # not again as plain text: it is the rate
    assert "HTTP 429 (ratelimited)" in caplog.text


async def test_server_errors_every_time_give_up_after_the_handlers_retries(
    slack: FakeSlack, replies: Replies, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail_webhook(10, status=503)
    assert not await replies.send(slack.response_url("x"), {"text": "hello"})
    assert len(slack.calls_to("/webhook/x")) == 3  # the first post and two retries
    assert "HTTP 503" in caplog.text


async def test_refused_blocks_go_out_as_plain_text(slack: FakeSlack, replies: Replies) -> None:
    slack.refuse_blocks(1)
    card = {"text": "fallback", "blocks": [{"type": "divider"}]}
    assert await replies.send(slack.response_url("x"), card)
    first, second = slack.calls_to("/webhook/x")
    assert first.body == card
    assert second.body == {"text": "fallback"}


async def test_nobody_listening_is_not_delivered_and_says_why(
    replies: Replies, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    url = slack.response_url("x")
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = url.replace(f":{slack.url.rsplit(':', 1)[1]}", f":{port}")
    sender = Replies(slack_api_url=closed.rsplit("/webhook/", 1)[0] + "/api/", timeout=5)
    try:
        assert not await sender.send(closed, {"text": "hello"})
    finally:
        await sender.aclose()
    assert "reply not delivered: ClientConnectorError" in caplog.text
