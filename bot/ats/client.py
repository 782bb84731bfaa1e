"""The Bindbee client: reads candidates and their applications over one shared connection
pool, within a deadline.

    async with BindbeeClient.from_settings(settings) as bindbee:
        candidate = await bindbee.get_candidate("018b18ef-c487-703c-afd9-0ca478ccd9d6")

    GET /api/ats/v1/candidates/{id}                  get_candidate
    GET /api/ats/v1/candidates?remote_id=…           find_by_remote_id
    GET /api/ats/v1/applications?candidate=…&expand= fetch_applications (the body, unread)
    GET /api/ats/v1/jobs?ids=a,b                     get_jobs
    GET /api/ats/v1/job-interview-stages?ids=a,b     get_stages
    GET /api/ats/v1/reject-reasons?ids=a,b           get_reject_reasons

This module maps endpoints to models and HTTP statuses to the errors drawn in
bot/ats/errors.py. Retries, the rate budget and the deadline are the retry engine's
(bot/ats/retry.py): every call ends within `deadline` seconds, with a result or an error.
The deadline covers reading, decoding and parsing the body too. A body is read at most
`max_body_bytes` long: a longer one is a BadResponse, read no further (a Content-Length
over the limit is refused before the body is read at all).

Requests go straight through aiohttp, over one connection pool per process (`BindbeePool`),
whatever the number of connectors. An earlier version ran httpx on top of the same aiohttp
pool; its client layer cost about 1 ms of CPU per request, the largest single cost of a card
(BENCHMARKS.md). Redirects are never followed (one could carry the credentials elsewhere)
and no cookie is kept (one connector's answer must not shape another's request).

The API key and connector token live only in this client's headers. Our errors are built
after leaving the `except` block, so they chain no aiohttp exception (which may hold the
request), and no message or log line of ours quotes a header or a response body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self, TypeVar, cast
from urllib.parse import quote

import aiohttp
from aiohttp.http_exceptions import ContentEncodingError
from multidict import CIMultiDictProxy
from pydantic import BaseModel, ConfigDict, ValidationError

from bot import __version__
from bot.ats.budget import RateBudget, RateLimitState, retry_after
from bot.ats.errors import (
    AtsError,
    AuthRefused,
    BadResponse,
    InvalidId,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)
from bot.ats.ids import check_id, check_remote_id, is_plausible_id
from bot.ats.models import (
    Candidate,
    CandidatePage,
    Job,
    RejectReason,
    Stage,
    parse_records,
)
from bot.ats.retry import Retrier, no_answer
from bot.config import LookupSettings, Settings
from bot.logs import elapsed_ms
from bot.state.base import Budget
from bot.state.memory import MemoryBudget

CANDIDATES = "/api/ats/v1/candidates"
DEFAULT_MAX_BODY_BYTES = 2_000_000
# Decoding a small body takes less time than handing it to a worker thread.
_DECODE_IN_THREAD_FROM = 64_000
APPLICATIONS = "/api/ats/v1/applications"
JOBS = "/api/ats/v1/jobs"
STAGES = "/api/ats/v1/job-interview-stages"
REJECT_REASONS = "/api/ats/v1/reject-reasons"
# Bindbee documents `expand` loosely (docs.bindbee.dev/ats/application): when it is not
# honoured the answer holds ids, which bot/lookups.py resolves with the endpoints above.
EXPAND = "job,current_stage,reject_reason"
APPLICATIONS_PAGE = 100  # one page: a card shows five, and says how many more
MAX_PAGE_SIZE = 200  # Bindbee's maximum page_size

T = TypeVar("T")
MAX_PAGE_SIZE = 200  # Bindbee's documented range is 1–200
MAX_FILTER_LENGTH = 1000
# The list filters a search may use (https://docs.bindbee.dev/ats/candidate/get-candidates).
SEARCH_FILTERS = frozenset({"email_addresses", "first_name", "last_name"})

_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
_BY_ID = CANDIDATES + "/{id}"  # the path template we log: never the id itself in a path
_log = logging.getLogger("bot.ats")
_R = TypeVar("_R", Job, Stage, RejectReason)


class _Page(BaseModel):
    """Bindbee's list envelope: `{cursor, page_size, items}`, all three required."""

    model_config = ConfigDict(extra="ignore")

    cursor: str | None
    page_size: int
    items: list[Any]


