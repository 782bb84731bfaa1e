"""Our CPU per stage of the card path, from a py-spy profile of a benchmark run.

    python -m bench.run --targets ours --n 200 --phases distinct --skip-rate-limit --profile
    python -m bench.stages bench/results/ours.txt --lookups 200     # the same table again

py-spy (`record --format raw`) writes one line per distinct stack, `frame;frame;… count`,
outermost frame first, idle time left out. Each stack is charged to the stage of its
deepest frame that marks one: a JSON encoder called while posting a reply is serialising,
the regex under the policy is the policy's scrubbing, a log call anywhere is logging. What
no marker claims is the event loop and aiohttp doing I/O between our coroutines.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

# (stage, pattern on one frame "function (path:line)"), in the order the table shows them.
STAGES: tuple[tuple[str, str], ...] = (
    (
        "Bolt: request handling, signature check, ack",
        r"slack_bolt/|slack_sdk/signature|bot/slack/server\.py",
    ),
    ("parsing the text", r"bot/core/query\.py|bot/core/links\.py"),
    ("lookups: coalescing, cache", r"bot/lookups\.py"),
    ("ATS request (httpx, retry, budget) and its JSON", r"bot/ats/(?:client|retry|budget)|httpx"),
    ("the candidate model", r"bot/ats/models\.py"),
    ("policy and scrubbing", r"bot/core/policy\.py"),
    ("building Block Kit", r"bot/core/cards/|slack_sdk/models/"),
    ("serialising (JSON)", r"json/encoder\.py|\(dumps \(|orjson"),
    ("posting the reply", r"bot/slack/replies\.py|slack_sdk/webhook/"),
    ("logging", r"logging/__init__\.py|bot/logs\.py|_log_line"),
    ("aiohttp server: parsing requests, writing acks", r"aiohttp/web_"),
)
REST = "event loop, aiohttp client I/O and the rest"
_COMPILED = [(name, re.compile(pattern)) for name, pattern in STAGES]


def stage_of(frames: Sequence[str]) -> str:
    """The stage of the deepest frame that marks one, or REST."""
    for frame in reversed(frames):
        for name, pattern in _COMPILED:
            if pattern.search(frame):
                return name
    return REST


def samples_per_stage(raw: str) -> Counter[str]:
    """Samples charged to each stage, from py-spy's raw (collapsed-stack) output."""
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[stage_of(stack.split(";"))] += int(count)
    return counts


def report(path: Path, *, lookups: int, rate: int) -> str:
    """A Markdown table: µs of CPU per lookup and share of samples, per stage."""
    counts = samples_per_stage(path.read_text())
    total = sum(counts.values()) or 1
    lines = ["| stage | µs per lookup | share |", "| --- | ---: | ---: |"]
    for name in [*(name for name, _ in STAGES), REST]:
        micros = counts[name] / rate / lookups * 1e6
        lines.append(f"| {name} | {micros:.0f} | {counts[name] / total:.0%} |")
    lines.append(f"| **total** | **{total / rate / lookups * 1e6:.0f}** | 100% |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table for a saved profile."""
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--lookups", type=int, required=True, help="lookups while sampling")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples a second")
    args = parser.parse_args(argv)
    print(report(args.profile, lookups=args.lookups, rate=args.rate))


if __name__ == "__main__":
    main()
