"""Benchmark: the real app against two references, under the same load, in one run.

    python -m bench.run                 # N = 20 and 200, ATS latency 300 ms
    python -m bench.run --n 20 --latency 0.1

Processes (all on 127.0.0.1, all started and stopped here):
- this one: the load generator, plus the fake Slack side (auth.test and the response_url
  receiver), so the time from request to card is measured on one clock;
- the fake Bindbee (tests/fakes/bindbee.py) with the injected latency;
- the target: the real app (`python -m bot`), or reference (a) a Bolt app that only acks,
  or reference (b) a raw aiohttp server that acks, calls the ATS and posts a card.

Each target gets the same phases at each N: N distinct ids at once, then a burst of N for
one id. A last scenario sends 300 distinct ids at once to a fake that enforces 200 requests
a minute. Figures are printed as a table, with our figures as ratios to the references,
and written to bench/results/latest.json.

`two_redis` runs two instances of the app sharing one Redis (a redis-server started here
in a temporary folder, or --redis-url), with requests alternating between them. It adds a
`warm` phase (the distinct ids again, now cached) next to the same phase of `ours`, which
gives the cost of Redis on a warm-cache card, and its own rate-limit scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bench.common import free_port
from tests.fakes.bindbee import FakeBindbee, bench_id

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
REPLY_WAIT = 30.0  # seconds to wait for cards before counting them lost


@dataclass
class Phase:
    """What one burst of requests measured."""

    target: str
    name: str
    n: int
    ack_ms: list[float] = field(default_factory=list)
    card_ms: list[float] = field(default_factory=list)
    acks_per_s: float = 0.0
    cards_per_s: float = 0.0
    lost: int = 0
    ats_requests: int = 0
    retry_later: int = 0
    ats_429: int = 0

    def summary(self, latency_ms: float) -> dict[str, Any]:
        """The figures, rounded."""
        return {
            "target": self.target,
            "phase": self.name,
            "n": self.n,
            "ack_p50_ms": _pct(self.ack_ms, 50),
            "ack_p99_ms": _pct(self.ack_ms, 99),
            "ack_max_ms": round(max(self.ack_ms), 1) if self.ack_ms else None,
            "card_p50_ms": _pct(self.card_ms, 50),
            "card_p99_ms": _pct(self.card_ms, 99),
            "card_p99_minus_ats_ms": (
                round(_pct(self.card_ms, 99) - latency_ms, 1) if self.card_ms else None
            ),
            "acks_per_s": round(self.acks_per_s, 1),
            "cards_per_s": round(self.cards_per_s, 1),
            "lost": self.lost,
            "ats_requests_per_lookup": round(self.ats_requests / self.n, 3),
            "retry_later_replies": self.retry_later,
            "ats_429s": self.ats_429,
        }


def _pct(values: list[float], percentile: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percentile - 1], 1)


class SlackSide:
    """The fake Slack in the load generator's process: auth.test and response_url."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.bodies: dict[str, bytes] = {}
        self.waiters: dict[str, asyncio.Event] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._keys = 0

    def new_key(self) -> str:
        """A response_url key never used before in this run."""
        self._keys += 1
        return f"r{self._keys}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/webhook/{key}", self._webhook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(
            {"ok": True, "team": "Bench", "user": "bench-bot", "team_id": "T1", "user_id": "U1"}
        )

    async def _webhook(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        self.bodies[key] = await request.read()
        self.arrived.setdefault(key, time.perf_counter())
        waiter = self.waiters.get(key)
        if waiter is not None:
            waiter.set()
        return web.Response(text="ok")


class LoadGenerator:
    """Sends signed `/candidate` requests, all at once, and times acks and cards."""

    def __init__(self, slack: SlackSide) -> None:
        self.slack = slack
        self.verifier = SignatureVerifier(SECRET)
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> LoadGenerator:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def burst(
        self, target_url: str | list[str], ids: list[str], *, expect_cards: bool = True
    ) -> Burst:
        """Send one request per id at once (alternating between URLs); time acks and cards."""
        urls = [target_url] if isinstance(target_url, str) else target_url
        keys = [self.slack.new_key() for _ in ids]
        for key in keys:
            self.slack.waiters[key] = asyncio.Event()
        bodies = [
            urlencode(
                {
                    "team_id": "T1",
                    "channel_id": "C1",
                    # one user per request: a burst from many people, each within their
                    # share of the rate budget (BINDBEE_USER_SHARE)
                    "user_id": f"U{i}",
                    "command": "/candidate",
                    "text": candidate_id,
                    "response_url": f"{self.slack.url}/webhook/{key}",
                    "trigger_id": "1.1.x",
                }
            )
            for i, (key, candidate_id) in enumerate(zip(keys, ids, strict=True))
        ]
        ts = str(int(time.time()))
        headers: list[dict[str, str]] = [
            {
                "content-type": "application/x-www-form-urlencoded",
                "x-slack-request-timestamp": ts,
                "x-slack-signature": self.verifier.generate_signature(timestamp=ts, body=body)
                or "",
            }
            for body in bodies
        ]
        sent: list[float] = [0.0] * len(ids)
        acked: list[float] = [0.0] * len(ids)

        async def one(i: int) -> None:
            assert self.session is not None
            sent[i] = time.perf_counter()
            async with self.session.post(
                f"{urls[i % len(urls)]}/slack/events", data=bodies[i], headers=headers[i]
            ) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"ack status {response.status}")
            acked[i] = time.perf_counter()

        await asyncio.gather(*(one(i) for i in range(len(ids))))
        if expect_cards:
            waits = [self.slack.waiters[key].wait() for key in keys]
            with suppress(TimeoutError):  # what has not arrived by then counts as lost
                await asyncio.wait_for(asyncio.gather(*waits), REPLY_WAIT)
        arrived = {
            i: self.slack.arrived[key] for i, key in enumerate(keys) if key in self.slack.arrived
        }
        first = min(sent)
        return Burst(
            ack_ms=[(a - s) * 1000 for a, s in zip(acked, sent, strict=True)],
            card_ms=[(at - sent[i]) * 1000 for i, at in arrived.items()],
            ack_span=max(acked) - first,
            card_span=(max(arrived.values()) - first) if arrived else 0.0,
            replies=[self.slack.bodies[key] for key in keys if key in self.slack.bodies],
            lost=len(ids) - len(arrived) if expect_cards else 0,
        )


