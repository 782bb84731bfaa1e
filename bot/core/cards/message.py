"""A finished Slack message (fallback text plus blocks), and how several become one reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, MarkdownTextObject

from bot.core.cards.limits import MAX_BLOCKS


@dataclass(frozen=True)
class Message:
    """A reply: short fallback text for notifications, and the Block Kit blocks as dicts."""

    text: str  # mrkdwn, already escaped
    blocks: tuple[dict[str, Any], ...]

    def as_payload(self) -> dict[str, Any]:
        """The body for respond() or a response_url post."""
        return {"text": self.text, "blocks": list(self.blocks)}


def build(text: str, blocks: Sequence[Block]) -> Message:
    """A Message from slack_sdk blocks; `to_dict()` runs slack_sdk's own validation."""
    return Message(text=text, blocks=tuple(block.to_dict() for block in blocks))


def mrkdwn_object(text: str) -> MarkdownTextObject:
    """An mrkdwn text object for text that is already escaped.

    verbatim=True stops Slack from turning bare words into links or mentions; the control
    sequences the cards write on purpose (`<!date^…>`, `<@U…>`) still work.
    """
    return MarkdownTextObject(text=text, verbatim=True)


def combine(messages: Sequence[Message]) -> Message:
    """One reply holding several cards, separated by dividers, always within 50 blocks."""
    if not messages:
        raise ValueError("nothing to combine")
    blocks: list[dict[str, Any]] = []
    texts: list[str] = []
    for index, message in enumerate(messages):
        divider = [DividerBlock().to_dict()] if blocks else []
        # Leave room for a divider and the "did not fit" note while more messages follow.
        reserve = 0 if index == len(messages) - 1 else 2
        if len(blocks) + len(divider) + len(message.blocks) + reserve > MAX_BLOCKS:
            left = len(messages) - index
            note = f"{left} more {'result' if left == 1 else 'results'} did not fit in this reply."
            blocks += [*divider, ContextBlock(elements=[mrkdwn_object(note)]).to_dict()]
            texts.append(note)
            break
        blocks += [*divider, *message.blocks]
        texts.append(message.text)
    return Message(text="\n".join(texts), blocks=tuple(blocks))
