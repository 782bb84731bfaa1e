"""Properties of every card for arbitrary candidates, in every view (see tests/strategies.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ats.models import Candidate
from bot.core.cards import candidate_message, combine, private_notice, unfurl_blocks
from bot.core.policy import View
from tests.core.cards.helpers import (
    assert_valid,
    assert_valid_message,
    contains,
    strings,
    text_objects,
)
from tests.strategies import candidates, flags, private_candidates

REF = "018b18ef-c487-703c-afd9-0ca478ccd9d6"
USER = "U0123ABCD"

# Each example renders three views, so a smaller budget keeps the whole file fast.
budget = settings(max_examples=100)


def render(candidate: Candidate, view: View, strict: bool) -> dict[str, Any] | None:
    """What Slack would receive for `view`: a message payload, or the unfurl's blocks."""
    if view is View.UNFURL:
        blocks = unfurl_blocks(candidate, strict=strict)
        return None if blocks is None else {"blocks": blocks}
    message = candidate_message(
        candidate, view, strict=strict, ref=REF, share_button=True, shared_by=USER
    )
    return message.as_payload()


def render_all(candidate: Candidate, strict: bool) -> dict[View, dict[str, Any] | None]:
    return {view: render(candidate, view, strict) for view in View}


@budget
@given(candidates(), st.booleans())
def test_no_limit_is_ever_broken_and_mrkdwn_is_escaped(candidate: Candidate, strict: bool) -> None:
    for view in (View.REQUESTER, View.CHANNEL):
        message = candidate_message(
            candidate, view, strict=strict, ref=REF, share_button=True, shared_by=USER
        )
        assert_valid_message(message)  # limits, slack_sdk round-trip, escaping, fallback text
        assert len(message.blocks) <= 9
    blocks = unfurl_blocks(candidate, strict=strict)
    if blocks is not None:
        assert_valid(blocks)
        assert_valid_message(combine([candidate_message(candidate, View.REQUESTER)] * 5))


@budget
@given(candidates(), st.booleans())
def test_the_user_never_sees_null_or_an_empty_label(candidate: Candidate, strict: bool) -> None:
    given_text = " ".join(strings(candidate.model_dump(mode="json")))
    for payload in render_all(candidate, strict).values():
        for obj in text_objects(payload):
            text = obj["text"]
            assert text.strip()
            if text.startswith("*") and "*\n" in text:  # a field: "*Label*\nvalue"
                assert text.split("*\n", 1)[1].strip()
            for word in ("None", "null", "[]"):
                assert word not in text or word in given_text


@budget
@given(
    st.tuples(private_candidates(), st.booleans())
    | st.tuples(candidates(is_private=st.none()), st.just(True))
)
def test_a_private_candidate_shows_nothing(case: tuple[Candidate, bool]) -> None:
    candidate, strict = case
    outputs = render_all(candidate, strict)
    # Exactly the notice a blank record would get: nothing of the candidate can be in it.
    assert outputs[View.REQUESTER] == outputs[View.CHANNEL] == private_notice(REF).as_payload()
    assert outputs[View.UNFURL] is None
    # So none of its values shows, unless the notice's own words happen to contain it.
    notice_text = " ".join(strings(outputs[View.REQUESTER])).lower()
    values = [
        candidate.first_name,
        candidate.last_name,
        candidate.title,
        candidate.company,
        candidate.remote_id,
        candidate.avatar,
        *candidate.tags,
        *candidate.locations,
        *candidate.email_addresses,
        *candidate.phone_numbers,
        *(url.value for url in candidate.urls),
    ]
    for value in values:
        if value and len(value) >= 4 and value.lower() not in notice_text:
            assert not contains(outputs, value)


@budget
@given(candidates(is_private=st.just(False), can_email=st.just(False)), st.booleans())
def test_no_email_when_the_candidate_may_not_be_emailed(candidate: Candidate, strict: bool) -> None:
    outputs = render_all(candidate, strict)
    assert not contains(outputs, "mailto:")
    for email in candidate.email_addresses:
        assert not contains(outputs, email)
    for payload in outputs.values():
        assert contains(payload, "Do not email")


@budget
@given(candidates(is_private=st.just(False), can_email=flags()), st.booleans())
def test_no_contact_details_outside_the_requester_view(candidate: Candidate, strict: bool) -> None:
    for view in (View.CHANNEL, View.UNFURL):
        payload = render(candidate, view, strict)
        for value in (*candidate.email_addresses, *candidate.phone_numbers):
            assert not contains(payload, value)


@budget
@given(candidates(is_private=st.just(False), can_email=st.just(True)))
def test_the_requester_sees_the_first_email_and_phone(candidate: Candidate) -> None:
    payload = render(candidate, View.REQUESTER, strict=False)
    for values in (candidate.email_addresses, candidate.phone_numbers):
        if values and len(values[0]) <= 200:
            assert contains(payload, values[0])
