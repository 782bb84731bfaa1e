"""check_limits finds every kind of violation, and passes what Slack accepts."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.cards import check_limits


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(**parts: Any) -> dict[str, Any]:
    return {"type": "section", **parts}


def button(**parts: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Open"), "action_id": "a", **parts}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


GOOD: list[dict[str, Any]] = [
    {"type": "header", "text": plain("h" * 150)},
    section(
        text=mrkdwn("s" * 3000),
        fields=[mrkdwn("f" * 2000)] * 10,
        accessory={"type": "image", "image_url": "https://x.test/" + "a" * 2985, "alt_text": "a"},
    ),
    {"type": "context", "elements": [mrkdwn("c")] * 10},
    actions(
        button(text=plain("b" * 75), url="https://x.test", action_id="x" * 255),
        button(action_id="y", value="v" * 2000),
    ),
    {"type": "divider", "block_id": "d" * 255},
]


def test_a_message_at_every_limit_passes() -> None:
    assert check_limits(GOOD) == []
    assert check_limits([{"type": "divider"}] * 50) == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"type": "divider"}] * 51, "51 blocks"),
        ([{"type": "divider", "block_id": "b"}] * 2, "block_id 'b' is used 2 times"),
        ([{"type": "divider", "block_id": "b" * 256}], "block_id is not 1–255"),
        ([{"type": "header", "text": plain("h" * 151)}], "header text is longer than 150"),
        ([{"type": "header", "text": mrkdwn("h")}], "a header needs plain_text"),
        ([section(text=mrkdwn("s" * 3001))], "text is longer than 3000"),
        ([section()], "a section needs text or fields"),
        ([section(fields=[mrkdwn("f")] * 11)], "11 fields, more than 10"),
        ([section(fields=[mrkdwn("f" * 2001)])], "fields[0] is longer than 2000"),
        ([section(text=mrkdwn(""))], "empty text"),
        ([section(text=plain("   "))], "empty text"),
        ([section(text={"type": "mrkdwn"})], "empty text"),
        ([{"type": "context", "elements": [mrkdwn("c")] * 11}], "11 context elements"),
        ([{"type": "context", "elements": []}], "0 context elements"),
        ([actions()], "0 action elements"),
        ([actions(*[button(action_id=f"a{i}") for i in range(26)])], "26 action elements"),
        ([actions(button(), button())], "action_id 'a' is used 2 times"),
        (
            [actions({"type": "button", "text": plain("Open"), "url": "https://x.test"})],
            "without an action_id",
        ),
        ([actions(button(action_id="a" * 256))], "action_id is not 1–255"),
        ([actions(button(text=plain("b" * 76)))], "button text is longer than 75"),
        ([actions(button(value="v" * 2001))], "button value is longer than 2000"),
        ([actions(button(url="https://x.test/" + "a" * 2986))], "url is not 1–3000"),
        ([actions(button(url=""))], "url is not 1–3000"),
        (
            [
                section(
                    text=mrkdwn("s"),
                    accessory={"type": "image", "image_url": "https://x.test/a"},
                )
            ],
            "image alt_text is not 1–2000",
        ),
        (
            [
                {
                    "type": "context",
                    "elements": [{"type": "image", "image_url": "", "alt_text": "a"}],
                }
            ],
            "image_url is not 1–3000",
        ),
    ],
)
def test_each_violation_is_reported(blocks: list[dict[str, Any]], expected: str) -> None:
    problems = check_limits(blocks)
    assert any(expected in problem for problem in problems), problems


def test_a_report_says_where() -> None:
    problems = check_limits([{"type": "divider"}, section(fields=[mrkdwn("ok"), mrkdwn("")])])
    assert problems == ["blocks[1] (section).fields[1]: empty text"]


def test_action_ids_may_repeat_across_blocks() -> None:
    assert check_limits([actions(button()), actions(button())]) == []
