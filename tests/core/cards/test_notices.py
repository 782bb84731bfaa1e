"""Notices, error cards and combined replies."""

from __future__ import annotations

import pytest

from bot.ats.errors import (
    AuthRefused,
    BadResponse,
    InvalidId,
    InvalidRequest,
    LookupFailure,
    NotFound,
    RateLimited,
    Unavailable,
    UnknownLink,
)
from bot.core.cards import (
    Message,
    apology_message,
    candidate_message,
    combine,
    error_message,
    private_notice,
    share_refused_message,
    too_many_note,
    usage_message,
)
from bot.core.policy import View
from bot.core.query import MAX_IDS
from tests.core.cards import samples
from tests.core.cards.helpers import assert_valid_message, mrkdwn_texts

ERRORS: list[tuple[LookupFailure, str]] = [
    (AuthRefused("401"), "the ATS refused our credentials — ask an admin to check the Bindbee"),
    (RateLimited(2.1), "try again in 3 s"),
    (RateLimited(0), "try again in 1 s"),
    (Unavailable("timeout"), "the ATS did not answer"),
    (BadResponse("not JSON"), "could not read"),
    (InvalidRequest("422"), "did not accept this request"),
    (NotFound(), "no candidate found"),
    (LookupFailure("something new"), "the lookup failed"),
]


@pytest.mark.parametrize(("error", "words"), ERRORS)
def test_one_card_per_error_kind(error: LookupFailure, words: str) -> None:
    message = error_message(error, ref="018b18ef")
    sentence, echo = mrkdwn_texts(message.blocks)
    assert words.lower() in sentence.lower()
    assert echo == "You asked for: 018b18ef"
    assert words.lower() in message.text.lower()
    assert_valid_message(message)


def test_error_details_are_not_shown() -> None:
    message = error_message(BadResponse("not a candidate (bad or missing: modified_at)"))
    assert "modified_at" not in str(message)


def test_an_unknown_subclass_uses_its_parents_words() -> None:
    class Timeout(Unavailable):
        pass

    assert error_message(Timeout()) == error_message(Unavailable())


def test_an_invalid_id_is_named_and_escaped() -> None:
    message = error_message(InvalidId("<!channel> & co"))
    assert mrkdwn_texts(message.blocks)[0].startswith("“&lt;!channel&gt; &amp; co” is not a valid")
    assert len(message.blocks) == 1  # the id is in the sentence already
    assert_valid_message(message)


def test_an_unknown_link_is_named_escaped_and_called_a_link() -> None:
    message = error_message(UnknownLink("https://evil.test/<!channel>&x"))
    [sentence] = mrkdwn_texts(message.blocks)
    assert "https://evil.test/&lt;!channel&gt;&amp;x" in sentence
    assert "not a candidate link" in sentence
    assert_valid_message(message)


def test_a_huge_invalid_id_is_cut() -> None:
    message = error_message(InvalidId("&" * 5000))
    assert len(message.text) < 400
    assert_valid_message(message)


def test_an_empty_invalid_id_still_reads() -> None:
    message = error_message(InvalidId(""))
    assert "“(nothing)”" in message.text
    assert_valid_message(message)


@pytest.mark.parametrize("ref", [None, "", "   ", "\x00"])
def test_no_echo_without_a_ref(ref: str | None) -> None:
    assert len(private_notice(ref).blocks) == 1
    assert len(error_message(NotFound(), ref=ref).blocks) == 1


def test_refs_are_escaped_and_cut() -> None:
    message = private_notice("<https://app.greenhouse.io/people/1|x> &" + "x" * 5000)
    echo = mrkdwn_texts(message.blocks)[1]
    assert echo.startswith("You asked for: &lt;https://app.greenhouse.io/people/1|x&gt; &amp;")
    assert len(echo) <= 230
    assert echo.endswith("…")
    assert_valid_message(message)


def test_the_private_notice_says_it_plainly() -> None:
    message = private_notice("abc")
    assert "private" in message.text
    assert "abc" not in message.text  # the notification shows no ref either
    assert_valid_message(message)


def test_usage() -> None:
    message = usage_message(max_ids=MAX_IDS)
    text = mrkdwn_texts(message.blocks)[0]
    assert "`/candidate &lt;id&gt;`" in text
    assert "up to 5" in text
    assert "commas or new lines" in text
    assert "`/candidate jane@acme.com`" in text
    assert "`/candidate Jane Doe`" in text
    assert "link" in text
    assert "up to 3" in mrkdwn_texts(usage_message(max_ids=3).blocks)[0]
    assert_valid_message(message)


def test_too_many() -> None:
    message = too_many_note(7, 5)
    assert "first 5 of 7 lookups" in message.text
    assert "at most 5" in message.text
    assert_valid_message(message)


def test_apology_and_share_refused() -> None:
    assert "Sorry" in apology_message().text
    refused = share_refused_message("c1")
    assert "private now" in refused.text
    assert "nothing was shared" in refused.text
    assert mrkdwn_texts(refused.blocks)[1] == "You asked for: c1"
    for message in (apology_message(), refused, share_refused_message()):
        assert_valid_message(message)


# --- combine


def test_combine_separates_cards_with_dividers() -> None:
    card = candidate_message(samples.full(), View.REQUESTER)
    note = error_message(NotFound(), ref="x")
    combined = combine([card, note])
    assert combined.blocks == (*card.blocks, {"type": "divider"}, *note.blocks)
    assert combined.text == f"{card.text}\n{note.text}"
    assert combine([card]) == card


def test_five_of_the_biggest_cards_and_a_note_fit() -> None:
    card = candidate_message(
        samples.oversized(), View.REQUESTER, share_button=True, shared_by="U0123ABCD"
    )
    combined = combine([card] * 5 + [too_many_note(9, 5)])
    assert len(combined.blocks) == 5 * len(card.blocks) + 5 + 1  # five dividers, one note
    assert "did not fit" not in combined.text
    assert_valid_message(combined)


def test_combine_never_goes_over_fifty_blocks() -> None:
    big = Message(text="big", blocks=tuple({"type": "divider"} for _ in range(20)))
    combined = combine([big] * 5)
    assert len(combined.blocks) <= 50
    assert combined.text == "big\nbig\n3 more results did not fit in this reply."
    assert combined.blocks[-1]["type"] == "context"
    assert_valid_message(combined)


def test_one_message_too_big_alone() -> None:
    huge = Message(text="huge", blocks=tuple({"type": "divider"} for _ in range(60)))
    combined = combine([huge])
    assert combined.text == "1 more result did not fit in this reply."
    assert len(combined.blocks) == 1


def test_combine_needs_something() -> None:
    with pytest.raises(ValueError, match="nothing"):
        combine([])
