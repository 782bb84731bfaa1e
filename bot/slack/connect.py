"""The Slack Connect guard: candidate data stays inside the organisation.

A conversation shared with another organisation (Slack Connect) shows everything posted in
it to people of that organisation too. Unfurls and shared cards are therefore posted only
where the conversation is known to be internal, unless UNFURL_EXTERNAL_CHANNELS allows it:

    the payload says is_ext_shared_channel: false      internal
    the payload says true                              external
    the payload says nothing (or something else)       ask conversations.info; what it says
                                                       about is_ext_shared (and a pending
                                                       external invitation) decides
    conversations.info fails, or the conversation      unknown, which counts as external
    cannot be named (a composer preview)

conversations.info needs a read scope for each kind of conversation: channels:read,
groups:read, im:read and mpim:read (https://api.slack.com/methods/conversations.info).
The fields are described at https://api.slack.com/types/conversation.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import loggable

logger = logging.getLogger("bot.slack.connect")

Reach = Literal["internal", "external", "unknown"]
"""Who may see a conversation: our organisation only, another one too, or we cannot tell."""

Refusal = Literal["external", "unknown"]
"""Why candidate data may not be posted into a conversation."""

COMPOSER = "COMPOSER"
"""The `channel` of a link_shared event for a message still in the composer."""

_CONVERSATION_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")  # channels, private channels, DMs


class ConnectGuard:
    """Says whether candidate data may be posted into a conversation."""

    def __init__(self, *, allow_external: bool) -> None:
        self.allow_external = allow_external

    async def refusal(
        self, client: AsyncWebClient, channel_id: object, shared_flag: object
    ) -> Refusal | None:
        """None when posting into `channel_id` is allowed; otherwise why not.

        `shared_flag` is what the payload says (`is_ext_shared_channel`), if anything.
        """
        if self.allow_external:
            return None
        reach = await self.reach(client, channel_id, shared_flag)
        if reach == "internal":
            return None
        return reach

    async def reach(self, client: AsyncWebClient, channel_id: object, shared_flag: object) -> Reach:
        """Whether the conversation is internal, shared outside, or unknown."""
        if isinstance(shared_flag, bool):
            return "external" if shared_flag else "internal"
        if (
            not isinstance(channel_id, str)
            or not _CONVERSATION_ID.fullmatch(channel_id)
            or channel_id == COMPOSER  # a message still being written: no conversation yet
        ):
            return "unknown"
        try:
            response = await client.conversations_info(channel=channel_id)
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            logger.warning(
                "conversations.info failed for channel=%s (%s): counted as shared outside",
                loggable(channel_id),
                loggable(error),
            )
            return "unknown"
        except Exception as exc:  # network trouble: the cautious answer
            logger.warning(
                "conversations.info failed (%s): counted as shared outside", type(exc).__name__
            )
            return "unknown"
        conversation = response.get("channel")
        if not isinstance(conversation, dict):
            return "unknown"
        if (
            conversation.get("is_ext_shared") is True
            or conversation.get("is_pending_ext_shared") is True
        ):
            return "external"
        return "internal" if conversation.get("is_ext_shared") is False else "unknown"
