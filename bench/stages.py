"""Our CPU per stage of the card path, from a py-spy profile of a benchmark run.

    python -m bench.run --targets ours --n 200 --phases distinct --skip-rate-limit --profile
    python -m bench.stages bench/results/ours.txt --cpu-us 3250   # the same table again

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
    ("ATS request (aiohttp, retry, budget) and its JSON", r"bot/ats/(?:client|retry|budget)"),
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


def report(path: Path, *, cpu_us_per_lookup: float) -> str:
    """A Markdown table: each stage's share of the samples, and that share of the CPU time
    per lookup measured from /proc.

    py-spy leaves idle time out but, on a busy machine, counts the time the process waits for
    a core, so its samples give shares, and /proc gives the total.
    """
    counts = samples_per_stage(path.read_text())
    total = sum(counts.values()) or 1
    lines = ["| stage | µs per lookup | share |", "| --- | ---: | ---: |"]
    for name in [*(name for name, _ in STAGES), REST]:
        share = counts[name] / total
        lines.append(f"| {name} | {share * cpu_us_per_lookup:.0f} | {share:.0%} |")
    lines.append(f"| **total (CPU from /proc)** | **{cpu_us_per_lookup:.0f}** | 100% |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table for a saved profile."""
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument(
        "--cpu-us", type=float, required=True, help="measured CPU per lookup, in µs"
    )
    args = parser.parse_args(argv)
    print(report(args.profile, cpu_us_per_lookup=args.cpu_us))


if __name__ == "__main__":
    main()
