"""A fake Bindbee: a real HTTP server on 127.0.0.1 that serves fixture candidates and their
applications, jobs, interview stages and reject reasons.

In tests it runs in a daemon thread with its own event loop:

    with FakeBindbee() as fake:                       # or fake.start() … fake.stop()
        fake.add(payloads.FULL)
        fake.fail(1, 503)                             # the next request gets a 503
        ...  point the client at fake.url ...
        assert fake.paths() == ["/api/ats/v1/candidates/…", …]

Applications are stored with bare ids. `GET /applications?expand=job,current_stage,
reject_reason` swaps those for the stored objects when `fake.expand` is true (the default),
and leaves them as ids when it is false, the two shapes Bindbee's loose docs allow.

As its own process (the benchmark uses this), it prints its URL once it listens:

    python -m tests.fakes.bindbee --port 8765 --latency 0.3 --rate-limit 200 --seed-count 1000 \
        [--no-expand]

Each request goes through, in order: record → latency → the next matching scripted fault
→ auth (401, 422 for a missing connector header, 403) → rate limit (429) → route.
The list endpoint takes Bindbee's filters `remote_id`, `email_addresses` (repeatable;
equal to any address, ignoring case), `first_name` and `last_name` (ignoring case; equal
with `name_match = "exact"`, the default, contained with `"partial"`: Bindbee does not say
which it does), `page_size` (1–200, else 422) and `cursor` (opaque, from the last page).

Each connector token has its own candidates, as each linked ATS does: `add_connector(token)`
makes another one, and `add(payload, connector=token)` stores into it. Without `connector`,
everything goes to the default connector (CONNECTOR_TOKEN).
Every answer carries X-RateLimit-Limit/-Remaining/-Reset. Without `rate_limit` nothing is
enforced and the advertised limit is `UNLIMITED`, so a client's own budget never holds
back a benchmark that did not ask for a limit. `GET /_stats` (not Bindbee's, and neither
recorded nor counted) answers `{"requests": n, "count_429": n}` for the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import json
import math
import signal
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

from aiohttp import web

from tests.fakes import payloads

CANDIDATES = "/api/ats/v1/candidates"
APPLICATIONS = "/api/ats/v1/applications"
JOBS = "/api/ats/v1/jobs"
STAGES = "/api/ats/v1/job-interview-stages"
REJECT_REASONS = "/api/ats/v1/reject-reasons"
EXPANDABLE = {"job": "jobs", "current_stage": "stages", "reject_reason": "reject_reasons"}
_REFERENCE_KINDS = {JOBS: "jobs", STAGES: "stages", REJECT_REASONS: "reject_reasons"}
STATS = "/_stats"  # not Bindbee's: the fake's counters, neither recorded nor counted
WINDOW = 60.0  # seconds in a rate-limit window
UNLIMITED = 1_000_000  # X-RateLimit-Limit advertised when no limit is enforced
MAX_PAGE_SIZE = 200

Answer = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    raw_path: str  # exactly as on the wire: undecoded, with the query string
    path: str  # percent-decoded, without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    started: float  # time.monotonic()
    finished: float = 0.0  # time.monotonic() once answered (or dropped); 0.0 until then
    peer: str = ""  # the client's "host:port": one per connection, so it shows reuse


@dataclass
class _Fault:
    """A scripted answer for the next `times` requests whose raw path (query included)
    contains `path_contains`."""

    times: int
    answer: Answer  # returns the response, or None to carry on as normal (a delay)
    path_contains: str | None = None

    def matches(self, path: str) -> bool:
        return self.path_contains is None or self.path_contains in path


@dataclass
class _Window:
    """A fixed rate-limit window that opens with the first request after the last one closed."""

    ends: float = 0.0  # Unix seconds
    used: int = 0


def bench_id(index: int) -> str:
    """The deterministic candidate id the benchmark seeds and asks for, e.g. …-000000000007."""
    return str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0000 | index))


def bench_payload(index: int) -> dict[str, Any]:
    """The candidate the benchmark seeds under `bench_id(index)`."""
    return payloads.generated(index, bench_id(index))


def seed_pipeline(fake: FakeBindbee, candidate_id: str) -> None:
    """Give a candidate the two fixture applications, and store what they refer to."""
    for job in payloads.JOBS:
        fake.add_reference("jobs", job)
    for stage in payloads.STAGES:
        fake.add_reference("stages", stage)
    for reason in payloads.REASONS:
        fake.add_reference("reject_reasons", reason)
    for payload in payloads.applications(candidate_id):
        fake.add_application(payload)


class FakeBindbee:
    """Bindbee's candidate endpoints, with faults on demand and a record of every request."""

    API_KEY = "test-bindbee-key"
    CONNECTOR_TOKEN = "test-connector-token"

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: int | None = None,
        record: bool = True,
        expand: bool = True,
    ) -> None:
        self._options = (latency, rate_limit, record, expand)
        self.url = ""
        # The server thread and test code both touch the data and the fault script.
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.start_over()

    def start_over(self) -> None:
        """Forget every candidate, reference, fault, request and option set since start.

        One server serves the whole test run; each test starts from a clear one.
        """
        latency, rate_limit, record, expand = self._options
        with self._lock:
            self._fresh(latency, rate_limit, record, expand)

    def _fresh(self, latency: float, rate_limit: int | None, record: bool, expand: bool) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.name_match = "exact"  # or "partial": how first_name/last_name filters match
        self.record = record  # the benchmark turns this off to keep memory flat
        self.expand = expand  # whether `expand` on /applications is honoured
        self.candidates: dict[str, dict[str, Any]] = {}  # the default connector's
        self._connectors: dict[str, dict[str, dict[str, Any]]] = {
            self.CONNECTOR_TOKEN: self.candidates
        }
        self.applications: dict[str, dict[str, Any]] = {}
        self.references: dict[str, dict[str, dict[str, Any]]] = {
            "jobs": {},
            "stages": {},
            "reject_reasons": {},
        }
        self.requests: list[Recorded] = []
        self.request_count = 0  # every request, recorded or not (GET /_stats excepted)
        self.count_429 = 0  # 429s from the enforced rate limit (not scripted ones)
        self.streamed_bytes = 0  # body bytes sent by huge_body()
        self._faults: deque[_Fault] = deque()
        self._window = _Window()

    # -- data ----------------------------------------------------------------------------

    def add_connector(self, token: str) -> None:
        """Accept `token` as another connector, with candidates of its own (none yet)."""
        with self._lock:
            self._connectors.setdefault(token, {})

    def add(self, payload: dict[str, Any], *, connector: str | None = None) -> None:
        """Store (a copy of) a candidate payload under its "id", in one connector's ATS."""
        with self._lock:
            store = self._connectors[connector or self.CONNECTOR_TOKEN]
            store[str(payload["id"])] = copy.deepcopy(payload)

    def add_application(self, payload: dict[str, Any]) -> None:
        """Store (a copy of) an application, with bare ids for what it refers to."""
        with self._lock:
            self.applications[str(payload["id"])] = copy.deepcopy(payload)

    def add_reference(self, kind: str, payload: dict[str, Any]) -> None:
        """Store a job, stage or reject reason (`kind`: jobs, stages or reject_reasons)."""
        with self._lock:
            self.references[kind][str(payload["id"])] = copy.deepcopy(payload)

    @property
    def candidate_requests(self) -> list[Recorded]:
        """The recorded requests for candidates (not for their applications and the like)."""
        return [request for request in self.requests if request.path.startswith(CANDIDATES)]

    def count(self, prefix: str) -> int:
        """How many recorded requests went to a path starting with `prefix`."""
        return sum(request.path.startswith(prefix) for request in self.requests)

    def set_private(self, candidate_id: str, value: object = True) -> None:
        """Change a stored candidate's is_private flag."""
        with self._lock:
            self.candidates[candidate_id]["is_private"] = value

    def paths(self) -> list[str]:
        """The raw path of every recorded request, in order."""
        return [request.raw_path for request in self.requests]

    def query_strings(self) -> list[str]:
        """The raw query string of every recorded request, exactly as on the wire."""
        return [request.raw_path.partition("?")[2] for request in self.requests]

    def clear(self) -> None:
        """Forget the recorded requests and the counts (not the data or the faults)."""
        with self._lock:
            self.requests.clear()
            self.request_count = self.count_429 = 0

    # -- faults --------------------------------------------------------------------------

    def fail(
        self,
        times: int,
        status: int = 503,
        *,
        retry_after: int | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` (and Retry-After, if given)."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}

        async def answer(request: web.Request) -> web.StreamResponse:
            return _json({"detail": f"Injected failure {status}"}, status, headers)

        self._script(times, answer, path_contains)

    def delay(self, seconds: float, times: int = 1, *, path_contains: str | None = None) -> None:
        """Hold the next `times` matching requests for `seconds` before answering normally."""

        async def answer(request: web.Request) -> None:
            await asyncio.sleep(seconds)

        self._script(times, answer, path_contains)

    def invalid_json(self, times: int = 1, *, path_contains: str | None = None) -> None:
        """Answer 200 with a JSON content type and a body cut short."""

        async def answer(request: web.Request) -> web.StreamResponse:
            return web.Response(
                status=200, text='{"id": "018f3c2a-7b1e', content_type="application/json"
            )

        self._script(times, answer, path_contains)

    def html(self, times: int = 1, status: int = 200, *, path_contains: str | None = None) -> None:
        """Answer with an HTML page, as a proxy or a login wall would."""

        async def answer(request: web.Request) -> web.StreamResponse:
            page = "<!doctype html><html><body><h1>Service status</h1></body></html>"
            return web.Response(status=status, text=page, content_type="text/html")

        self._script(times, answer, path_contains)

    def reset(self, times: int = 1, *, path_contains: str | None = None) -> None:
        """Drop the connection (TCP reset) without any HTTP answer."""
        self._script(times, _drop_connection, path_contains)

    def body(self, json_value: object, times: int = 1, *, path_contains: str | None = None) -> None:
        """Answer 200 with any JSON value as the body."""

        async def answer(request: web.Request) -> web.StreamResponse:
            return _json(json_value, 200)

        self._script(times, answer, path_contains)

    def huge_body(
        self,
        size: int,
        times: int = 1,
        *,
        declare_length: bool = False,
        path_contains: str | None = None,
    ) -> None:
        """Answer 200 with a JSON object `size` bytes long, sent in 64 kB chunks (chunked
        encoding, or with a Content-Length when `declare_length`); `streamed_bytes` counts
        what the client took before it hung up."""
        chunk = b"a" * 65_536
        head, tail = b'{"pad": "', b'"}'

        async def answer(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
            if declare_length:
                response.content_length = size
            await response.prepare(request)
            left = size - len(head) - len(tail)
            try:
                await self._stream(response, head)
                while left > 0:
                    await self._stream(response, chunk[: min(left, len(chunk))])
                    left -= len(chunk)
                await self._stream(response, tail)
            except (ConnectionError, RuntimeError):
                pass  # the client hung up, as it should past its limit
            return response

        self._script(times, answer, path_contains)

    async def _stream(self, response: web.StreamResponse, data: bytes) -> None:
        await response.write(data)
        with self._lock:
            self.streamed_bytes += len(data)

    def _script(self, times: int, answer: Answer, path_contains: str | None) -> None:
        if times > 0:
            with self._lock:
                self._faults.append(_Fault(times, answer, path_contains))

    def _next_fault(self, path: str) -> Answer | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault.answer
        return None

    # -- serving -------------------------------------------------------------------------

    def start(self) -> str:
        """Serve on a free port in a daemon thread; return the base URL."""
        if self._thread is not None:
            raise RuntimeError("FakeBindbee is already running")
        sock = _listening_socket("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        ready = threading.Event()
        failures: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self._serve(sock, on_ready=ready.set))
            except BaseException as exc:  # reported to start(), which re-raises it
                failures.append(exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="fake-bindbee", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=10) or failures:
            self.stop()
            raise RuntimeError("FakeBindbee did not start") from (failures[0] if failures else None)
        return self.url

    def stop(self) -> None:
        """Stop serving; bounded, so a test can never hang here."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=5)
        self._thread = self._loop = self._stop = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def serve_forever(self, host: str, port: int) -> None:
        """Serve in the foreground until SIGTERM or SIGINT; print the URL once listening."""
        sock = _listening_socket(host, port)
        self.url = "http://{}:{}".format(*sock.getsockname()[:2])
        loop = asyncio.get_running_loop()

        def ready() -> None:
            assert self._stop is not None
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._stop.set)
            print(self.url, flush=True)

        await self._serve(sock, on_ready=ready)

    async def _serve(self, sock: socket.socket, on_ready: Callable[[], None]) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Cancel a handler when its client hangs up, and give answers in flight little
        # time at shutdown, so a delayed answer cannot keep stop() waiting. No access log:
        # it would cost more than the fake itself.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.25
        )
        await runner.setup()
        try:
            # A deep backlog: a burst of hundreds of new connections must not drop SYNs.
            await web.SockSite(runner, sock, backlog=1024).start()
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            on_ready()
            await self._stop.wait()
        finally:
            await runner.cleanup()
            sock.close()

    # -- answering -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.raw_path == STATS:  # the fake's own counters, for the benchmark
            return _json({"requests": self.request_count, "count_429": self.count_429}, 200)
        self.request_count += 1
        recorded = Recorded(
            method=request.method,
            raw_path=request.raw_path,
            path=request.path,
            query=dict(request.query),
            headers={name.lower(): value for name, value in request.headers.items()},
            started=time.monotonic(),
            peer=_peer(request),
        )
        if self.record:
            self.requests.append(recorded)
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            response = await self._answer(request)
            self._stamp(response)
            return response
        finally:
            recorded.finished = time.monotonic()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        fault = self._next_fault(request.raw_path)
        if fault is not None:
            response = await fault(request)
            if response is not None:
                return response
        refused = self._check_auth(request)
        if refused is not None:
            return refused
        if not self._take_from_window():
            return self._rate_limited()
        if request.method != "GET":
            return _json({"detail": "Method Not Allowed"}, 405)
        path = request.raw_path.partition("?")[0]
        if path == CANDIDATES:
            return self._list(request)
        if path == APPLICATIONS:
            return self._applications(request)
        if path in (JOBS, STAGES, REJECT_REASONS):
            return self._references_by_ids(request, _REFERENCE_KINDS[path])
        segment = path.removeprefix(REJECT_REASONS + "/")
        if segment != path and segment and "/" not in segment:
            return self._reject_reason(unquote(segment))
        segment = path.removeprefix(CANDIDATES + "/")
        if segment != path and segment and "/" not in segment:
            return self._by_id(request, unquote(segment))
        return _json({"detail": "Not Found"}, 404)

    def _check_auth(self, request: web.Request) -> web.StreamResponse | None:
        """Bindbee's answer to missing or wrong credentials, or None when they are right."""
        if request.headers.get("Authorization") != f"Bearer {FakeBindbee.API_KEY}":
            return _json({"detail": "Invalid API key"}, 401, {"WWW-Authenticate": "Bearer"})
        token = request.headers.get("x-connector-token")
        if token is None:
            return _unprocessable(
                ["header", "x-connector-token"], "missing", "Field required", None
            )
        if token not in self._connectors:
            return _json({"detail": "Invalid connector token"}, 403)
        return None

    def _store(self, request: web.Request) -> dict[str, dict[str, Any]]:
        """The candidates of the request's connector (auth has accepted its token)."""
        return self._connectors[request.headers.get("x-connector-token", "")]

    def _applications(self, request: web.Request) -> web.StreamResponse:
        """`GET /applications?candidate=…&expand=…`: one page, expanded when asked and able."""
        candidates = set(request.query.get("candidate", "").split(",")) - {""}
        expand = set(request.query.get("expand", "").split(",")) if self.expand else set()
        with self._lock:
            items = [
                self._expanded(payload, expand)
                for payload in self.applications.values()
                if not candidates or payload.get("candidate") in candidates
            ]
            body = json.dumps({"cursor": None, "page_size": len(items), "items": items})
        return web.Response(text=body, content_type="application/json")

    def _expanded(self, payload: dict[str, Any], expand: set[str]) -> dict[str, Any]:
        shown = dict(payload)
        for field, kind in EXPANDABLE.items():
            if field in expand and shown.get(field) in self.references[kind]:
                shown[field] = self.references[kind][shown[field]]
        return shown

    def _references_by_ids(self, request: web.Request, kind: str) -> web.StreamResponse:
        """`GET /jobs?ids=a,b`, `/job-interview-stages?ids=a,b` or `/reject-reasons?ids=a,b`."""
        ids = request.query.get("ids", "").split(",")
        with self._lock:
            items = [self.references[kind][i] for i in ids if i in self.references[kind]]
            body = json.dumps({"cursor": None, "page_size": len(items), "items": items})
        return web.Response(text=body, content_type="application/json")

    def _reject_reason(self, reason_id: str) -> web.StreamResponse:
        with self._lock:
            payload = self.references["reject_reasons"].get(reason_id)
            body = None if payload is None else json.dumps(payload)
        if body is None:
            return _json({"detail": "Not Found"}, 404)
        return web.Response(text=body, content_type="application/json")

    def _by_id(self, request: web.Request, value: str) -> web.StreamResponse:
        try:
            canonical = str(uuid.UUID(value))
        except ValueError:
            return _unprocessable(
                ["path", "id"], "uuid_parsing", "Input should be a valid UUID", value
            )
        with self._lock:
            store = self._store(request)
            payload = store.get(canonical) or store.get(value)
            body = None if payload is None else json.dumps(payload)
        if body is None:
            return _json({"detail": "Not Found"}, 404)
        return web.Response(text=body, content_type="application/json")

    def _list(self, request: web.Request) -> web.StreamResponse:
        try:
            page_size = int(request.query.get("page_size", "50"))
        except ValueError:
            page_size = 0
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            return _unprocessable(
                ["query", "page_size"],
                "less_than_equal",
                f"Input should be between 1 and {MAX_PAGE_SIZE}",
                request.query.get("page_size"),
            )
        start = _read_cursor(request.query.get("cursor"))
        if start is None:
            return _unprocessable(
                ["query", "cursor"], "value_error", "Invalid cursor", request.query["cursor"]
            )
        with self._lock:
            matching = [
                payload
                for payload in self._store(request).values()
                if self._selects(request, payload)
            ]
            items = json.loads(json.dumps(matching[start : start + page_size]))
        more = start + page_size < len(matching)
        cursor = _write_cursor(start + page_size) if more else None
        return _json({"cursor": cursor, "page_size": len(items), "items": items}, 200)

    def _selects(self, request: web.Request, payload: dict[str, Any]) -> bool:
        """Whether the payload passes every list filter in the request."""
        query = request.query
        if "remote_id" in query and str(payload.get("remote_id")) != query["remote_id"]:
            return False
        emails = {address.casefold() for address in query.getall("email_addresses", [])}
        if emails and not emails & {e.casefold() for e in _texts(payload, "email_addresses")}:
            return False
        for name in ("first_name", "last_name"):
            if name not in query:
                continue
            wanted, value = query[name].casefold(), str(payload.get(name) or "").casefold()
            if not (wanted in value if self.name_match == "partial" else wanted == value):
                return False
        return True

    def _take_from_window(self) -> bool:
        """Count one request in the current window; False when that goes over the limit."""
        now = time.time()
        with self._lock:
            if now >= self._window.ends:
                self._window = _Window(ends=now + WINDOW)
            self._window.used += 1
            allowed = self.rate_limit is None or self._window.used <= self.rate_limit
            if not allowed:
                self.count_429 += 1
        return allowed

    def _rate_limited(self) -> web.StreamResponse:
        wait = max(1, math.ceil(self._window.ends - time.time()))
        return _json({"detail": "Rate limit exceeded"}, 429, {"Retry-After": str(wait)})

    def _stamp(self, response: web.StreamResponse) -> None:
        """Add the rate-limit headers Bindbee sends on every response."""
        now = time.time()
        limit = self.rate_limit or UNLIMITED
        with self._lock:
            window = self._window if now < self._window.ends else _Window(ends=now + WINDOW)
            remaining = max(0, limit - window.used)
        reset = window.ends
        if response.status == 429:
            remaining = 0
            retry_after = response.headers.get("Retry-After")
            if retry_after is not None and retry_after.isdigit():
                reset = now + int(retry_after)
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(math.ceil(reset))


def _texts(payload: dict[str, Any], key: str) -> list[str]:
    """A list field's strings, whether sent as strings or as `{value}` objects."""
    items = payload.get(key) or []
    return [str(i.get("value") if isinstance(i, dict) else i) for i in items if i]


def _peer(request: web.Request) -> str:
    peername = request.transport.get_extra_info("peername") if request.transport else None
    return f"{peername[0]}:{peername[1]}" if peername else ""


async def _drop_connection(request: web.Request) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:  # linger 0: close with a TCP RST rather than a polite FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    # aiohttp finds the transport gone when it writes this, and lets the request go quietly.
    return web.Response(status=499)


def _json(value: object, status: int, headers: dict[str, str] | None = None) -> web.StreamResponse:
    return web.json_response(value, status=status, headers=headers)


def _unprocessable(loc: Sequence[str], kind: str, msg: str, value: object) -> web.StreamResponse:
    """A FastAPI-style 422 body, as Bindbee sends for a request that fails validation."""
    return _json({"detail": [{"loc": list(loc), "msg": msg, "type": kind, "input": value}]}, 422)


def _write_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _read_cursor(cursor: str | None) -> int | None:
    """The offset a cursor points at (0 with no cursor), or None when it is not ours."""
    if cursor is None:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return int(offset) if kind == "offset" and int(offset) >= 0 else None
    except ValueError:
        return None


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound socket, so the port is known (and taken) before the server starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def main(argv: Sequence[str] | None = None) -> None:
    """Run the fake in the foreground: `python -m tests.fakes.bindbee --port P …`."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.bindbee", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per 60 s window")
    parser.add_argument("--seed-count", type=int, default=0, help="generated candidates to serve")
    parser.add_argument(
        "--no-expand", action="store_true", help="answer applications with bare ids only"
    )
    args = parser.parse_args(argv)
    fake = FakeBindbee(
        latency=args.latency, rate_limit=args.rate_limit, record=False, expand=not args.no_expand
    )
    for index in range(args.seed_count):
        fake.add(bench_payload(index))
        seed_pipeline(fake, bench_id(index))
    for payload in payloads.ALL:
        fake.add(payload)
    asyncio.run(fake.serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
