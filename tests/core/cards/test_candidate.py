"""The candidate card and the unfurl, behaviour by behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ats.errors import NotFound
from bot.ats.models import Candidate
from bot.core.cards import (
    LINK_ACTION_PREFIX,
    SHARE_ACTION_ID,
    Message,
    candidate_message,
    outcome_message,
    private_notice,
    unfurl_blocks,
)
from bot.core.policy import View
from tests.core.cards import samples
from tests.core.cards.helpers import assert_valid, assert_valid_message, contains, mrkdwn_texts

VIEWS = list(View)


def blocks_of(candidate: Candidate, view: View, **options: Any) -> list[dict[str, Any]]:
    """The blocks a view shows (the unfurl has no fallback text)."""
    if view is View.UNFURL:
        blocks = unfurl_blocks(candidate, **options)
        assert blocks is not None
        return blocks
    return list(candidate_message(candidate, view, **options).blocks)


def of_type(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [block for block in blocks if block["type"] == kind]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [element for block in of_type(blocks, "actions") for element in block["elements"]]


def fields(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Section fields as {label: value}."""
    found = {}
    for block in of_type(blocks, "section"):
        for field in block.get("fields", []):
            label, value = field["text"].split("\n", 1)
            found[label.strip("*")] = value
    return found


def test_the_full_requester_card() -> None:
    message = candidate_message(samples.full(), View.REQUESTER, share_button=True)
    blocks = list(message.blocks)
    assert [block["type"] for block in blocks] == [
        "header",
        "section",
        "section",
        "actions",
        "actions",
        "context",
    ]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "Jane Doe", "emoji": False}
    assert blocks[1]["text"]["text"] == "Software Engineer at Acme"
    assert fields(blocks) == {
        "Locations": "San Francisco, New York",
        "Tags": "Senior, Referral",
        "Last interaction": "<!date^1625097600^{date_short_pretty} at {time}|2021-07-01 00:00 UTC>",
        "Applications": "1",
        "Attachments": "2",
        "Email": "jane@doe.test\njane.doe@work.test",
        "Phone": "+1 415-555-0100",
    }
    assert blocks[1]["accessory"] == {
        "type": "image",
        "image_url": "https://www.example.com/avatar.jpg",
        "alt_text": "Candidate photo",
    }
    assert mrkdwn_texts(blocks[-1]) == [
        "ATS id: 123321",
        "Synced by Bindbee <!date^1634342400^{date_short_pretty} at {time}|2021-10-16 00:00 UTC>",
    ]
    assert message.text == "Candidate: Jane Doe"
    assert_valid_message(message)


def test_link_buttons_are_labelled_with_unique_action_ids() -> None:
    links, share = of_type(blocks_of(samples.full(), View.REQUESTER, share_button=True), "actions")
    assert [(b["text"]["text"], b["url"], b["action_id"]) for b in links["elements"]] == [
        ("LinkedIn", "https://www.linkedin.com/in/janedoe", f"{LINK_ACTION_PREFIX}_0"),
        ("Website", "https://janedoe.test", f"{LINK_ACTION_PREFIX}_1"),
        ("GitHub", "https://github.com/janedoe", f"{LINK_ACTION_PREFIX}_2"),
        ("Portfolio", "http://portfolio.test/jane", f"{LINK_ACTION_PREFIX}_3"),
    ]
    assert share["elements"] == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Share in channel", "emoji": False},
            "action_id": SHARE_ACTION_ID,
            "value": samples.CANDIDATE_ID,
        }
    ]


@pytest.mark.parametrize("view", VIEWS)
def test_every_button_has_an_action_id(view: View) -> None:
    for fixture in samples.FIXTURES.values():
        candidate = fixture().model_copy(update={"is_private": False})
        for button in buttons(blocks_of(candidate, view)):
            assert button["action_id"]


def test_the_share_button_only_on_request_and_only_for_the_requester() -> None:
    def has_share(view: View, share: bool) -> bool:
        message = candidate_message(samples.full(), view, share_button=share)
        return any(b["action_id"] == SHARE_ACTION_ID for b in buttons(list(message.blocks)))

    assert has_share(View.REQUESTER, True)
    assert not has_share(View.REQUESTER, False)
    assert not has_share(View.CHANNEL, True)
    assert SHARE_ACTION_ID not in str(unfurl_blocks(samples.full()))


def test_no_share_button_for_an_id_that_could_not_be_looked_up_again() -> None:
    odd = samples.full().model_copy(update={"id": "a/../b"})
    message = candidate_message(odd, View.REQUESTER, share_button=True)
    assert all(b["action_id"] != SHARE_ACTION_ID for b in buttons(list(message.blocks)))


