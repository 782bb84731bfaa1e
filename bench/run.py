"""Benchmark: the real app against two references, under the same load, in one run.

    python -m bench.run                 # N = 20 and 200, ATS latency 300 ms
    python -m bench.run --n 20 --latency 0.1

Processes (all on 127.0.0.1, all started and stopped here, one job each):
- this one: the load generator, and nothing else on its event loop;
- the fake Slack side (bench/fake_slack.py): auth.test and the response_url receiver, which
  stamps each card's arrival on CLOCK_MONOTONIC, the clock the load generator sends by;
- the fake Bindbee (tests/fakes/bindbee.py) with the injected latency;
- the target: the real app (`python -m bot`), or reference (a) a Bolt app that only acks,
  or reference (b) a raw aiohttp server that acks, calls the ATS and posts a card;
- for `two_redis`: two app processes sharing one Redis (a redis-server started here in a
  temporary folder, or --redis-url), with a fresh key prefix, requests alternating between them.

Besides latency, every phase reports the CPU time each process spent over the burst
(utime + stime from /proc/<pid>/stat), divided by the lookups.

Each target gets the same phases at each N: N distinct ids at once, then a burst of N for
one id. `ours` and `two_redis` also get `warm` in between (the distinct ids again, now cached):
the difference of their cards is the cost of Redis on a warm-cache card. A last scenario sends
300 distinct ids at once to a fake that enforces 200 requests a minute, against `ours` and,
if it runs, `two_redis`. Figures are printed as a table, with our figures as ratios to the
references, and written to bench/results/latest.json.

Every seeded candidate has two applications (one active, one rejected), so the card carries
the hiring pipeline. A separate scenario counts the ATS requests one card costs, cold (empty
caches) and warm (jobs, stages and reject reasons cached, a candidate not seen before), with
Bindbee honouring `expand` and with it sending bare ids.
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
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bench import stages
from bench.common import free_port
from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee, bench_id
from tests.services.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
REPLY_WAIT = 30.0  # seconds to wait for cards before counting them lost
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # the unit of utime and stime in /proc/<pid>/stat


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
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per process, over the burst

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
            "ats_requests": self.ats_requests,
            "ats_requests_per_lookup": round(self.ats_requests / self.n, 3),
            "retry_later_replies": self.retry_later,
            "ats_429s": self.ats_429,
            "cpu_ms_per_lookup": round(self.cpu_ms.get("target", float("nan")) / self.n, 2),
            "others_cpu_ms_per_lookup": {
                name: round(ms / self.n, 2) for name, ms in self.cpu_ms.items() if name != "target"
            },
        }


def _pct(values: list[float], percentile: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percentile - 1], 1)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14, 15


class CpuMeter:
    """CPU time of named groups of processes over an interval, from /proc (Linux)."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self._start: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        return {name: sum(map(cpu_seconds, pids)) for name, pids in self.pids.items()}

    def start(self) -> None:
        """Take the starting readings."""
        self._start = self._read()

    def stop(self) -> dict[str, float]:
        """Milliseconds of CPU each group (e.g. both app instances) used since start()."""
        return {name: (now - self._start[name]) * 1000 for name, now in self._read().items()}


