"""A readable terminal rendering of Block Kit blocks, close to what a Slack user sees.

    header    the text, underlined
    section   the text, then one "Label  value" line per field ("*Label*\\nvalue" fields)
    actions   link buttons as "label → URL", other buttons as "[ label ]"
    context   the elements joined with " · "
    divider   a line

mrkdwn is read the way Slack reads it: first its control sequences (`<url|label>`,
`<!date^…|fallback>`, `<@U…>`), then the entities `&amp;`, `&lt;` and `&gt;` in the text
around them. So a candidate named `&lt;!channel&gt;` shows as the text `<!channel>`, which is
what Slack shows, and never as a mention. Control and bidi characters are dropped from
everything printed, so text from the ATS cannot send escape codes to the terminal, nor make
a line read backwards.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.cards.text import BIDI_CONTROLS

_MARKUP = re.compile(r"(<[^<>]*>)")
_FIELD = re.compile(r"\*(?P<label>[^*\n]+)\*\n(?P<value>.*)", re.DOTALL)
_RULE_WIDTH = 60


def render_blocks(blocks: Sequence[Mapping[str, Any]]) -> str:
    """The blocks as plain lines of text, one paragraph per block."""
    paragraphs = [_render_block(block) for block in blocks]
    return safe_text("\n\n".join(p for p in paragraphs if p))


def mrkdwn_to_plain(text: str) -> str:
    """Slack mrkdwn as the plain text a reader sees: links, dates, mentions, entities."""
    parts = _MARKUP.split(text)
    # re.split with one group: odd indexes are the <…> sequences, even ones the text around them
    return "".join(_markup(part) if i % 2 else _unescape(part) for i, part in enumerate(parts))


def safe_text(text: str) -> str:
    """`text` without bidi controls, nor control characters other than newlines."""
    return "".join(
        c for c in text if c == "\n" or (unicodedata.category(c) != "Cc" and c not in BIDI_CONTROLS)
    )


def emit(text: str) -> None:
    """Print `text` to stdout; a reader that went away (`… | head`) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # As the Python docs advise: point stdout at devnull, or the flush at exit fails again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _render_block(block: Mapping[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"))
        return f"{title}\n{'=' * min(len(title), _RULE_WIDTH)}"
    if kind == "section":
        return _section(block)
    if kind == "actions":
        return "\n".join(_element(element) for element in block.get("elements") or [])
    if kind == "context":
        return " · ".join(_element(element) for element in block.get("elements") or [])
    if kind == "divider":
        return "-" * _RULE_WIDTH
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}] {block.get('image_url', '')}"
    return f"[{kind} block]"


def _section(block: Mapping[str, Any]) -> str:
    lines = [_text(block.get("text"))] if block.get("text") else []
    fields = [_field(field) for field in block.get("fields") or []]
    width = max((len(label) for label, _ in fields), default=0)
    for label, value in fields:
        value_lines = value.split("\n")
        lines.append(f"  {label:<{width}}  {value_lines[0]}".rstrip())
        lines += [f"  {'':<{width}}  {line}" for line in value_lines[1:]]
    accessory = block.get("accessory")
    if isinstance(accessory, Mapping):
        lines.append(f"  {_element(accessory)}")
    return "\n".join(lines)


def _field(field: Mapping[str, Any]) -> tuple[str, str]:
    """(label, value) from a "*Label*\\nvalue" field; ("", text) for any other field."""
    raw = str(field.get("text", ""))
    found = _FIELD.fullmatch(raw) if field.get("type") == "mrkdwn" else None
    if found is None:
        return "", _text(field)
    return mrkdwn_to_plain(found["label"]), mrkdwn_to_plain(found["value"])


def _element(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        label = _text(element.get("text"))
        return f"{label} → {element['url']}" if element.get("url") else f"[ {label} ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}] {element.get('image_url', '')}"
    if kind in ("mrkdwn", "plain_text"):
        return _text(element)
    return f"[{kind}]"


def _text(obj: object) -> str:
    """The readable text of a text object (plain_text as is, mrkdwn converted)."""
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_plain(text) if obj.get("type") == "mrkdwn" else text


def _markup(sequence: str) -> str:
    """One `<…>` control sequence as text: `label → url`, a date's fallback, `@mention`."""
    target, _, label = sequence[1:-1].partition("|")
    label = _unescape(label)
    if target.startswith("!date^"):
        return label or target
    if target.startswith("!"):  # <!here>, <!subteam^S…|label>: Slack shows a mention
        return label or "@" + target[1:].split("^")[0]
    if target[:1] in ("@", "#"):  # user and channel mentions
        return target[0] + label if label else target
    url = _unescape(target)
    return f"{label} → {url}" if label and label != url else url


def _unescape(text: str) -> str:
    # Only the three entities Slack itself uses; `&amp;` last, so `&amp;lt;` stays `&lt;`.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