@dataclass
class Burst:
    """Raw timings of one burst, in the load generator's clock."""

    ack_ms: list[float]
    card_ms: list[float]
    ack_span: float  # seconds from the first send to the last ack
    card_span: float  # seconds from the first send to the last card
    replies: list[bytes]
    lost: int

    def phase(self, target: str, name: str, n: int) -> Phase:
        """The figures of this burst as a Phase."""
        return Phase(
            target,
            name,
            n,
            self.ack_ms,
            self.card_ms,
            acks_per_s=n / self.ack_span,
            cards_per_s=len(self.card_ms) / self.card_span if self.card_span else 0.0,
            lost=self.lost,
        )


@asynccontextmanager
async def process(
    name: str, args: list[str], env: dict[str, str], ready: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start a process, wait until `ready` (a URL to poll) answers, and stop it afterwards.

    Its stderr goes to bench/results/<name>.log, for a look when something is off.
    """
    log = RESULTS / f"{name}.log"
    with log.open("w") as stderr:
        proc = await asyncio.create_subprocess_exec(
            *args, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            await _wait_for(ready, proc, log)
            yield proc
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)  # like SIGTERM for all; py-spy saves on it
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()


async def _wait_for(url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"process exited; see {log}")
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=1)) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} never answered")


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def ats_stats(bindbee_url: str) -> dict[str, int]:
    """Request and 429 counts kept by the fake Bindbee."""
    async with aiohttp.ClientSession() as session, session.get(f"{bindbee_url}/_stats") as r:
        stats: dict[str, int] = await r.json()
        return stats


TARGETS = {
    "ours": [sys.executable, "-m", "bot"],
    "bolt_ack": [sys.executable, "-m", "bench.ref_bolt_ack"],
    # Not a target of the issue: reference (a) with Bolt's inline ack, as our app runs it.
    "bolt_ack_inline": [sys.executable, "-m", "bench.ref_bolt_ack", "--inline"],
    "raw_aiohttp": [sys.executable, "-m", "bench.ref_raw_aiohttp"],
}
ACK_ONLY = {"bolt_ack", "bolt_ack_inline"}
TWO_INSTANCES = "two_redis"


def target_env(
    port: int, slack: SlackSide, bindbee_url: str, card_path: Path, rate: int
) -> dict[str, str]:
    """Environment for any target: the app's settings, which the references read too."""
    return {
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{slack.url}/api/",
        "BINDBEE_API_KEY": FakeBindbee.API_KEY,
        "BINDBEE_CONNECTOR_TOKEN": FakeBindbee.CONNECTOR_TOKEN,
        "BINDBEE_BASE_URL": bindbee_url,
        "BINDBEE_RATE_LIMIT": str(rate),
        "BENCH_CARD_JSON": str(card_path),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@asynccontextmanager
async def fake_bindbee(latency: float, rate_limit: int | None, seed: int) -> AsyncIterator[str]:
    """Run the fake Bindbee as its own process; yield its URL."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "tests.fakes.bindbee",
        "--port",
        str(port),
        "--latency",
        str(latency),
        "--seed-count",
        str(seed),
    ]
    if rate_limit:
        args += ["--rate-limit", str(rate_limit)]
    url = f"http://127.0.0.1:{port}"
    async with process("bindbee", args, {}, f"{url}/_stats"):
        yield url


async def run_target(
    name: str,
    sizes: list[int],
    latency: float,
    slack: SlackSide,
    card_path: Path,
    next_id: Iterator[int],
) -> tuple[list[Phase], float]:
    """All phases for one target; returns them and the target's peak memory."""
    phases: list[Phase] = []
    async with fake_bindbee(latency, None, seed=2000) as bindbee_url:
        port = free_port()
        env = target_env(port, slack, bindbee_url, card_path, rate=100_000)
        async with process(name, TARGETS[name], env, f"http://127.0.0.1:{port}/healthz") as proc:
            url = f"http://127.0.0.1:{port}"
            async with LoadGenerator(slack) as load:
                warm_up = [bench_id(next(next_id)) for _ in range(10)]
                await load.burst(url, warm_up, expect_cards=name not in ACK_ONLY)
                phases = await run_phases(
                    load, name, url, bindbee_url, sizes, next_id, warm=name == "ours"
                )
            memory = peak_memory_mb(proc.pid)
    return phases, memory


async def run_phases(
    load: LoadGenerator,
    name: str,
    url: str | list[str],
    bindbee_url: str,
    sizes: list[int],
    next_id: Iterator[int],
    *,
    warm: bool,
) -> list[Phase]:
    """At each N: N distinct ids, (the same again, cached, if `warm`), then N of one id."""
    phases: list[Phase] = []
    for n in sizes:
        distinct = [bench_id(next(next_id)) for _ in range(n)]
        runs = [("distinct", distinct), *([("warm", distinct)] if warm else [])]
        for phase_name, ids in [*runs, ("one_id", [bench_id(next(next_id))] * n)]:
            before = (await ats_stats(bindbee_url))["requests"]
            burst = await load.burst(url, ids, expect_cards=name not in ACK_ONLY)
            phase = burst.phase(name, phase_name, n)
            phase.ats_requests = (await ats_stats(bindbee_url))["requests"] - before
            phases.append(phase)
            await asyncio.sleep(0.5)  # let the target settle between phases
    return phases


@asynccontextmanager
async def two_instances(
    slack: SlackSide, bindbee_url: str, card_path: Path, rate: int, redis_url: str
) -> AsyncIterator[tuple[list[str], list[int]]]:
    """Two app processes sharing `redis_url`; yield their URLs and pids."""
    ports = [free_port(), free_port()]
    prefix = f"bench-{uuid.uuid4().hex[:8]}"  # each pair starts with an empty cache and budget
    async with AsyncExitStack() as stack:
        pids = []
        for index, port in enumerate(ports):
            env = {
                **target_env(port, slack, bindbee_url, card_path, rate),
                "REDIS_URL": redis_url,
                "REDIS_KEY_PREFIX": prefix,
            }
            proc = await stack.enter_async_context(
                process(
                    f"{TWO_INSTANCES}_{index}",
                    TARGETS["ours"],
                    env,
                    f"http://127.0.0.1:{port}/healthz",
                )
            )
            pids.append(proc.pid)
        yield [f"http://127.0.0.1:{port}" for port in ports], pids


@asynccontextmanager
async def bench_redis(url: str | None) -> AsyncIterator[str]:
    """The given Redis, or a redis-server of our own in a temporary folder."""
    if url:
        yield url
        return
    from tests.services.redis_server import RedisServer

    if RedisServer.binary() is None:
        raise RuntimeError("two_redis needs redis-server installed, or --redis-url")
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder))
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


