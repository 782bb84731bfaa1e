"""The benchmark's stage table charges each py-spy sample to the right stage."""

from __future__ import annotations

from pathlib import Path

from bench.stages import REST, report, samples_per_stage, stage_of


def frame(function: str, path: str) -> str:
    """One frame as py-spy writes it."""
    return f"{function} ({path}:1)"


def test_the_deepest_marked_frame_decides() -> None:
    reply = frame("send", "/app/bot/slack/replies.py")
    dumps = frame("iterencode", "/usr/lib/python3.11/json/encoder.py")
    card = frame("build", "/app/bot/core/cards/message.py")
    policy = frame("disclose", "/app/bot/core/policy.py")
    assert stage_of([reply, dumps]) == "serialising (JSON)"
    assert stage_of([reply]) == "posting the reply"
    assert stage_of([card, policy]) == "policy and scrubbing"
    assert stage_of([frame("_run_once", "asyncio/base_events.py")]) == REST


def test_aiohttp_own_server_is_not_ours() -> None:
    server = frame("start", "/venv/aiohttp/web_protocol.py")
    ours = frame("_slack_events", "/app/bot/slack/server.py")
    assert stage_of([server]) == "aiohttp server: parsing requests, writing acks"
    assert stage_of([server, ours]) == "Bolt: request handling, signature check, ack"


def test_the_table_applies_the_shares_to_the_measured_cpu(tmp_path: Path) -> None:
    raw = tmp_path / "ours.txt"
    policy = frame("disclose", "bot/core/policy.py")
    model = frame("from_payload", "bot/ats/models.py")
    raw.write_text(f"{policy} 3\n{model} 1\n")
    assert samples_per_stage(raw.read_text())["policy and scrubbing"] == 3
    table = report(raw, cpu_us_per_lookup=1000)
    assert "| policy and scrubbing | 750 | 75% |" in table
    assert "| the candidate model | 250 | 25% |" in table
