"""The Bindbee client against the fake Bindbee over real HTTP (and a bare local server for odd
statuses).

Timing is asserted through what the fake recorded (order, counts, lower bounds between
requests), never through how long a test took.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import time
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer
from hypothesis import given
from hypothesis import strategies as st
from pydantic import AnyHttpUrl, SecretStr

import bot
from bot.ats.budget import RateBudget, RateLimitState
from bot.ats.client import BindbeeClient
from bot.ats.errors import (
    AuthRefused,
    BadResponse,
    InvalidId,
    InvalidRequest,
    LookupFailure,
    NotFound,
    RateLimited,
    Unavailable,
)
from bot.ats.retry import Retrier
from bot.config import LookupSettings
from bot.state.memory import MemoryBudget
from tests.fakes import payloads
from tests.fakes.bindbee import UNLIMITED, FakeBindbee

BY_ID = "/api/ats/v1/candidates/"
FULL_ID = payloads.FULL["id"]
UNKNOWN_ID = "018f3c2a-0000-7000-8000-000000000000"
SECRETS = (FakeBindbee.API_KEY, FakeBindbee.CONNECTOR_TOKEN)


def make_client(url: str, **overrides: Any) -> BindbeeClient:
    options: dict[str, Any] = {
        "base_url": url,
        "api_key": FakeBindbee.API_KEY,
        "connector_token": FakeBindbee.CONNECTOR_TOKEN,
        "backoff_base": 0.01,
        "deadline": 3.0,
    }
    return BindbeeClient(**(options | overrides))


@pytest.fixture
async def client(fake: FakeBindbee) -> AsyncIterator[BindbeeClient]:
    async with make_client(fake.url) as bindbee:
        yield bindbee


async def failure(call: Callable[[], Any]) -> LookupFailure:
    """The LookupFailure a call ends in (and fail the test if it ends otherwise)."""
    with pytest.raises(LookupFailure) as raised:
        await call()
    return raised.value


def assert_no_secret(error: BaseException, *secrets: str) -> None:
    """Neither the error, its chain, its attributes nor its traceback shows a secret."""
    shown = [
        str(error),
        repr(error),
        repr(vars(error)),
        "".join(traceback.format_exception(error)),
    ]
    link: BaseException | None = error
    while link is not None:
        shown.append(repr(link))
        link = link.__cause__ or link.__context__
    for secret in secrets or SECRETS:
        assert all(secret not in text for text in shown), secret


# -- the happy path ------------------------------------------------------------------------


async def test_gets_a_candidate(client: BindbeeClient, fake: FakeBindbee) -> None:
    candidate = await client.get_candidate(FULL_ID)
    assert candidate.id == FULL_ID
    assert candidate.full_name == "Amara Okafor"
    assert fake.paths() == [BY_ID + FULL_ID]


async def test_sends_the_credentials_and_says_who_it_is(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    await client.get_candidate(FULL_ID)
    headers = fake.requests[0].headers
    assert headers["authorization"] == f"Bearer {FakeBindbee.API_KEY}"
    assert headers["x-connector-token"] == FakeBindbee.CONNECTOR_TOKEN
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == f"candidate-lookup/{bot.__version__}"


async def test_keeps_the_latest_rate_limit_headers(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    assert client.rate_limit is None
    before = time.time()
    await client.get_candidate(FULL_ID)
    await client.get_candidate(FULL_ID)
    state = client.rate_limit
    assert state is not None
    assert (state.limit, state.remaining) == (UNLIMITED, UNLIMITED - 2)
    assert state.reset_at is not None
    assert before < state.reset_at <= time.time() + 61


async def test_reuses_one_connection(client: BindbeeClient, fake: FakeBindbee) -> None:
    for _ in range(3):
        await client.get_candidate(FULL_ID)
    assert len(fake.requests) == 3
    assert len({request.peer for request in fake.requests}) == 1


async def test_from_settings(fake: FakeBindbee) -> None:
    settings = LookupSettings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' own init argument
        bindbee_api_key=SecretStr(FakeBindbee.API_KEY),
        bindbee_connector_token=SecretStr(FakeBindbee.CONNECTOR_TOKEN),
        bindbee_base_url=AnyHttpUrl(fake.url),
        bindbee_read_timeout=4.0,
        bindbee_max_attempts=2,
        bindbee_rate_limit=50,
        lookup_deadline=6.0,
    )
    async with BindbeeClient.from_settings(settings) as client:
        assert (client.read_timeout, client.retrier.max_attempts, client.retrier.deadline) == (
            4.0,
            2,
            6.0,
        )
        assert isinstance(client.budget, MemoryBudget)
        assert client.budget.local.per_minute == 50
        assert (await client.get_candidate(FULL_ID)).id == FULL_ID
    assert fake.paths() == [BY_ID + FULL_ID]


async def test_closing_twice_is_harmless(fake: FakeBindbee) -> None:
    client = make_client(fake.url)
    await client.get_candidate(FULL_ID)
    await client.aclose()
    await client.aclose()
    assert client.closed
    async with make_client(fake.url) as other:
        pass
    assert other.closed


# -- every error class, over real HTTP -----------------------------------------------------


async def test_a_wrong_api_key_is_refused_without_retry(fake: FakeBindbee) -> None:
    wrong_key = "wrong-key-0123456789"
    async with make_client(fake.url, api_key=wrong_key) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, AuthRefused)
    assert "401" in str(error)
    assert len(fake.requests) == 1
    assert_no_secret(error, wrong_key, FakeBindbee.CONNECTOR_TOKEN)


async def test_a_wrong_connector_token_is_refused_and_explained(fake: FakeBindbee) -> None:
    hris_token = "hris-connector-token-0123456789"
    async with make_client(fake.url, connector_token=hris_token) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, AuthRefused)
    assert "403" in str(error)
    assert "HRIS" in str(error)
    assert len(fake.requests) == 1
    assert_no_secret(error, FakeBindbee.API_KEY, hris_token)


async def test_a_404_is_not_retried(client: BindbeeClient, fake: FakeBindbee) -> None:
    error = await failure(lambda: client.get_candidate(UNKNOWN_ID))
    assert isinstance(error, NotFound)
    assert len(fake.requests) == 1


async def test_a_422_is_an_invalid_request_naming_only_the_field(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    error = await failure(lambda: client.get_candidate("not-a-uuid"))
    assert isinstance(error, InvalidRequest)
    assert "path.id uuid_parsing" in str(error)
    assert "not-a-uuid" not in str(error)  # the body's `input` is not repeated
    assert len(fake.requests) == 1


async def test_a_single_503_is_retried_and_succeeds(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.fail(1, 503)
    assert (await client.get_candidate(FULL_ID)).id == FULL_ID
    first, second = fake.requests
    assert second.started >= first.finished


async def test_5xx_every_time_gives_up_after_max_attempts(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.fail(5, 502)
    error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    assert "502" in str(error)
    assert len(fake.requests) == client.retrier.max_attempts == 3


async def test_a_retry_whose_backoff_does_not_fit_is_not_made(fake: FakeBindbee) -> None:
    longest = Retrier(
        MemoryBudget(RateBudget(200)), backoff_base=5.0, deadline=1.0, jitter=lambda _, high: high
    )
    fake.fail(1, 503)
    async with make_client(fake.url, retrier=longest) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    assert "503" in str(error)  # the last error, not a generic timeout
    assert len(fake.requests) == 1


async def test_a_429_is_retried_after_retry_after_when_that_fits(fake: FakeBindbee) -> None:
    fake.fail(1, 429, retry_after=1)
    async with make_client(fake.url, deadline=4.0) as client:
        assert (await client.get_candidate(FULL_ID)).id == FULL_ID
    first, second = fake.requests
    assert second.started - first.finished >= 0.9  # it waited for Retry-After


async def test_a_429_whose_wait_does_not_fit_says_when_to_try_again(fake: FakeBindbee) -> None:
    fake.fail(1, 429, retry_after=1)
    async with make_client(fake.url, deadline=0.5) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, RateLimited)
    assert error.retry_after == 1.0
    assert error.retry_after_seconds == 1
    assert len(fake.requests) == 1


async def test_a_429_without_retry_after_falls_back_to_reset(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.fail(1, 429)  # the fake then says only X-RateLimit-Reset, the end of its window
    error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, RateLimited)
    assert 50 < error.retry_after <= 61
    assert len(fake.requests) == 1


async def test_a_slow_answer_ends_at_the_deadline(fake: FakeBindbee) -> None:
    fake.delay(5)
    async with make_client(fake.url, deadline=0.3) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    assert str(error) == "Bindbee did not answer within 0.3 s"
    assert len(fake.requests) == 1


async def test_a_read_timeout_is_retried_within_the_deadline(fake: FakeBindbee) -> None:
    fake.delay(2, times=2)
    async with make_client(fake.url, read_timeout=0.2, deadline=5.0) as client:
        assert (await client.get_candidate(FULL_ID)).id == FULL_ID
    assert len(fake.requests) == 3


async def test_read_timeouts_every_time_end_in_unavailable(fake: FakeBindbee) -> None:
    fake.delay(2, times=3)
    async with make_client(fake.url, read_timeout=0.1, deadline=5.0) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    assert str(error) == "Bindbee did not answer within 0.1 s"
    assert len(fake.requests) == 3


async def test_a_reset_connection_is_retried(client: BindbeeClient, fake: FakeBindbee) -> None:
    fake.reset(1)
    assert (await client.get_candidate(FULL_ID)).id == FULL_ID
    assert len(fake.requests) == 2


async def test_reset_connections_every_time_end_in_unavailable(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.reset(10)
    error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    # Three attempts of ours. aiohttp's pool may resend once on a kept-alive connection the
    # server dropped (standard for idempotent requests), so Bindbee can see up to six.
    assert 3 <= len(fake.requests) <= 6
    assert_no_secret(error)


async def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with make_client(f"http://127.0.0.1:{port}", deadline=2.0) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    assert "Connect" in str(error)  # ConnectError, or aiohttp's ClientConnectorError
    assert_no_secret(error)


async def test_invalid_json_is_a_bad_response_and_not_retried(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.invalid_json()
    error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)
    assert "not JSON" in str(error)
    assert len(fake.requests) == 1


async def test_an_html_page_is_a_bad_response(client: BindbeeClient, fake: FakeBindbee) -> None:
    fake.html()
    error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)
    assert "text/html" in str(error)


async def test_an_html_error_page_from_a_proxy_is_retried(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.html(status=502)
    assert (await client.get_candidate(FULL_ID)).id == FULL_ID
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    "body", [[], "candidate", None, {"id": FULL_ID}, {"detail": "ok"}, [payloads.FULL]]
)
async def test_json_that_is_not_a_candidate_is_a_bad_response(
    client: BindbeeClient, fake: FakeBindbee, body: object
) -> None:
    fake.body(body)
    error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)


@pytest.mark.parametrize(
    "script",
    [
        lambda fake: fake.fail(3, 503),
        lambda fake: fake.fail(1, 429, retry_after=1),
        lambda fake: fake.reset(10),
        lambda fake: fake.invalid_json(),
        lambda fake: fake.html(),
        lambda fake: fake.delay(2),
        lambda fake: fake.body({"cursor": 1}),
        lambda fake: fake.candidates.clear(),
    ],
    ids=["503", "429", "reset", "invalid_json", "html", "slow", "not_a_candidate", "404"],
)
async def test_no_error_shows_a_secret(
    fake: FakeBindbee, script: Callable[[FakeBindbee], None]
) -> None:
    script(fake)
    async with make_client(fake.url, deadline=0.5) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert_no_secret(error)


async def test_the_client_repr_shows_no_secret(client: BindbeeClient) -> None:
    for text in (repr(client), str(client)):
        assert "BindbeeClient(base_url=" in text
        assert all(secret not in text for secret in SECRETS)


async def test_logs_say_what_happened_but_nothing_personal(
    client: BindbeeClient, fake: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.ats")
    fake.fail(1, 503)
    await client.get_candidate(FULL_ID)
    lines = [record.getMessage() for record in caplog.records if record.name == "bot.ats"]
    assert len(lines) == 2
    assert "GET /api/ats/v1/candidates/{id} → 503 (attempt 1/3" in lines[0]
    assert "GET /api/ats/v1/candidates/{id} → 200 (attempt 2/3" in lines[1]
    for text in ("Amara", "Okafor", "example.com", *SECRETS):
        assert text not in caplog.text


# -- statuses the fake does not produce, from a bare local server ---------------------------

Answer = Callable[[web.BaseRequest], web.StreamResponse]


@asynccontextmanager
async def answering(answer: Answer, **overrides: Any) -> AsyncIterator[BindbeeClient]:
    """A client of a local server on which every request gets `answer(request)`."""

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        return answer(request)

    async with (
        RawTestServer(handle) as server,
        make_client(str(server.make_url("")), **overrides) as client,
    ):
        yield client


@pytest.mark.parametrize(
    ("status", "error_class", "attempts"),
    [
        (400, InvalidRequest, 1),
        (401, AuthRefused, 1),
        (403, AuthRefused, 1),
        (404, NotFound, 1),
        (405, InvalidRequest, 1),
        (409, InvalidRequest, 1),
        (422, InvalidRequest, 1),
        (500, Unavailable, 3),
        (504, Unavailable, 3),
        (599, Unavailable, 3),
        (204, BadResponse, 1),
        (302, BadResponse, 1),
    ],
)
async def test_status_mapping_and_what_is_retried(
    status: int, error_class: type[LookupFailure], attempts: int
) -> None:
    seen: list[str] = []

    def answer(request: web.BaseRequest) -> web.StreamResponse:
        seen.append(request.path)
        if status == 204:
            return web.Response(status=204)
        # A redirect is an answer, never followed (it could carry the credentials elsewhere).
        headers = {"Location": "http://127.0.0.1:1/elsewhere"} if status == 302 else None
        return web.json_response({"detail": "x"}, status=status, headers=headers)

    async with answering(answer) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert type(error) is error_class
    assert len(seen) == attempts
    assert set(seen) == {BY_ID + FULL_ID}


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"Retry-After": "30"}, 30, 30),
        ({"X-RateLimit-Reset": "+40"}, 35, 40),  # +40: forty seconds from now, in Unix time
        ({}, 60, 60),
    ],
)
async def test_retry_after_falls_back_to_reset_then_a_minute(
    headers: dict[str, str], low: float, high: float
) -> None:
    def answer(_: web.BaseRequest) -> web.StreamResponse:
        now = time.time()
        sent = {k: str(now + 40) if v == "+40" else v for k, v in headers.items()}
        return web.Response(status=429, headers=sent)

    async with answering(answer) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, RateLimited)
    assert low <= error.retry_after <= high


async def test_a_422_repeats_only_identifier_like_names() -> None:
    detail = [
        {"loc": ["header", "Bearer leaked token!"], "type": "missing", "input": "x"},
        {"loc": ["query", "page_size", 0], "type": "<b>bold</b>", "msg": "Input was 999"},
    ]

    def answer(_: web.BaseRequest) -> web.StreamResponse:
        return web.json_response({"detail": detail}, status=422)

    async with answering(answer) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert str(error) == (
        "Bindbee rejected the request (422: header.? missing; query.page_size.0 ?)"
    )


async def test_a_connection_failure_is_retried_then_unavailable() -> None:
    calls = 0

    def answer(request: web.BaseRequest) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        assert request.transport is not None
        request.transport.abort()  # the connection drops before any answer
        return web.Response()

    async with answering(answer) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    # Three attempts of ours; aiohttp may resend once on a kept-alive connection.
    assert 3 <= calls <= 6
    assert error.__cause__ is None
    assert error.__context__ is None  # aiohttp's exception (which may hold the request) is dropped
    assert_no_secret(error)


async def test_a_deeply_nested_body_is_a_bad_response() -> None:
    body = b"[" * 100_000 + b"]" * 100_000

    def answer(_: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/json")

    async with answering(answer) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)


async def test_a_body_that_cannot_be_decompressed_is_a_bad_response_not_retried() -> None:
    calls = 0

    def answer(_: web.BaseRequest) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        headers = {"Content-Encoding": "gzip"}
        return web.Response(
            body=b"not gzip at all", content_type="application/json", headers=headers
        )

    async with answering(answer) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)
    assert str(error) == "Bindbee's response could not be decoded"
    assert calls == 1


async def test_a_closed_client_sends_nothing() -> None:
    calls = 0

    def answer(_: web.BaseRequest) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return web.json_response(payloads.FULL)

    async with answering(answer) as client:
        assert (await client.get_candidate(FULL_ID)).id == FULL_ID
        await client.aclose()
        assert client.closed
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, Unavailable)
    assert calls == 1


async def test_max_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        make_client("https://bindbee.test", max_attempts=0)


# -- find_by_remote_id and check_credentials -----------------------------------------------


async def test_find_by_remote_id_tells_none_one_and_several_apart(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    assert await client.find_by_remote_id("999999") == []
    [one] = await client.find_by_remote_id("4012345001")
    assert one.id == FULL_ID
    twins = await client.find_by_remote_id(payloads.TWIN_REMOTE_ID)
    assert {twin.id for twin in twins} == {payloads.TWIN_A["id"], payloads.TWIN_B["id"]}
    assert fake.requests[-1].path == "/api/ats/v1/candidates"
    assert fake.requests[-1].query == {"remote_id": payloads.TWIN_REMOTE_ID, "page_size": "2"}


@pytest.mark.parametrize(
    "remote_id",
    ["", "a" * 257, "40 12", "40\t12", "4012\n", "\x00", "40\x7f12", "\u200b4012", "40\u202812"],
)
async def test_hostile_remote_ids_are_refused_before_any_request(
    client: BindbeeClient, fake: FakeBindbee, remote_id: str
) -> None:
    with pytest.raises(InvalidId):
        await client.find_by_remote_id(remote_id)
    assert fake.requests == []


@pytest.mark.parametrize("remote_id", ["a/b?c=d&e=f#g", "%2e%2e/admin", "ü-42", "x" * 256])
async def test_odd_remote_ids_travel_as_one_query_value(
    client: BindbeeClient, fake: FakeBindbee, remote_id: str
) -> None:
    assert await client.find_by_remote_id(remote_id) == []
    [request] = fake.requests
    assert request.path == "/api/ats/v1/candidates"
    assert request.query == {"remote_id": remote_id, "page_size": "2"}


async def test_a_list_that_ignored_the_filter_finds_nobody(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.body({"cursor": None, "page_size": 2, "items": [payloads.FULL, payloads.NO_EMAIL]})
    assert await client.find_by_remote_id("4019999999") == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"items": []},
        {"cursor": None, "page_size": 1, "items": "x"},
        {"cursor": None, "page_size": "many", "items": []},
        {"cursor": 7, "page_size": 0, "items": []},
        {"cursor": None, "page_size": 1, "items": [{"id": "x"}]},
        payloads.FULL,
    ],
)
async def test_a_bad_envelope_is_a_bad_response(
    client: BindbeeClient, fake: FakeBindbee, body: object
) -> None:
    fake.body(body)
    error = await failure(lambda: client.find_by_remote_id("4012345001"))
    assert isinstance(error, BadResponse)


# -- list_candidates (searches) -----------------------------------------------------------


async def test_list_candidates_sends_each_filter_once_and_follows_a_cursor(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    filters = {"first_name": "Sam", "last_name": "Taylor"}
    first = await client.list_candidates(filters, page_size=1)
    assert [c.id for c in first.items] == [payloads.TWIN_A["id"]]
    assert first.cursor
    second = await client.list_candidates(filters, page_size=1, cursor=first.cursor)
    assert [c.id for c in second.items] == [payloads.TWIN_B["id"]]
    assert second.cursor is None
    assert [parse_qsl(q) for q in fake.query_strings()] == [
        [("first_name", "Sam"), ("last_name", "Taylor"), ("page_size", "1")],
        [
            ("first_name", "Sam"),
            ("last_name", "Taylor"),
            ("page_size", "1"),
            ("cursor", first.cursor),
        ],
    ]


@given(st.text(min_size=1, max_size=200).filter(str.isprintable))
def test_any_printable_filter_value_is_one_parameter(value: str) -> None:
    seen: list[tuple[str, str]] = []

    def answer(request: web.BaseRequest) -> web.StreamResponse:
        seen.append((request.path, request.query_string))
        return web.json_response({"cursor": None, "page_size": 0, "items": []})

    async def search() -> None:
        async with answering(answer) as bindbee:
            await bindbee.list_candidates({"last_name": value}, page_size=25)

    asyncio.run(search())
    [(path, query)] = seen
    assert parse_qsl(query, keep_blank_values=True, strict_parsing=True) == [
        ("last_name", value),
        ("page_size", "25"),
    ]
    assert path == "/api/ats/v1/candidates"


async def test_list_candidates_refuses_what_it_must_not_send(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    with pytest.raises(ValueError, match="filter"):
        await client.list_candidates({"remote_id": "1"}, page_size=25)
    for page_size in (0, 201):
        with pytest.raises(ValueError, match="page_size"):
            await client.list_candidates({"first_name": "Sam"}, page_size=page_size)
    for value in ("", "x" * 1001, "Sam\x00", "Sam\nTaylor", "\u200bSam"):
        with pytest.raises(InvalidId):
            await client.list_candidates({"first_name": value}, page_size=25)
    with pytest.raises(InvalidId):
        await client.list_candidates({"first_name": "Sam"}, page_size=25, cursor="a b")
    assert fake.requests == []


async def test_an_unreadable_item_is_skipped_and_a_non_page_is_a_bad_response(
    client: BindbeeClient, fake: FakeBindbee
) -> None:
    fake.body({"cursor": "", "page_size": 2, "items": [{"id": "no-modified-at"}, payloads.FULL]})
    page = await client.list_candidates({"first_name": "Amara"}, page_size=25)
    assert [c.id for c in page.items] == [FULL_ID]
    assert page.cursor is None  # an empty cursor is the last page too
    fake.body([payloads.FULL])
    with pytest.raises(BadResponse, match="not a page"):
        await client.list_candidates({"first_name": "Amara"}, page_size=25)


async def test_check_credentials(fake: FakeBindbee) -> None:
    async with make_client(fake.url) as client:
        await client.check_credentials()
    assert fake.requests[0].query == {"page_size": "1"}
    async with make_client(fake.url, api_key="nope") as client:
        with pytest.raises(AuthRefused):
            await client.check_credentials()
    async with make_client(fake.url, connector_token="hris") as client:
        with pytest.raises(AuthRefused, match="403"):
            await client.check_credentials()


# -- path safety -----------------------------------------------------------------------------

HOSTILE_IDS = [
    "../../admin",
    "a/b?x=1#f",
    "%2e%2e%2f",
    "..",
    ".",
    "a" * 129,
    "abc\x00def",
    "abc\r\nX-Injected: 1",
    "",
    "ünïcødé",
    "a b",
    "~",
    "-._~",
    ".a",
]


def assert_refused_or_one_segment(fake: FakeBindbee, outcome: object) -> None:
    """Either InvalidId and no request, or exactly one request for one segment of ours."""
    if isinstance(outcome, InvalidId):
        assert fake.requests == []
        return
    [request] = fake.requests
    assert request.raw_path.startswith(BY_ID)
    segment = request.raw_path.removeprefix(BY_ID)
    assert segment
    assert not set(segment) & set("/?#\\")
    assert unquote(segment) not in {".", ".."}


@pytest.mark.parametrize("candidate_id", HOSTILE_IDS)
async def test_hostile_ids_are_refused_or_stay_one_segment(
    client: BindbeeClient, fake: FakeBindbee, candidate_id: str
) -> None:
    try:
        await client.get_candidate(candidate_id)
        outcome: object = None
    except LookupFailure as error:
        outcome = error
    assert_refused_or_one_segment(fake, outcome)


def test_any_text_is_refused_or_stays_one_segment(fake: FakeBindbee) -> None:
    # One client and one event loop for every example: a sync test that drives the loop.
    with asyncio.Runner() as runner:
        client = make_client(fake.url)

        @given(st.text() | st.text(alphabet="abc019-._~/%?#:;@ \\\x00é"))
        def check(candidate_id: str) -> None:
            fake.clear()
            try:
                runner.run(client.get_candidate(candidate_id))
                outcome: object = None
            except LookupFailure as error:
                outcome = error
            assert_refused_or_one_segment(fake, outcome)

        try:
            check()
        finally:
            runner.run(client.aclose())


def test_rate_limit_state_is_frozen() -> None:
    state = RateLimitState(limit=200, remaining=10, reset_at=1.0)
    with pytest.raises(AttributeError):
        state.remaining = 5  # type: ignore[misc]


# -- body size -------------------------------------------------------------------------------

LIMIT = 100_000


@pytest.mark.parametrize("declare_length", [True, False])
async def test_a_body_over_the_limit_is_a_bad_response_read_no_further(
    fake: FakeBindbee, declare_length: bool
) -> None:
    fake.huge_body(200_000_000, declare_length=declare_length)
    async with make_client(fake.url, max_body_bytes=LIMIT) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)
    assert str(error) == f"Bindbee's response is larger than {LIMIT} bytes"
    assert len(fake.requests) == 1  # not retried
    # What the fake got out before we hung up: socket buffers at most, not 200 MB.
    assert fake.streamed_bytes < 20_000_000


async def test_a_body_within_the_limit_is_read_and_decoded_off_the_event_loop(
    fake: FakeBindbee,
) -> None:
    big = dict(payloads.FULL, raw_data={"notes": "n" * 500_000})
    fake.body(big, path_contains=FULL_ID)
    async with make_client(fake.url, max_body_bytes=600_000) as client:
        candidate = await client.get_candidate(FULL_ID)
    assert candidate.id == FULL_ID


async def test_the_body_limit_is_a_setting(fake: FakeBindbee) -> None:
    settings = LookupSettings.load(
        _env_file=None,
        bindbee_api_key="k",
        bindbee_connector_token="t",
        bindbee_base_url=fake.url,
        bindbee_max_body_bytes=50_000,
    )
    async with BindbeeClient.from_settings(settings) as client:
        assert client.max_body_bytes == 50_000
    assert LookupSettings.model_fields["bindbee_max_body_bytes"].default == 2_000_000


async def test_a_compressed_body_is_capped_once_decompressed() -> None:
    body = gzip.compress(b'{"pad": "' + b"a" * 1_000_000 + b'"}')  # about 1 kB on the wire

    def answer(_: web.BaseRequest) -> web.StreamResponse:
        headers = {"Content-Encoding": "gzip"}
        return web.Response(body=body, content_type="application/json", headers=headers)

    async with answering(answer, max_body_bytes=LIMIT) as client:
        error = await failure(lambda: client.get_candidate(FULL_ID))
    assert isinstance(error, BadResponse)
