"""Block Kit limits, and one checker for all of them.

slack_sdk validates some limits when `to_dict()` runs, but not the block count, the length of
section fields, empty text objects or buttons without an `action_id`. `check_limits` checks
everything a message may break (https://api.slack.com/reference/block-kit/blocks) on the
serialised dicts, and `message.build()` runs it on every message it builds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_TEXT = 3000  # any text object, and a section's text
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ALT_TEXT = 2000
MAX_ID = 255  # block_id and action_id

_TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
_CHECKED_KEYS = ("url", "image_url", "block_id", "action_id")  # checked on any object


def check_limits(blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every way `blocks` breaks a Block Kit limit, in words; [] when it breaks none."""
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks, more than {MAX_BLOCKS}")
    block_ids = Counter(block["block_id"] for block in blocks if "block_id" in block)
    problems += [f"block_id {bid!r} is used {n} times" for bid, n in block_ids.items() if n > 1]
    for index, block in enumerate(blocks):
        where = f"blocks[{index}] ({block.get('type')})"
        problems += [f"{where}: {problem}" for problem in _check_block(block)]
        problems += [f"{where}{path}: {problem}" for path, problem in _walk(block, "")]
    return problems


def _check_block(block: Mapping[str, Any]) -> list[str]:
    """The limits that belong to one kind of block."""
    problems: list[str] = []
    kind = block.get("type")
    text = block.get("text")
    if kind == "header":
        if not isinstance(text, Mapping) or text.get("type") != "plain_text":
            problems.append("a header needs plain_text")
        elif len(text.get("text", "")) > MAX_HEADER:
            problems.append(f"header text is longer than {MAX_HEADER}")
    elif kind == "section":
        fields = block.get("fields") or []
        if not text and not fields:
            problems.append("a section needs text or fields")
        if len(fields) > MAX_FIELDS:
            problems.append(f"{len(fields)} fields, more than {MAX_FIELDS}")
        problems += [
            f"fields[{i}] is longer than {MAX_FIELD}"
            for i, field in enumerate(fields)
            if len(field.get("text", "")) > MAX_FIELD
        ]
    elif kind == "context":
        count = len(block.get("elements") or [])
        if not 1 <= count <= MAX_CONTEXT_ELEMENTS:
            problems.append(f"{count} context elements, not 1–{MAX_CONTEXT_ELEMENTS}")
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
            problems.append(f"{len(elements)} action elements, not 1–{MAX_ACTIONS_ELEMENTS}")
        action_ids = Counter(e["action_id"] for e in elements if "action_id" in e)
        problems += [f"action_id {a!r} is used {n} times" for a, n in action_ids.items() if n > 1]
    return problems


Path = tuple[str | int, ...]


def _walk(block: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    """Limits that hold wherever an object appears: text objects, buttons, URLs, ids."""
    problems: list[tuple[Path, str]] = []
    _walk_into(block, (), problems)
    return [(path + _path_text(where), problem) for where, problem in problems]


def _walk_into(
    node: Mapping[str, Any] | Sequence[Any], path: Path, problems: list[tuple[Path, str]]
) -> None:
    # Every message is checked as it is built, so this stays lean: one list for all the
    # problems, paths written out only for a problem, and no descent into strings and
    # numbers, which hold no object.
    if isinstance(node, (dict, Mapping)):
        found = _check_object(node)
        if found:
            problems += [(path, problem) for problem in found]
        children: Iterable[tuple[Any, Any]] = node.items()
    else:
        children = enumerate(node)
    for key, value in children:
        kind = type(value)
        if kind is dict or kind is list or (kind is not str and _holds_objects(value)):
            _walk_into(value, (*path, key), problems)


def _path_text(path: Path) -> str:
    """`.elements[0].text` for ("elements", 0, "text")."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _holds_objects(value: object) -> bool:
    """A dict or a list, or any other mapping or sequence that is not a string."""
    # The concrete types first: the abstract ones cost a call each, and this runs per value.
    return isinstance(value, (dict, list, tuple)) or (
        not isinstance(value, (str, bytes, int, float, type(None)))
        and isinstance(value, (Mapping, Sequence))
    )


def _check_object(obj: Mapping[str, Any]) -> tuple[str, ...] | list[str]:
    kind = obj.get("type")
    if kind in _TEXT_TYPES:
        text = obj.get("text")
        if (
            isinstance(text, str)
            and 0 < len(text) <= MAX_TEXT
            and not text.isspace()
            and not any(key in obj for key in _CHECKED_KEYS)
        ):
            return ()  # the usual object, and a sound one: nothing more to look at
    problems: list[str] = []
    if kind in _TEXT_TYPES:
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append("empty text")
        elif len(text) > MAX_TEXT:
            problems.append(f"text is longer than {MAX_TEXT}")
    if kind == "button":
        if not obj.get("action_id"):
            problems.append("a button without an action_id")
        if len(obj.get("text", {}).get("text", "")) > MAX_BUTTON_TEXT:
            problems.append(f"button text is longer than {MAX_BUTTON_TEXT}")
        if len(obj.get("value", "")) > MAX_BUTTON_VALUE:
            problems.append(f"button value is longer than {MAX_BUTTON_VALUE}")
    if kind == "image" and not 1 <= len(obj.get("alt_text", "")) <= MAX_ALT_TEXT:
        problems.append(f"image alt_text is not 1–{MAX_ALT_TEXT} characters")
    for key in ("url", "image_url"):
        if key in obj and not 1 <= len(obj[key]) <= MAX_URL:
            problems.append(f"{key} is not 1–{MAX_URL} characters")
    for key in ("block_id", "action_id"):
        if key in obj and not 1 <= len(obj[key]) <= MAX_ID:
            problems.append(f"{key} is not 1–{MAX_ID} characters")
    return problems
