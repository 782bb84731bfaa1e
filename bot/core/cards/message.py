"""A finished Slack message (fallback text plus blocks), and how several become one reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from bot.core.cards.blocks import Json, context, divider, mrkdwn
from bot.core.cards.limits import MAX_BLOCKS, check_limits


class BlockKitLimitError(ValueError):
    """A card would break a Block Kit limit (a bug in the card code, never the user's)."""


@dataclass(frozen=True)
class Message:
    """A reply: short fallback text for notifications, and the Block Kit blocks as dicts."""

    text: str  # mrkdwn, already escaped
    blocks: tuple[dict[str, Any], ...]

    def as_payload(self) -> dict[str, Any]:
        """The text and blocks, as an ack or a Web API call takes them."""
        return {"text": self.text, "blocks": list(self.blocks)}

    def as_reply(self, *, in_channel: bool = False) -> dict[str, Any]:
        """The body of a response_url post: only the requester sees it, unless `in_channel`.

        It never replaces the message it answers (a card with a Share button stays).
        """
        response_type = "in_channel" if in_channel else "ephemeral"
        return {"response_type": response_type, "replace_original": False, **self.as_payload()}


def build(text: str, blocks: Sequence[Json | Block]) -> Message:
    """A Message from blocks (dicts, or slack_sdk blocks), refused if any limit is broken."""
    return Message(text=text, blocks=tuple(checked(blocks)))


def checked(blocks: Sequence[Json | Block]) -> list[Json]:
    """The blocks as dicts, or raise BlockKitLimitError naming every limit they break."""
    dicts = [block.to_dict() if isinstance(block, Block) else block for block in blocks]
    problems = check_limits(dicts)
    if problems:
        raise BlockKitLimitError("; ".join(problems))
    return dicts


def mrkdwn_object(text: str) -> Json:
    """An mrkdwn text object for text that is already escaped (blocks.mrkdwn); slack_sdk
    blocks take it too, so code that still builds them can keep calling this."""
    return mrkdwn(text)


def combine(messages: Sequence[Message]) -> Message:
    """One reply holding several cards, separated by dividers, always within 50 blocks."""
    if not messages:
        raise ValueError("nothing to combine")
    blocks: list[dict[str, Any]] = []
    texts: list[str] = []
    for index, message in enumerate(messages):
        separator = [divider()] if blocks else []
        # Leave room for a divider and the "did not fit" note while more messages follow.
        reserve = 0 if index == len(messages) - 1 else 2
        if len(blocks) + len(separator) + len(message.blocks) + reserve > MAX_BLOCKS:
            left = len(messages) - index
            note = f"{left} more {'result' if left == 1 else 'results'} did not fit in this reply."
            blocks += [*separator, context([mrkdwn(note)])]
            texts.append(note)
            break
        blocks += [*separator, *message.blocks]
        texts.append(message.text)
    return Message(text="\n".join(texts), blocks=tuple(blocks))
