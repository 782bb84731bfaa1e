"""Cards are plain dicts checked against every Block Kit limit as they are built."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import DividerBlock, SectionBlock

from bot.core.cards.blocks import context, header, mrkdwn, plain_text, section
from bot.core.cards.message import BlockKitLimitError, build, mrkdwn_object


def test_build_refuses_a_message_that_breaks_a_limit() -> None:
    with pytest.raises(BlockKitLimitError, match="header text is longer than 150"):
        build("x", [header(plain_text("x" * 151))])
    with pytest.raises(BlockKitLimitError, match="51 blocks"):
        build("x", [section(text=mrkdwn("x"))] * 51)
    with pytest.raises(BlockKitLimitError, match="empty text"):
        build("x", [context([mrkdwn(" ")])])


def test_build_takes_slack_sdk_blocks_as_their_dicts() -> None:
    message = build("x", [SectionBlock(text=mrkdwn("*hi*")), DividerBlock()])
    assert message.blocks == (section(text=mrkdwn("*hi*")), {"type": "divider"})


def test_a_section_leaves_out_what_it_does_not_have() -> None:
    assert section(fields=[mrkdwn("a")]) == {"type": "section", "fields": [mrkdwn("a")]}
    assert section(text=mrkdwn("a"), fields=[]) == {"type": "section", "text": mrkdwn("a")}


def test_mrkdwn_object_still_fits_slack_sdk_blocks() -> None:
    message = build("x", [SectionBlock(text=mrkdwn_object("*hi*"))])
    assert message.blocks == ({"type": "section", "text": mrkdwn("*hi*")},)
