"""Block Kit blocks and elements as plain dicts, written directly.

The cards used to be built as slack_sdk model objects and turned into dicts by `to_dict()`,
which validates and serialises by reflection on every call: about 220 µs a card, most of
what a card cost. These builders write the same dicts (the card tests parse every card back
with slack_sdk and compare, and the golden files hold them), with each key only when it has
a value, as slack_sdk does. `message.build()` then checks every Block Kit limit with
`check_limits`, which covers more than slack_sdk's validators.

Reference: https://api.slack.com/reference/block-kit/blocks and
https://api.slack.com/reference/block-kit/block-elements
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Json = dict[str, Any]


def plain_text(text: str) -> Json:
    """A plain_text object; emoji=False, so ":shortcodes:" typed into the ATS stay text."""
    return {"type": "plain_text", "text": text, "emoji": False}


def mrkdwn(text: str) -> Json:
    """An mrkdwn object for text that is already escaped.

    verbatim=True stops Slack from turning bare words into links or mentions; the control
    sequences the cards write on purpose (`<!date^…>`, `<@U…>`) still work.
    """
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def header(text: Json) -> Json:
    """A header block."""
    return {"type": "header", "text": text}


def section(
    *, text: Json | None = None, fields: Sequence[Json] = (), accessory: Json | None = None
) -> Json:
    """A section block: text, fields, or both, and an optional accessory."""
    block: Json = {"type": "section"}
    if text is not None:
        block["text"] = text
    if fields:
        block["fields"] = list(fields)
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(elements: Sequence[Json]) -> Json:
    """A context block."""
    return {"type": "context", "elements": list(elements)}


def actions(elements: Sequence[Json]) -> Json:
    """An actions block."""
    return {"type": "actions", "elements": list(elements)}


def divider() -> Json:
    """A divider block."""
    return {"type": "divider"}


def button(*, text: Json, action_id: str, url: str | None = None, value: str | None = None) -> Json:
    """A button: a link (`url`) or an action carrying `value`."""
    element: Json = {"type": "button", "text": text, "action_id": action_id}
    if url is not None:
        element["url"] = url
    if value is not None:
        element["value"] = value
    return element


def image(*, image_url: str, alt_text: str) -> Json:
    """An image element."""
    return {"type": "image", "image_url": image_url, "alt_text": alt_text}