class BindbeeClient:
    """Reads candidates from Bindbee's unified ATS API, one instance per process."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connector_token: str,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        deadline: float = 8.0,
        max_attempts: int = 3,
        rate_limit_per_minute: int = 200,
        user_share: float = 1.0,
        backoff_base: float = 0.2,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        pool: BindbeePool | None = None,
        retrier: Retrier | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.base_url = base_url
        self.max_body_bytes = max_body_bytes
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retrier = retrier or Retrier(
            # One per connector token: in this process, or shared by every instance (bot/state/).
            budget or MemoryBudget(RateBudget(rate_limit_per_minute, user_share=user_share)),
            deadline=deadline,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
        )
        self.budget = self.retrier.budget
        self.rate_limit: RateLimitState | None = None  # as of the latest response
        self._prefix = base_url.rstrip("/")  # paths start with "/", as httpx's base_url joined them
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "x-connector-token": connector_token,
            "Accept": "application/json",
            "User-Agent": f"candidate-lookup/{__version__}",
        }
        self._own_pool = pool is None
        self._pool = pool or BindbeePool()
        self._closed = False

    @classmethod
    def from_settings(
        cls,
        settings: LookupSettings,
        *,
        pool: BindbeePool | None = None,
        budget: Budget | None = None,
    ) -> Self:
        """A client configured from the app's settings."""
        token = settings.bindbee_connector_token.get_secret_value()
        return cls.for_connector(settings, token, pool=pool, budget=budget)

    @classmethod
    def for_connector(
        cls,
        settings: Settings,
        connector_token: str,
        *,
        pool: BindbeePool | None = None,
        deadline: float | None = None,
        max_attempts: int | None = None,
        budget: Budget | None = None,
    ) -> Self:
        """A client for one connector token; everything else (API key included) from settings,
        unless given here."""
        if settings.bindbee_api_key is None:
            raise ValueError("BINDBEE_API_KEY is not set")
        return cls(
            base_url=str(settings.bindbee_base_url),
            api_key=settings.bindbee_api_key.get_secret_value(),
            connector_token=connector_token,
            connect_timeout=settings.bindbee_connect_timeout,
            read_timeout=settings.bindbee_read_timeout,
            deadline=deadline or settings.lookup_deadline,
            max_attempts=max_attempts or settings.bindbee_max_attempts,
            rate_limit_per_minute=settings.bindbee_rate_limit,
            user_share=settings.bindbee_user_share,
            max_body_bytes=settings.bindbee_max_body_bytes,
            pool=pool,
            budget=budget,
        )

    def __repr__(self) -> str:
        return (
            f"BindbeeClient(base_url={self.base_url!r}, deadline={self.retrier.deadline:g}, "
            f"max_attempts={self.retrier.max_attempts})"
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool, unless it is shared; closing twice is harmless."""
        self._closed = True
        if self._own_pool:
            await self._pool.close()

    @property
    def closed(self) -> bool:
        """Whether aclose() has run."""
        return self._closed

    async def get_candidate(self, candidate_id: str) -> Candidate:
        """The candidate with this Bindbee id."""
        check_id(candidate_id)
        # check_id admits only unreserved characters; quoting anyway keeps the id one
        # path segment even if that rule is ever relaxed.
        path = f"{CANDIDATES}/{quote(candidate_id, safe='')}"
        return await self._get(path, template=_BY_ID, parse=Candidate.from_payload)

    async def find_by_remote_id(self, remote_id: str) -> list[Candidate]:
        """Candidates whose ATS id is `remote_id`: none, one, or two of several."""
        check_remote_id(remote_id)
        # Two are enough to tell "one" from "several".
        params = {"remote_id": remote_id, "page_size": "2"}
        found = await self._get(CANDIDATES, template=CANDIDATES, params=params, parse=_candidates)
        # Should Bindbee ever ignore the filter, we must not show some other candidate.
        return [candidate for candidate in found if candidate.remote_id == remote_id]

    async def list_candidates(
        self, filters: Mapping[str, str], *, page_size: int, cursor: str | None = None
    ) -> CandidatePage:
        """One page of the candidates that Bindbee's list `filters` select.

        Filters go out as query parameters that yarl encodes, one per filter, so no text in
        a value can add, change or remove a parameter.
        """
        check_list_request(filters, page_size=page_size, cursor=cursor)
        params = {**filters, "page_size": str(page_size)}
        if cursor is not None:
            params["cursor"] = cursor
        return await self._get(CANDIDATES, template=CANDIDATES, params=params, parse=_listed)

    async def fetch_applications(self, candidate_id: str) -> object:
        """One page of the candidate's applications, as decoded JSON and not yet read.

        The caller parses it (`models.parse_applications`) only once it knows the candidate
        is not private, so that a private candidate's applications are dropped unread.
        """
        check_id(candidate_id)
        params = {"candidate": candidate_id, "expand": EXPAND, "page_size": str(APPLICATIONS_PAGE)}
        return await self._get(APPLICATIONS, template=APPLICATIONS, params=params, parse=_unread)

    async def get_jobs(self, ids: Sequence[str]) -> list[Job]:
        """The jobs with these Bindbee ids, in one request; ids Bindbee does not know are absent."""
        return await self._by_ids(JOBS, ids, Job, "jobs")

    async def get_stages(self, ids: Sequence[str]) -> list[Stage]:
        """The job interview stages with these Bindbee ids, in one request."""
        return await self._by_ids(STAGES, ids, Stage, "job interview stages")

    async def get_reject_reasons(self, ids: Sequence[str]) -> list[RejectReason]:
        """The reject reasons with these Bindbee ids, in one request (the list endpoint takes
        an `ids` filter, https://docs.bindbee.dev/ats/reject-reason; it has no `expand`)."""
        return await self._by_ids(REJECT_REASONS, ids, RejectReason, "reject reasons")

    async def _by_ids(self, path: str, ids: Sequence[str], kind: type[_R], what: str) -> list[_R]:
        wanted = list(dict.fromkeys(i for i in ids if is_plausible_id(i)))[:MAX_PAGE_SIZE]
        if not wanted:
            return []
        params = {"ids": ",".join(wanted), "page_size": str(len(wanted))}

        def parse(body: object) -> list[_R]:
            return parse_records(body, kind, what)

        records = await self._get(path, template=path, params=params, parse=parse)
        # Should Bindbee ever ignore the filter, no other record may pass for one we asked for.
        return [record for record in records if record.id in wanted]

    async def check_credentials(self) -> None:
        """Make one cheap request, raising the usual errors if Bindbee refuses it."""
        await self._get(CANDIDATES, template=CANDIDATES, params={"page_size": "1"}, parse=_page)

    async def _get(
        self,
        path: str,
        *,
        template: str,
        params: dict[str, str] | None = None,
        parse: Callable[[object], T],
    ) -> T:
        """GET `path`, decode its JSON body and `parse` it, within the budget and deadline."""

        async def attempt(number: int, deadline: float) -> T | AtsError:
            outcome = await self._attempt(path, params, deadline, template, number)
            return outcome if isinstance(outcome, AtsError) else await _decoded(outcome, parse)

        # The retrier returns what an attempt returned, which is a T here.
        return cast(T, await self.retrier.run(attempt))

    async def _attempt(
        self,
        path: str,
        params: dict[str, str] | None,
        deadline: float,
        template: str,
        attempt: int,
    ) -> _Body | AtsError:
        """One request: the body of a 2xx, or the error it ended in (returned, not raised)."""
        started = time.monotonic()
        left = deadline - started
        if left <= 0 or self._closed:
            return self.retrier.too_late() if left <= 0 else Unavailable("the client is closed")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=left,  # waiting for a pooled connection, and making one
            sock_connect=min(self.connect_timeout, left),
            sock_read=min(self.read_timeout, left),
        )
        error: AtsError
        try:
            async with self._pool.session().get(
                self._prefix + path,
                params=params,
                headers=self._headers,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                await self._observe(response)
                body = await self._read_body(response)
        except aiohttp.ClientPayloadError as exc:
            error = _payload_error(exc)
        except aiohttp.ConnectionTimeoutError:
            error = self._timed_out(self.connect_timeout, left)
        except TimeoutError:  # aiohttp's SocketTimeoutError, or asyncio's
            error = self._timed_out(self.read_timeout, left)
        except aiohttp.ClientError as exc:
            error = Unavailable(f"the connection to Bindbee failed ({type(exc).__name__})")
        else:
            self._log(template, response.status, attempt, started)
            return body if isinstance(body, AtsError) else _read(body)
        self._log(template, error.detail, attempt, started)
        return error

    async def _read_body(self, response: aiohttp.ClientResponse) -> _Body | BadResponse:
        """The body, or BadResponse as soon as it is known to be longer than allowed."""
        limit = self.max_body_bytes
        too_big = BadResponse(f"Bindbee's response is larger than {limit} bytes")
        declared = response.content_length
        if declared is not None and declared > limit:
            return too_big
        headers = response.headers
        if declared is not None and "Content-Encoding" not in headers:
            data = await response.read()  # no more than Content-Length, checked above
        else:
            # Chunked or compressed: counted as it comes, decompressed, so the cap holds there too.
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_any():
                size += len(chunk)
                if size > limit:
                    return too_big  # leaving the body unread closes the connection
                chunks.append(chunk)
            data = b"".join(chunks)
        content_type = headers.get("Content-Type", "no content type").split(";")[0]
        return _Body(response.status, headers, content_type, data)

    async def _observe(self, response: aiohttp.ClientResponse) -> None:
        state = RateLimitState.from_headers(response.headers)
        if state is not None:
            self.rate_limit = state
        await self.budget.observe(response.status, response.headers)

    def _timed_out(self, limit: float, left: float) -> Unavailable:
        return self.retrier.too_late() if left < limit else Unavailable(no_answer(limit))

    def _log(self, template: str, outcome: int | str, attempt: int, started: float) -> None:
        _log.debug(
            "GET %s → %s (attempt %d/%d, %d ms)",
            template,
            outcome,
            attempt,
            self.retrier.max_attempts,
            elapsed_ms(started),
        )


class BindbeePool:
    """One aiohttp connection pool for every Bindbee client in the process (one client per
    connector token, in OAuth mode). A client's aclose() leaves a shared pool open; `close`
    closes it.

    The session is made on first use, inside the event loop that uses it. The limits suit a
    burst of a few hundred lookups, each making two requests at once (candidate and
    applications); connections are kept alive for 30 s between bursts.
    """

    def __init__(self, *, max_connections: int = 512, keepalive_seconds: float = 30.0) -> None:
        self._max_connections = max_connections
        self._keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The pool's session, made now if there is none open."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, keepalive_timeout=self._keepalive_seconds
            )
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session

    async def close(self) -> None:
        """Close the pool's connections; a later request opens a new pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass(frozen=True)
class _Body:
    """A response read in full: its status, headers, media type and bytes."""

    status: int
    headers: CIMultiDictProxy[str]
    content_type: str
    data: bytes


def _payload_error(exc: aiohttp.ClientPayloadError) -> AtsError:
    """A body that could not be decoded is a bad answer; one cut short may come whole next time."""
    if isinstance(exc.__cause__, ContentEncodingError):
        return BadResponse("Bindbee's response could not be decoded")
    return Unavailable("the connection to Bindbee failed (ClientPayloadError)")


def _read(body: _Body) -> _Body | AtsError:
    """The body of a 2xx, or the error that the status stands for."""
    status = body.status
    if 200 <= status < 300:
        return body
    if status == 401:
        return AuthRefused("Bindbee refused the API key (401)")
    if status == 403:
        return AuthRefused(
            "Bindbee refused the connector token (403): it may be invalid, or belong to "
            "another category than ATS (an HRIS connector, for example)"
        )
    if status == 404:
        return NotFound("Bindbee has no such candidate (404)")
    if status == 422:
        return InvalidRequest(f"Bindbee rejected the request (422{_where(body.data)})")
    if status == 429:
        return RateLimited(retry_after(body.headers, now=time.time()))
    if status >= 500:
        return Unavailable(f"Bindbee answered {status}")
    if 400 <= status < 500:
        # 400, 405, 409 and the like: Bindbee will not take the request as we sent it.
        return InvalidRequest(f"Bindbee refused the request ({status})")
    return BadResponse(f"Bindbee answered {status}, which we do not handle")


async def _decoded(body: _Body, parse: Callable[[object], T]) -> T:
    """`parse` applied to the body's JSON; BadResponse (raised) when it is not JSON."""
    if len(body.data) < _DECODE_IN_THREAD_FROM:
        return _decode(body, parse)
    # A big body takes CPU time to decode and validate: a worker thread leaves the event
    # loop free for other users meanwhile. A thread cannot be stopped at the deadline, but
    # the body is capped, so it ends soon after.
    return await asyncio.to_thread(_decode, body, parse)


def _decode(body: _Body, parse: Callable[[object], T]) -> T:
    try:
        value: object = json.loads(body.data)
    except (ValueError, RecursionError):
        error = BadResponse(f"Bindbee answered {body.status} with {body.content_type}, not JSON")
    else:
        return parse(value)
    raise error


def _page(value: object) -> _Page:
    """Bindbee's list envelope, or BadResponse."""
    try:
        return _Page.model_validate(value)
    except ValidationError:
        raise BadResponse("not a page of candidates (cursor, page_size, items)") from None


def _unread(body: object) -> object:
    """The decoded JSON as it is: the applications are read later, or never (a private
    candidate's)."""
    return body


def _candidates(value: object) -> list[Candidate]:
    """The candidates in a page of them."""
    return [Candidate.from_payload(item) for item in _page(value).items]


def _where(data: bytes) -> str:
    """`: path.id uuid_parsing` from a FastAPI 422 body: field names and error types only,
    never `msg` or `input`, which may quote what we sent."""
    try:
        problems = json.loads(data)["detail"]
        where = [
            ".".join(_identifier(part) for part in problem["loc"])
            + f" {_identifier(problem['type'])}"
            for problem in problems[:3]
        ]
    except (ValueError, RecursionError, LookupError, TypeError):
        return ""
    return ": " + "; ".join(where)


def _identifier(value: object) -> str:
    """A short identifier as it is, anything else as "?": the body is not ours to repeat."""
    text = str(value)
    return text if _NAME.fullmatch(text) else "?"


def check_list_request(filters: Mapping[str, str], *, page_size: int, cursor: str | None) -> None:
    """Refuse a search we must not send: ValueError for our own mistakes (a filter we do not
    know, a page size out of range), InvalidId for a value that is empty, too long or holds
    control characters."""
    unknown = set(filters) - SEARCH_FILTERS
    if unknown:
        raise ValueError(f"not a candidate search filter: {', '.join(sorted(unknown))}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1–{MAX_PAGE_SIZE}")
    for value in filters.values():
        if not 0 < len(value) <= MAX_FILTER_LENGTH or not value.isprintable():
            raise InvalidId(value)
    if cursor is not None:
        check_remote_id(cursor)  # opaque, but bounded and printable like a remote id


def _listed(value: object) -> CandidatePage:
    """A page of candidates, skipping items that do not parse (an empty cursor ends it too)."""
    page = _page(value)
    return CandidatePage(items=tuple(_readable(page.items)), cursor=page.cursor or None)


def _readable(items: list[Any]) -> Iterator[Candidate]:
    """The items that parse as candidates; one unreadable item does not sink the page."""
    for item in items:
        try:
            yield Candidate.from_payload(item)
        except BadResponse:
            continue