@pytest.mark.parametrize(
    ("shared_by", "shown"),
    [
        ("U0123ABCD", True),
        ("W0123ABCD", True),
        ("U1", False),
        ("u0123abcd", False),
        ("U0123ABCD> <!channel", False),
        ("C0123ABCD", False),
        ("U" + "A" * 300, False),
        ("", False),
    ],
)
def test_shared_by_only_for_a_real_user_id(shared_by: str, shown: bool) -> None:
    message = candidate_message(samples.full(), View.CHANNEL, shared_by=shared_by)
    notes = mrkdwn_texts(message.blocks[-1])
    assert (f"Shared by <@{shared_by}>" in notes) is shown
    assert not any("Shared by" in note for note in notes) or shown
    assert_valid_message(message)


def test_the_channel_card_leaves_out_contact_details() -> None:
    blocks = blocks_of(samples.full(), View.CHANNEL)
    assert "Email" not in fields(blocks)
    assert "Phone" not in fields(blocks)
    for value in ("jane@doe.test", "jane.doe@work.test", "+1 415-555-0100", "mailto:"):
        assert not contains(blocks, value)
    assert len(buttons(blocks)) == 4  # the links stay


def test_the_unfurl_is_compact() -> None:
    blocks = blocks_of(samples.full(), View.UNFURL)
    assert [block["type"] for block in blocks] == ["section", "context"]
    assert blocks[0]["text"]["text"] == "*Jane Doe*\nSoftware Engineer at Acme"
    assert buttons(blocks) == []
    assert "Email" not in fields(blocks)
    assert "Phone" not in fields(blocks)
    assert_valid(blocks)


@pytest.mark.parametrize("view", VIEWS)
def test_do_not_email_is_marked_in_every_view(view: View) -> None:
    blocks = blocks_of(samples.no_email(), view)
    assert any("*Do not email*" in text for text in mrkdwn_texts(blocks))
    for value in ("jane@doe.test", "jane.doe@work.test", "mailto:"):
        assert not contains(blocks, value)
    unmarked = blocks_of(samples.full(), view)
    assert not any("Do not email" in text for text in mrkdwn_texts(unmarked))


@pytest.mark.parametrize("view", VIEWS)
def test_strict_turns_unknown_consent_into_do_not_email(view: View) -> None:
    unknown = samples.full().model_copy(update={"can_email": None})
    assert not contains(blocks_of(unknown, view), "Do not email")
    strict = blocks_of(unknown, view, strict=True)
    assert contains(strict, "Do not email")
    assert not contains(strict, "jane@doe.test")


@pytest.mark.parametrize("view", [View.REQUESTER, View.CHANNEL])
def test_a_private_candidate_becomes_the_private_notice(view: View) -> None:
    message = candidate_message(samples.private(), view, ref="<my ref>", share_button=True)
    assert message == private_notice("<my ref>")
    assert mrkdwn_texts(message.blocks) == [
        "This candidate is private in the ATS, so nothing about them is shown.",
        "You asked for: &lt;my ref&gt;",
    ]


def test_strict_treats_unknown_privacy_as_private() -> None:
    unknown = samples.full().model_copy(update={"is_private": None})
    assert candidate_message(unknown, View.REQUESTER, strict=True) == private_notice()
    assert unfurl_blocks(unknown, strict=True) is None
    assert unfurl_blocks(unknown) is not None


def test_a_private_candidate_is_not_unfurled_at_all() -> None:
    assert unfurl_blocks(samples.private()) is None


@pytest.mark.parametrize("view", VIEWS)
def test_empty_values_are_left_out(view: View) -> None:
    blocks = blocks_of(samples.sparse(), view)
    expected = ["context"] if view is View.UNFURL else ["header", "context"]
    assert [block["type"] for block in blocks if block["type"] != "section"] == expected
    assert fields(blocks) == {}
    everything = str(blocks)
    for word in ("None", "null", "[]", "ATS id"):
        assert word not in everything


def test_a_nameless_candidate_is_called_so() -> None:
    assert blocks_of(samples.sparse(), View.REQUESTER)[0]["text"]["text"] == "Unnamed candidate"
    assert candidate_message(samples.sparse(), View.CHANNEL).text == "Candidate: Unnamed candidate"
    unfurl = blocks_of(samples.sparse(), View.UNFURL)
    assert unfurl[0]["text"]["text"] == "*Unnamed candidate*"