class LoadGenerator:
    """Sends signed `/candidate` requests, all at once, and times acks and cards.

    Cards go to the fake Slack process, which stamps their arrival; the load generator asks
    it for the stamps once the burst is over, so nothing but sending and acks runs here.
    """

    def __init__(self, slack_url: str, cpu: CpuMeter) -> None:
        self.slack_url = slack_url
        self.cpu = cpu
        self.verifier = SignatureVerifier(SECRET)
        self.session: aiohttp.ClientSession | None = None
        self._bursts = 0

    async def __aenter__(self) -> LoadGenerator:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def burst(
        self, urls: list[str], ids: list[str], *, expect_cards: bool = True, bodies: bool = False
    ) -> Burst:
        """Send one request per id at once, alternating between `urls`; time acks and cards."""
        assert self.session is not None
        self._bursts += 1
        name = f"b{self._bursts}"
        form = [
            urlencode(
                {
                    "team_id": "T1",
                    "channel_id": "C1",
                    # one user per request: a burst from many people, each within their
                    # share of the rate budget (BINDBEE_USER_SHARE)
                    "user_id": f"U{i}",
                    "command": "/candidate",
                    "text": candidate_id,
                    "response_url": f"{self.slack_url}/webhook/{name}/{i}",
                    "trigger_id": "1.1.x",
                }
            )
            for i, candidate_id in enumerate(ids)
        ]
        ts = str(int(time.time()))
        headers: list[dict[str, str]] = [
            {
                "content-type": "application/x-www-form-urlencoded",
                "x-slack-request-timestamp": ts,
                "x-slack-signature": self.verifier.generate_signature(timestamp=ts, body=body)
                or "",
            }
            for body in form
        ]
        sent: list[float] = [0.0] * len(ids)
        acked: list[float] = [0.0] * len(ids)

        async def one(i: int) -> None:
            assert self.session is not None
            sent[i] = time.monotonic()
            async with self.session.post(
                f"{urls[i % len(urls)]}/slack/events", data=form[i], headers=headers[i]
            ) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"ack status {response.status}")
            acked[i] = time.monotonic()

        self.cpu.start()
        await asyncio.gather(*(one(i) for i in range(len(ids))))
        query = {
            "burst": name,
            "count": str(len(ids) if expect_cards else 0),
            "timeout": str(REPLY_WAIT if expect_cards else 0),
            "bodies": "1" if bodies else "0",
        }
        # One long-polling request: the fake Slack answers once every card is in (or at the
        # timeout), so the load generator does no work while cards arrive.
        async with self.session.get(f"{self.slack_url}/_wait", params=query) as response:
            received: dict[str, dict[str, Any]] = await response.json()
        cpu_ms = self.cpu.stop()
        arrived = {int(i): at for i, at in received["arrived"].items()}
        first = min(sent)
        return Burst(
            ack_ms=[(a - s) * 1000 for a, s in zip(acked, sent, strict=True)],
            card_ms=[(at - sent[i]) * 1000 for i, at in arrived.items()],
            ack_span=max(acked) - first,
            card_span=(max(arrived.values()) - first) if arrived else 0.0,
            replies=[body.encode() for body in received["bodies"].values()],
            lost=len(ids) - len(arrived) if expect_cards else 0,
            cpu_ms=cpu_ms,
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
    cpu_ms: dict[str, float]  # per process (target, fakes, load generator, Redis)

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
            cpu_ms=self.cpu_ms,
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
    # Not a target of the issues: reference (b) that also asks for the applications, at the
    # same time, as a card with its pipeline does. The floor for our card's two requests.
    "raw_aiohttp_two": [sys.executable, "-m", "bench.ref_raw_aiohttp", "--pipeline"],
}
TWO_REDIS = "two_redis"  # two processes of `ours` sharing one Redis
EVERY_TARGET = [*TARGETS, TWO_REDIS]
ACK_ONLY = {"bolt_ack", "bolt_ack_inline"}
CACHED = {"ours", TWO_REDIS}  # the targets with a cache, which get the warm phase
PHASES = ("distinct", "warm", "one_id")


@dataclass(frozen=True)
class Fake:
    """A fake running as its own process."""

    url: str
    pid: int