async def run_two_instances(
    sizes: list[int],
    latency: float,
    slack: SlackSide,
    card_path: Path,
    next_id: Iterator[int],
    redis_url: str,
) -> tuple[list[Phase], float]:
    """The phases against two instances sharing one Redis, requests alternating."""
    async with (
        fake_bindbee(latency, None, seed=2000) as bindbee_url,
        two_instances(slack, bindbee_url, card_path, 100_000, redis_url) as (urls, pids),
        LoadGenerator(slack) as load,
    ):
        await load.burst(urls, [bench_id(next(next_id)) for _ in range(10)])  # warm-up
        phases = await run_phases(load, TWO_INSTANCES, urls, bindbee_url, sizes, next_id, warm=True)
        memory = max(peak_memory_mb(pid) for pid in pids)
    return phases, memory


async def rate_limit_scenario(
    slack: SlackSide,
    card_path: Path,
    latency: float,
    *,
    lookups: int = 300,
    limit: int = 200,
    redis_url: str | None = None,
) -> Phase:
    """`lookups` distinct ids at once against a fake that allows `limit` requests a minute;
    with `redis_url`, spread over two instances sharing it."""
    target = "ours" if redis_url is None else TWO_INSTANCES
    async with (
        fake_bindbee(latency, limit, seed=lookups + 100) as bindbee_url,
        AsyncExitStack() as stack,
    ):
        if redis_url is None:
            port = free_port()
            env = target_env(port, slack, bindbee_url, card_path, rate=limit)
            ready = f"http://127.0.0.1:{port}/healthz"
            await stack.enter_async_context(process("ours", TARGETS["ours"], env, ready))
            urls = [f"http://127.0.0.1:{port}"]
        else:
            urls, _ = await stack.enter_async_context(
                two_instances(slack, bindbee_url, card_path, limit, redis_url)
            )
        async with LoadGenerator(slack) as load:
            burst = await load.burst(urls, [bench_id(i) for i in range(lookups)])
        stats = await ats_stats(bindbee_url)
    phase = burst.phase(target, f"rate_limit_{lookups}", lookups)
    phase.ats_requests = stats["requests"]
    phase.ats_429 = stats["count_429"]
    phase.retry_later = sum(b"try again in" in body for body in burst.replies)
    return phase


