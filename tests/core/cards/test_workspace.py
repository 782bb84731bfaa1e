"""The Home tab, the connect modal and the workspace notices: pure, valid, never a token."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.core.cards import check_limits
from bot.core.cards.workspace import (
    CONNECT_ACTION_ID,
    TOKEN_BLOCK_ID,
    connect_modal,
    home_view,
    mention,
    not_connected_message,
    setup_refused_message,
    token_errors,
    who_can_connect,
)


def test_the_modal_has_one_required_input_a_plain_text_token_field() -> None:
    modal = connect_modal()
    assert modal["type"] == "modal"
    inputs = [block for block in modal["blocks"] if block["type"] == "input"]
    assert len(inputs) == 1
    assert inputs[0]["block_id"] == TOKEN_BLOCK_ID
    assert inputs[0]["element"]["type"] == "plain_text_input"
    assert "initial_value" not in inputs[0]["element"]  # never shows a stored token back
    assert check_limits(modal["blocks"]) == []


def test_errors_answer_on_the_token_block() -> None:
    assert token_errors("No.") == {"response_action": "errors", "errors": {TOKEN_BLOCK_ID: "No."}}


def test_home_tab_when_connected_says_since_when_and_by_whom() -> None:
    view = home_view(
        connected_by="U0ANNA", connected_at=1_760_000_000, may_connect=True, installer="U0ANNA"
    )
    text = json.dumps(view)
    assert view["type"] == "home"
    assert "connected to its ATS since <!date^1760000000^" in text
    assert "by <@U0ANNA>" in text
    assert "Replace the connection" in text
    assert check_limits(view["blocks"]) == []


def test_home_tab_for_someone_who_may_not_connect_has_no_button() -> None:
    view = home_view(connected_by=None, connected_at=None, may_connect=False, installer="U0ANNA")
    text = json.dumps(view)
    assert CONNECT_ACTION_ID not in text
    assert "not connected to an ATS yet" in text
    assert "Only <@U0ANNA> (who installed the app) or a workspace admin or owner" in text


def test_an_operator_connection_has_no_mention() -> None:
    view = home_view(
        connected_by="operator", connected_at=1_760_000_000, may_connect=False, installer=None
    )
    assert "by an operator" in json.dumps(view)


def test_notices_say_who_can_connect() -> None:
    assert (
        "<@U0ANNA> (who installed the app) or a workspace admin"
        in not_connected_message("U0ANNA").text
    )
    assert not_connected_message(None).text.count("A workspace admin or owner can connect") == 1
    assert setup_refused_message("U0ANNA").text.startswith("Only <@U0ANNA>")


@given(st.text(max_size=40))
def test_only_well_formed_user_ids_become_mentions(value: str) -> None:
    shown = mention(value)
    assert shown is None or (shown == f"<@{value}>" and value.isalnum())
    assert "<!" not in who_can_connect(value)