def target_env(port: int, slack: Fake, bindbee: Fake, card_path: Path, rate: int) -> dict[str, str]:
    """Environment for any target: the app's settings, which the references read too."""
    return {
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{slack.url}/api/",
        "BINDBEE_API_KEY": FakeBindbee.API_KEY,
        "BINDBEE_CONNECTOR_TOKEN": FakeBindbee.CONNECTOR_TOKEN,
        "BINDBEE_BASE_URL": bindbee.url,
        "BINDBEE_RATE_LIMIT": str(rate),
        "BENCH_CARD_JSON": str(card_path),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@asynccontextmanager
async def fake_bindbee(
    latency: float, rate_limit: int | None, seed: int, *, expand: bool = True
) -> AsyncIterator[Fake]:
    """Run the fake Bindbee as its own process."""
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
    if not expand:
        args.append("--no-expand")
    url = f"http://127.0.0.1:{port}"
    async with process("bindbee", args, {}, f"{url}/_stats") as proc:
        yield Fake(url, proc.pid)


@asynccontextmanager
async def fake_slack() -> AsyncIterator[Fake]:
    """Run the fake Slack side (auth.test, response_url) as its own process."""
    port = free_port()
    args = [sys.executable, "-m", "bench.fake_slack", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    async with process("slack", args, {}, f"{url}/healthz") as proc:
        yield Fake(url, proc.pid)


@asynccontextmanager
async def sampled(pid: int, out: Path | None) -> AsyncIterator[None]:
    """Sample `pid` with py-spy (attached from outside, not pausing it) into `out`, if given."""
    if out is None:
        yield
        return
    spy = Path(sys.executable).with_name("py-spy")
    args = [str(spy) if spy.exists() else "py-spy", "record", "--pid", str(pid), "--nonblocking"]
    args += ["-r", "250", "-f", "raw", "-o", str(out)]
    log = (RESULTS / "py-spy.log").open("w")
    spy_proc = await asyncio.create_subprocess_exec(*args, stdout=log, stderr=log)
    try:
        await asyncio.sleep(1)  # py-spy attaches
        yield
    finally:
        spy_proc.send_signal(signal.SIGINT)  # it writes what it sampled on SIGINT
        await spy_proc.wait()
        log.close()


@dataclass(frozen=True)
class Redis:
    """The Redis `two_redis` shares; `pid` when this run started it, to count its CPU."""

    url: str
    pid: int | None


@asynccontextmanager
async def bench_redis(url: str | None) -> AsyncIterator[Redis]:
    """The Redis at `url`, or a redis-server of our own in a temporary folder."""
    if url:
        yield Redis(url, None)
        return
    if RedisServer.binary() is None:
        raise RuntimeError("two_redis needs redis-server installed, or --redis-url")
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        server = RedisServer(Path(folder))
        server.start()
        try:
            yield Redis(server.url, server.pid)
        finally:
            server.stop()


@dataclass
class Run:
    """What every target shares in one run."""

    slack: Fake
    card_path: Path
    latency: float
    sizes: list[int]
    phases: tuple[str, ...]
    profile: bool
    next_id: Iterator[int]
    redis: Redis | None  # only when two_redis runs


@dataclass(frozen=True)
class Target:
    """A running target: one URL and pid per process (two for two_redis)."""

    name: str
    urls: list[str]
    pids: list[int]


@asynccontextmanager
async def started(name: str, run: Run, bindbee: Fake, rate: int) -> AsyncIterator[Target]:
    """Start target `name` and stop it afterwards; two_redis is two of ours on run.redis."""
    if name == TWO_REDIS:
        assert run.redis is not None
        # A fresh prefix: each pair starts with an empty cache, budget and dedupe.
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        shared = {"REDIS_URL": run.redis.url, "REDIS_KEY_PREFIX": prefix}
        processes = [(f"{name}_{i}", TARGETS["ours"], shared) for i in range(2)]
    else:
        processes = [(name, TARGETS[name], {})]
    urls: list[str] = []
    pids: list[int] = []
    async with AsyncExitStack() as stack:
        for log_name, args, extra in processes:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            env = {**target_env(port, run.slack, bindbee, run.card_path, rate), **extra}
            proc = await stack.enter_async_context(process(log_name, args, env, f"{url}/healthz"))
            urls.append(url)
            pids.append(proc.pid)
        yield Target(name, urls, pids)


def cpu_meter(target: Target, run: Run, bindbee: Fake) -> CpuMeter:
    """A meter for the target's processes (summed) and, apart, everything else in the run."""
    pids = {"target": target.pids, "bindbee": [bindbee.pid], "slack": [run.slack.pid]}
    pids["load"] = [os.getpid()]
    if target.name == TWO_REDIS and run.redis is not None and run.redis.pid is not None:
        pids["redis"] = [run.redis.pid]
    return CpuMeter(pids)


async def run_target(name: str, run: Run) -> tuple[list[Phase], float]:
    """All phases for one target; returns them and the target's peak memory (per process)."""
    phases: list[Phase] = []
    async with (
        fake_bindbee(run.latency, None, seed=2000) as bindbee,
        started(name, run, bindbee, rate=100_000) as target,
    ):
        cards = name not in ACK_ONLY
        # py-spy follows one process: for two_redis, the first instance.
        profile = RESULTS / f"{name}.txt" if run.profile else None
        async with LoadGenerator(run.slack.url, cpu_meter(target, run, bindbee)) as load:
            warm_up = [bench_id(next(run.next_id)) for _ in range(10)]
            await load.burst(target.urls, warm_up, expect_cards=cards)
            async with sampled(target.pids[0], profile):
                for n in run.sizes:
                    distinct: list[str] = []
                    for phase_name in run.phases:
                        urls = target.urls
                        if phase_name == "distinct":
                            ids = distinct = [bench_id(next(run.next_id)) for _ in range(n)]
                        elif phase_name == "warm":
                            if name not in CACHED:
                                continue
                            ids = distinct
                            # each id to the instance that did not look it up: a card cached
                            # by the other one, read from Redis
                            urls = urls[1:] + urls[:1]
                        else:
                            ids = [bench_id(next(run.next_id))] * n
                        before = (await ats_stats(bindbee.url))["requests"]
                        burst = await load.burst(urls, ids, expect_cards=cards)
                        phase = burst.phase(name, phase_name, n)
                        after = (await ats_stats(bindbee.url))["requests"]
                        phase.ats_requests = after - before
                        phases.append(phase)
                        await asyncio.sleep(0.5)  # let the target settle between phases
        memory = max(peak_memory_mb(pid) for pid in target.pids)
    return phases, memory


async def rate_limit_scenario(name: str, run: Run, lookups: int, limit: int) -> Phase:
    """`lookups` distinct ids at once against a fake that allows `limit` requests a minute,
    to `name` (ours, or two_redis: spread over both instances, which share one budget)."""
    async with (
        fake_bindbee(run.latency, limit, seed=lookups + 100) as bindbee,
        started(name, run, bindbee, rate=limit) as target,
    ):
        async with LoadGenerator(run.slack.url, cpu_meter(target, run, bindbee)) as load:
            ids = [bench_id(i) for i in range(lookups)]
            burst = await load.burst(target.urls, ids, bodies=True)
        stats = await ats_stats(bindbee.url)
    phase = burst.phase(name, f"rate_limit_{lookups}", lookups)
    phase.ats_requests = stats["requests"]
    phase.ats_429 = stats["count_429"]
    phase.retry_later = sum(b"try again in" in body for body in burst.replies)
    return phase


async def request_cost(run: Run) -> dict[str, Any]:
    """ATS requests for one card, cold and warm, with `expand` honoured and with bare ids."""
    cost: dict[str, Any] = {}
    for shape, expand in (("expanded", True), ("bare_ids", False)):
        async with (
            fake_bindbee(run.latency, None, seed=20, expand=expand) as bindbee,
            started("ours", run, bindbee, rate=100_000) as target,
            LoadGenerator(run.slack.url, cpu_meter(target, run, bindbee)) as load,
        ):
            counts = []
            for index in (1, 2):  # 0 is private; 1 cold, then 2 with warm references
                before = (await ats_stats(bindbee.url))["requests"]
                burst = await load.burst(target.urls, [bench_id(index)], bodies=True)
                if burst.lost or b"Applications" not in burst.replies[0]:
                    raise RuntimeError(f"no card with its pipeline ({shape})")
                counts.append((await ats_stats(bindbee.url))["requests"] - before)
        cost[shape] = {"cold": counts[0], "warm": counts[1]}
    return cost


def write_card(path: Path) -> None:
    """The card reference (b) posts: ours, with its pipeline, for a seeded bench candidate,
    rendered once."""
    from bot.ats.models import Candidate, Pipeline, parse_applications
    from bot.core.cards import candidate_message
    from bot.core.policy import View
    from tests.fakes.bindbee import bench_payload

    candidate_id = bench_id(1)  # 0 is a private one
    items = [payloads.expanded(app) for app in payloads.applications(candidate_id)]
    applications, _ = parse_applications({"cursor": None, "items": items}, candidate_id)
    candidate = Candidate.from_payload(bench_payload(1)).model_copy(
        update={"pipeline": Pipeline(applications=applications)}
    )
    message = candidate_message(candidate, View.REQUESTER, share_button=True)
    path.write_text(json.dumps({"response_type": "ephemeral", **message.as_payload()}))


def ratios(results: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    """Our figures as ratios to the references, per N and phase; two_redis's the same way
    (keys prefixed `two_redis `), and the cost of Redis on a warm-cache card."""
    by = {(p["target"], p["phase"], p["n"]): p for p in results["phases"]}
    out: dict[str, Any] = {}
    for n in sizes:
        for target, prefix in (("ours", ""), (TWO_REDIS, f"{TWO_REDIS} ")):
            for phase in PHASES:
                if (ours := by.get((target, phase, n))) is not None and (
                    row := _row(ours, by, phase, n)
                ):
                    out[f"{prefix}{phase}@{n}"] = row
        ours_warm, two_warm = by.get(("ours", "warm", n)), by.get((TWO_REDIS, "warm", n))
        if ours_warm is not None and two_warm is not None:
            out[f"redis_cost_warm_card@{n}"] = {
                f"{p}_ms": round(two_warm[f"card_{p}_ms"] - ours_warm[f"card_{p}_ms"], 1)
                for p in ("p50", "p99")
            }
    return out


def _row(
    ours: dict[str, Any], by: dict[tuple[str, str, int], dict[str, Any]], phase: str, n: int
) -> dict[str, float]:
    """One target's phase as ratios to the references run at the same phase and N."""
    row: dict[str, float] = {}
    for ref in ("bolt_ack", "bolt_ack_inline"):
        if (other := by.get((ref, phase, n))) is not None:
            row[f"ack_p99_vs_{ref}"] = round(ours["ack_p99_ms"] / other["ack_p99_ms"], 2)
            row[f"throughput_vs_{ref}"] = round(ours["acks_per_s"] / other["acks_per_s"], 2)
    for ref in ("raw_aiohttp", "raw_aiohttp_two"):
        if (raw := by.get((ref, phase, n))) is not None:
            row[f"card_p99_vs_{ref}"] = round(ours["card_p99_ms"] / raw["card_p99_ms"], 2)
            row[f"cpu_vs_{ref}"] = _ratio(ours["cpu_ms_per_lookup"], raw)
    if ours["target"] == TWO_REDIS and phase == "one_id":
        row["ats_requests"] = ours["ats_requests"]  # target: 1 for the whole burst
    return row


def _ratio(ours: float, reference: dict[str, Any]) -> float:
    theirs = reference["cpu_ms_per_lookup"]
    return round(ours / theirs, 2) if theirs else float("nan")


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
        ("cpu_ms_per_lookup", 7),
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
        "CPU/lkp",
    ]
    print(" ".join(h.rjust(w) for h, (_, w) in zip(headings, columns, strict=True)))
    for phase in results["phases"]:
        print(" ".join(str(phase[key]).rjust(width) for key, width in columns))
    print("\nCPU/lkp: the target's CPU time over the burst ÷ lookups, in ms. The others' (ms):")
    for phase in results["phases"]:
        print(f"  {phase['target']:>16} {phase['phase']:>9} {phase['n']:>4}", end=" ")
        print(phase["others_cpu_ms_per_lookup"])
    print(
        "\nratios (ours ÷ reference; targets: ack p99 ≤ 1.5, throughput ≥ 0.7, card p99 ≤ 1.5,"
        " CPU ≤ 2)"
    )
    print("  two_redis: the same targets; one_id's ats_requests: 1 for the burst")
    for key, value in results["ratios"].items():
        print(f"  {key:22} {value}")
    print("\npeak memory (MB, per process):", results["peak_memory_mb"])
    for key in ("rate_limit", "rate_limit_two_redis"):
        if key in results:
            rate = results[key]
            print(
                f"\n{key}: {rate['n']} lookups at once, fake enforces "
                f"{results['rate_limit_per_min']}/min: ATS requests={rate['ats_requests']}, "
                f"429s={rate['ats_429s']}, 'try again' replies={rate['retry_later_replies']}, "
                f"lost={rate['lost']}, ack max={rate['ack_max_ms']} ms"
            )
    if "ats_requests_per_card" in results:
        print("\nATS requests per card (a candidate with two applications):")
        for shape, counts in results["ats_requests_per_card"].items():
            print(f"  {shape:9} cold={counts['cold']} warm={counts['warm']}")


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Run every target and scenario; return the results."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    card_path = RESULTS / "card.json"
    write_card(card_path)
    phases: list[Phase] = []
    memory: dict[str, float] = {}
    latency_ms = args.latency * 1000
    async with AsyncExitStack() as stack:
        slack = await stack.enter_async_context(fake_slack())
        redis = None
        if TWO_REDIS in args.targets:
            redis = await stack.enter_async_context(bench_redis(args.redis_url))
        run = Run(
            slack=slack,
            card_path=card_path,
            latency=args.latency,
            sizes=args.n,
            phases=tuple(p for p in PHASES if p in args.phases),  # warm after distinct
            profile=args.profile,
            next_id=iter(range(10**9)),
            redis=redis,
        )
        for name in args.targets:
            target_phases, memory[name] = await run_target(name, run)
            phases += target_phases
        results: dict[str, Any] = {
            "latency_ms": latency_ms,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),  # before the last target: was the machine quiet?
            "phases": [p.summary(latency_ms) for p in phases],
            "peak_memory_mb": {k: round(v, 1) for k, v in memory.items()},
            "rate_limit_per_min": args.rate_limit,
        }
        results["ratios"] = ratios(results, args.n)
        if not args.skip_rate_limit:
            scenario = (args.rate_lookups, args.rate_limit)
            results["rate_limit"] = (await rate_limit_scenario("ours", run, *scenario)).summary(
                latency_ms
            )
            if TWO_REDIS in args.targets:
                two = await rate_limit_scenario(TWO_REDIS, run, *scenario)
                results["rate_limit_two_redis"] = two.summary(latency_ms)
        if not args.skip_request_cost:
            results["ats_requests_per_card"] = await request_cost(run)
    return results


def main() -> None:
    """Parse arguments, run, print and save."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--latency", type=float, default=0.3, help="ATS latency in seconds")
    parser.add_argument("--targets", nargs="+", default=EVERY_TARGET, choices=EVERY_TARGET)
    parser.add_argument(
        "--phases",
        nargs="+",
        default=list(PHASES),
        choices=PHASES,
        help="warm (ours and two_redis only) needs distinct",
    )
    parser.add_argument("--skip-rate-limit", action="store_true")
    parser.add_argument("--rate-lookups", type=int, default=300, help="lookups in the 429 run")
    parser.add_argument("--rate-limit", type=int, default=200, help="the fake's limit a minute")
    parser.add_argument(
        "--redis-url", help="the Redis two_redis shares (default: a redis-server of our own)"
    )
    parser.add_argument(
        "--skip-request-cost", action="store_true", help="skip counting ATS requests per card"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample each target with py-spy during the phases (not the warm-up); writes "
        "bench/results/<target>.txt and prints our CPU per stage (bench/stages.py)",
    )
    args = parser.parse_args()
    if "warm" in args.phases and "distinct" not in args.phases:
        parser.error("--phases warm needs distinct: it sends the distinct ids again")
    results = asyncio.run(main_async(args))
    print_report(results)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"\nsaved {RESULTS / 'latest.json'}")
    if args.profile and "ours" in args.targets:
        profiled = [p for p in results["phases"] if p["target"] == "ours"]
        lookups = sum(p["n"] for p in profiled)
        cpu_us = sum(p["cpu_ms_per_lookup"] * p["n"] for p in profiled) / lookups * 1000
        print(f"\nours, CPU per stage (py-spy shares of {cpu_us:.0f} µs a lookup):")
        print(stages.report(RESULTS / "ours.txt", cpu_us_per_lookup=cpu_us))


if __name__ == "__main__":
    main()