def write_card(path: Path) -> None:
    """The card reference (b) posts: ours, for a seeded bench candidate, rendered once."""
    from bot.ats.models import Candidate
    from bot.core.cards import candidate_message
    from bot.core.policy import View
    from tests.fakes.bindbee import bench_payload

    candidate = Candidate.from_payload(bench_payload(1))  # 0 is a private one
    message = candidate_message(candidate, View.REQUESTER, share_button=True)
    path.write_text(json.dumps({"response_type": "ephemeral", **message.as_payload()}))


def ratios(results: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    """Our figures as ratios to the references, per N and phase."""
    by = {(p["target"], p["phase"], p["n"]): p for p in results["phases"]}
    out: dict[str, Any] = {}
    for n in sizes:
        for phase in ("distinct", "one_id"):
            ours = by.get(("ours", phase, n))
            if ours is None:
                continue
            row: dict[str, float] = {}
            if (two := by.get((TWO_INSTANCES, phase, n))) is not None:
                row["two_redis_card_p99_vs_ours"] = round(
                    two["card_p99_ms"] / ours["card_p99_ms"], 2
                )
            for ref in ("bolt_ack", "bolt_ack_inline"):
                if (other := by.get((ref, phase, n))) is not None:
                    row[f"ack_p99_vs_{ref}"] = round(ours["ack_p99_ms"] / other["ack_p99_ms"], 2)
                    row[f"throughput_vs_{ref}"] = round(ours["acks_per_s"] / other["acks_per_s"], 2)
            if (raw := by.get(("raw_aiohttp", phase, n))) is not None:
                row["card_p99_vs_raw_aiohttp"] = round(ours["card_p99_ms"] / raw["card_p99_ms"], 2)
            out[f"{phase}@{n}"] = row
        ours_warm, two_warm = by.get(("ours", "warm", n)), by.get((TWO_INSTANCES, "warm", n))
        if ours_warm is not None and two_warm is not None:
            out[f"redis_cost_warm_card@{n}"] = {
                f"{p}_ms": round(two_warm[f"card_{p}_ms"] - ours_warm[f"card_{p}_ms"], 1)
                for p in ("p50", "p99")
            }
    return out


def print_report(results: dict[str, Any]) -> None:
    """A readable table of every figure, then the ratios and the rate-limit scenario."""
    columns = [
        ("target", 16),
        ("phase", 15),
        ("n", 4),
        ("ack_p50_ms", 8),
        ("ack_p99_ms", 8),
        ("ack_max_ms", 8),
        ("card_p50_ms", 8),
        ("card_p99_ms", 8),
        ("card_p99_minus_ats_ms", 8),
        ("acks_per_s", 8),
        ("lost", 5),
        ("ats_requests_per_lookup", 7),
    ]
    headings = [
        "target",
        "phase",
        "n",
        "ack p50",
        "ack p99",
        "ack max",
        "card p50",
        "card p99",
        "−ATS p99",
        "acks/s",
        "lost",
        "ATS/lkp",
    ]
    print(" ".join(h.rjust(w) for h, (_, w) in zip(headings, columns, strict=True)))
    for phase in results["phases"]:
        print(" ".join(str(phase[key]).rjust(width) for key, width in columns))
    print("\nratios (ours ÷ reference; targets: ack p99 ≤ 1.5, throughput ≥ 0.7, card p99 ≤ 1.5)")
    for key, value in results["ratios"].items():
        print(f"  {key:12} {value}")
    print("\npeak memory (MB):", results["peak_memory_mb"])
    for key in ("rate_limit", "rate_limit_two_redis"):
        if key in results:
            rate = results[key]
            n = rate["n"]
            print(
                f"\n{key}: {n} lookups at once, fake enforces {results['rate_limit_per_min']}/min: "
                f"ATS requests={rate['ats_requests_per_lookup'] * n:.0f}, "
                f"429s={rate['ats_429s']}, 'try again' replies={rate['retry_later_replies']}, "
                f"lost={rate['lost']}, ack max={rate['ack_max_ms']} ms"
            )


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Run every target and scenario; return the results."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    card_path = RESULTS / "card.json"
    write_card(card_path)
    slack = SlackSide()
    await slack.start()
    counter = iter(range(10**9))
    phases: list[Phase] = []
    memory: dict[str, float] = {}
    latency_ms = args.latency * 1000
    try:
        async with bench_redis(args.redis_url) as redis_url:
            for name in args.targets:
                if name == TWO_INSTANCES:
                    target_phases, memory[name] = await run_two_instances(
                        args.n, args.latency, slack, card_path, counter, redis_url
                    )
                else:
                    target_phases, memory[name] = await run_target(
                        name, args.n, args.latency, slack, card_path, counter
                    )
                phases += target_phases
            results: dict[str, Any] = {
                "latency_ms": latency_ms,
                "cpus": os.cpu_count(),
                "phases": [p.summary(latency_ms) for p in phases],
                "peak_memory_mb": {k: round(v, 1) for k, v in memory.items()},
                "rate_limit_per_min": args.rate_limit,
            }
            results["ratios"] = ratios(results, args.n)
            if not args.skip_rate_limit:
                scenario = {"lookups": args.rate_lookups, "limit": args.rate_limit}
                results["rate_limit"] = (
                    await rate_limit_scenario(slack, card_path, args.latency, **scenario)
                ).summary(latency_ms)
                if TWO_INSTANCES in args.targets:
                    results["rate_limit_two_redis"] = (
                        await rate_limit_scenario(
                            slack, card_path, args.latency, redis_url=redis_url, **scenario
                        )
                    ).summary(latency_ms)
    finally:
        await slack.stop()
    return results


def main() -> None:
    """Parse arguments, run, print and save."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--latency", type=float, default=0.3, help="ATS latency in seconds")
    every = [*TARGETS, TWO_INSTANCES]
    parser.add_argument("--targets", nargs="+", default=every, choices=every)
    parser.add_argument("--skip-rate-limit", action="store_true")
    parser.add_argument("--rate-lookups", type=int, default=300, help="lookups in the 429 run")
    parser.add_argument("--rate-limit", type=int, default=200, help="the fake's limit a minute")
    parser.add_argument(
        "--redis-url", help="Redis for two_redis (default: a redis-server of our own)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run our app under py-spy (if installed); writes bench/results/ours.txt",
    )
    args = parser.parse_args()
    if args.profile:
        out = str(RESULTS / "ours.txt")
        TARGETS["ours"] = [
            "py-spy",
            "record",
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            out,
            "--",
            *TARGETS["ours"],
        ]
    results = asyncio.run(main_async(args))
    print_report(results)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"\nsaved {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