def test_role_with_only_one_part() -> None:
    only_title = samples.sparse().model_copy(update={"title": "Engineer"})
    only_company = samples.sparse().model_copy(update={"company": "Acme"})
    assert blocks_of(only_title, View.REQUESTER)[1]["text"]["text"] == "Engineer"
    assert blocks_of(only_company, View.REQUESTER)[1]["text"]["text"] == "Acme"


@pytest.mark.parametrize(
    ("avatar", "shown"),
    [
        ("https://example.test/a.png", True),
        ("http://example.test/a.png", False),
        ("javascript:alert(1)", False),
        ("https://example.test/a b.png", False),
        (None, False),
    ],
)
def test_the_avatar_only_over_https(avatar: str | None, shown: bool) -> None:
    candidate = samples.full().model_copy(update={"avatar": avatar})
    for view in VIEWS:
        assert ("accessory" in blocks_of(candidate, view)[0 if view is View.UNFURL else 1]) is shown


def test_the_avatar_can_be_left_out_on_request() -> None:
    # Slack refuses a whole message whose image it cannot download; the app can retry without.
    assert "accessory" not in blocks_of(samples.full(), View.REQUESTER, show_avatar=False)[1]
    assert "accessory" not in blocks_of(samples.full(), View.UNFURL, show_avatar=False)[0]


def test_only_http_links_become_buttons() -> None:
    blocks = blocks_of(samples.hostile(), View.REQUESTER)
    assert [(b["text"]["text"], b["url"]) for b in buttons(blocks)] == [
        ("evil.test", "https://linkedin.com@evil.test/"),
    ]
    for value in ("javascript:", "data:", "ok.test"):
        assert not contains(blocks, value)


def test_duplicate_links_are_shown_once() -> None:
    link = samples.full().urls[1]
    candidate = samples.sparse().model_copy(update={"urls": (link, link, link)})
    assert [b["url"] for b in buttons(blocks_of(candidate, View.REQUESTER))] == [link.value]


def test_many_links_are_capped_and_counted() -> None:
    blocks = blocks_of(samples.oversized(), View.REQUESTER)
    assert [b["action_id"] for b in buttons(blocks)] == [f"candidate_link_{i}" for i in range(5)]
    assert "+55 more links" in mrkdwn_texts(blocks[-1])


def test_oversized_values_are_cut_and_lists_capped() -> None:
    message = candidate_message(samples.oversized(), View.REQUESTER, share_button=True)
    blocks = list(message.blocks)
    assert len(blocks[0]["text"]["text"]) == 150
    assert blocks[0]["text"]["text"].endswith("…")
    got = fields(blocks)
    assert got["Tags"].endswith("+105 more")
    assert got["Email"].endswith("+195 more")
    assert got["Phone"].endswith("+45 more")
    assert got["Applications"] == "300"
    assert_valid_message(message)


@pytest.mark.parametrize("view", VIEWS)
def test_hostile_text_is_escaped(view: View) -> None:
    blocks = blocks_of(samples.hostile(), view)
    everything = "\n".join(mrkdwn_texts(blocks))
    for raw in ("<!channel>", "<!here>", "<https://evil.test|click>", "<@U0123ABCD>", "<Sons>"):
        assert raw not in everything
    assert "Smith &amp; &lt;Sons&gt; &amp;amp; co" in everything
    assert "&lt;https://evil.test|click&gt;" in everything
    assert_valid(blocks)


def test_hostile_fallback_text_is_escaped() -> None:
    message = candidate_message(samples.hostile(), View.CHANNEL)
    assert message.text == "Candidate: &lt;!channel&gt; &lt;@U0123ABCD&gt;"


@pytest.mark.parametrize("fixture", list(samples.FIXTURES))
@pytest.mark.parametrize("view", VIEWS)
def test_every_card_fits_five_to_a_message(fixture: str, view: View) -> None:
    candidate = samples.FIXTURES[fixture]()
    message = candidate_message(candidate, view, share_button=True, shared_by="U0123ABCD")
    assert len(message.blocks) <= 9
    assert len(unfurl_blocks(candidate) or []) <= 9


def test_outcome_message_dispatches() -> None:
    error = NotFound()
    assert outcome_message(error, View.REQUESTER, ref="x") == outcome_message(
        error, View.CHANNEL, ref="x"
    )
    assert "No candidate found" in outcome_message(error, View.REQUESTER).text
    card = outcome_message(samples.full(), View.REQUESTER, share_button=True)
    assert card == candidate_message(samples.full(), View.REQUESTER, share_button=True)
    assert isinstance(card, Message)


def test_the_payload_is_text_and_blocks() -> None:
    message = candidate_message(samples.full(), View.REQUESTER)
    assert message.as_payload() == {"text": message.text, "blocks": list(message.blocks)}
