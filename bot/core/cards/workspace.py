"""The workspace's own surfaces in OAuth mode: the Home tab, the connect modal and notices.

Pure builders, like the rest of cards/. A connector token is never an argument of any of
them, so no view can show one back: the Home tab knows only that the workspace is
connected, since when and by whom.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.cards.message import Message, build, mrkdwn_object
from bot.core.cards.text import slack_date

CONNECT_ACTION_ID = "connect_ats"
CONNECT_CALLBACK_ID = "connect_ats_modal"
TOKEN_BLOCK_ID = "connector_token"  # noqa: S105 (a block id, not a secret)
TOKEN_ACTION_ID = "token"  # noqa: S105 (an action id, not a secret)
MAX_TOKEN_LENGTH = 500  # Bindbee's tokens are far shorter; the cap bounds what we send on

_USER_ID = re.compile(r"[UW][A-Z0-9]{1,20}")


def mention(user_id: str | None) -> str | None:
    """`<@U…>` for a well-formed user id, else None (never echo anything else into mrkdwn)."""
    return f"<@{user_id}>" if user_id and _USER_ID.fullmatch(user_id) else None


def who_can_connect(installer: str | None) -> str:
    """Who may connect the workspace, in words: the installer, and admins and owners."""
    named = mention(installer)
    admins = "a workspace admin or owner"
    return f"{named} (who installed the app) or {admins}" if named else admins


def not_connected_message(installer: str | None) -> Message:
    """/candidate in a workspace that is installed but not connected to an ATS yet."""
    who = who_can_connect(installer)
    text = (
        "This workspace is not connected to an ATS yet, so there is nothing to look up. "
        f"{who[0].upper()}{who[1:]} can connect it in the app's Home tab "
        "or with `/candidate setup`."
    )
    return build(text, [SectionBlock(text=mrkdwn_object(text))])


def setup_refused_message(installer: str | None) -> Message:
    """/candidate setup by someone who may not connect the workspace."""
    text = f"Only {who_can_connect(installer)} can connect this workspace to an ATS."
    return build(text, [SectionBlock(text=mrkdwn_object(text))])


def connect_modal() -> dict[str, Any]:
    """The modal that asks for a Bindbee connector token: one input, nothing pre-filled."""
    view = View(
        type="modal",
        callback_id=CONNECT_CALLBACK_ID,
        title="Connect your ATS",
        submit="Connect",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=mrkdwn_object(
                    "Paste the *connector token* of your ATS from the Bindbee dashboard "
                    "(your connector's Overview). It is checked with Bindbee once, then "
                    "stored encrypted; nobody can see it again here."
                )
            ),
            InputBlock(
                block_id=TOKEN_BLOCK_ID,
                label="Connector token",
                element=PlainTextInputElement(
                    action_id=TOKEN_ACTION_ID, max_length=MAX_TOKEN_LENGTH
                ),
            ),
        ],
    )
    return view.to_dict()


def token_errors(sentence: str) -> dict[str, Any]:
    """The answer to a view_submission that shows `sentence` under the token field."""
    return {"response_action": "errors", "errors": {TOKEN_BLOCK_ID: sentence}}


def home_view(
    *,
    connected_by: str | None,
    connected_at: int | None,
    may_connect: bool,
    installer: str | None,
) -> dict[str, Any]:
    """The Home tab: connected or not (since when, by whom), and the button for those allowed."""
    blocks: list[Any] = [HeaderBlock(text="Candidate Lookup")]
    if connected_at is not None:
        since = slack_date(datetime.fromtimestamp(connected_at, tz=UTC))
        by = mention(connected_by) or "an operator"
        status = (
            f":white_check_mark: This workspace is connected to its ATS since {since}, by {by}."
        )
    else:
        status = ":warning: This workspace is not connected to an ATS yet."
    blocks.append(SectionBlock(text=mrkdwn_object(status)))
    if may_connect:
        label = "Replace the connection" if connected_at is not None else "Connect your ATS"
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=label, action_id=CONNECT_ACTION_ID, style="primary", value="connect"
                    )
                ]
            )
        )
    else:
        blocks.append(
            ContextBlock(
                elements=[mrkdwn_object(f"Only {who_can_connect(installer)} can connect it.")]
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                mrkdwn_object(
                    "Look a candidate up with `/candidate <id or link>`; paste a candidate "
                    "link to get a preview."
                )
            ]
        )
    )
    return View(type="home", blocks=blocks).to_dict()
