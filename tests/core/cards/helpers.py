"""Checks shared by the card tests: golden files, limits, round-trips and escaping."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block

from bot.core.cards import Message, check_limits

GOLDEN = Path(__file__).parent / "golden"

# The only control sequences the cards write on purpose.
_OWN_SEQUENCES = re.compile(
    r"<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>"
    r"|<!date\^\d+\^\{date_short_pretty\}\|\d{4}-\d\d-\d\d>"
    r"|<@[UW][A-Z0-9]+>"
)
_ENTITY = re.compile(r"&(?:amp|lt|gt);")


def assert_golden(name: str, payload: object) -> None:
    """Compare with tests/core/cards/golden/<name>.json; UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path.name} is missing: run the tests once with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs"


def assert_valid(blocks: Sequence[Mapping[str, Any]]) -> None:
    """No limit broken, slack_sdk parses the blocks back to the same dicts, mrkdwn escaped."""
    assert check_limits(blocks) == []
    parsed = Block.parse_all([dict(block) for block in blocks])
    assert [block.to_dict() for block in parsed] == list(blocks)
    for text in mrkdwn_texts(blocks):
        assert_escaped(text)


def assert_valid_message(message: Message) -> None:
    """A valid message: valid blocks, and a non-empty, escaped fallback text."""
    assert_valid(message.blocks)
    assert message.text.strip()
    assert_escaped(message.text)


def assert_escaped(text: str) -> None:
    """Every `<`, `>` and `&` in mrkdwn belongs to a sequence or entity the card wrote."""
    rest = _ENTITY.sub("", _OWN_SEQUENCES.sub("", text))
    assert not set("<>&") & set(rest), f"unescaped control character in {text!r}"


def text_objects(node: object) -> Iterator[Mapping[str, Any]]:
    """Every plain_text and mrkdwn object, at any depth."""
    if isinstance(node, Mapping):
        if node.get("type") in ("plain_text", "mrkdwn"):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for item in node:
            yield from text_objects(item)


def mrkdwn_texts(node: object) -> list[str]:
    """The text of every mrkdwn object."""
    return [obj["text"] for obj in text_objects(node) if obj["type"] == "mrkdwn"]


def strings(node: object) -> list[str]:
    """Every string value in a payload, at any depth (keys are our own schema)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, Mapping):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, Sequence):
        return [s for item in node for s in strings(item)]
    return []


def contains(node: object, value: str) -> bool:
    """Whether `value` (as is, or escaped for mrkdwn) is in any string of the payload."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    needles = {value.lower(), escaped.lower()}
    return any(needle in text.lower() for text in strings(node) for needle in needles)
