"""The pipeline on the card: each view's fields, confidential jobs, "Open in ATS", notes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ats.models import Application, Candidate, Pipeline
from bot.core.cards import ATS_ACTION_ID, candidate_message, combine, unfurl_blocks
from bot.core.policy import View
from tests.core.cards import samples
from tests.core.cards.helpers import assert_valid, assert_valid_message, contains, mrkdwn_texts
from tests.strategies import candidates

TEMPLATE = samples.PROFILE_TEMPLATE


def render(candidate: Candidate, view: View, template: str | None = TEMPLATE) -> Any:
    """The blocks Slack would get for `view`."""
    if view is View.UNFURL:
        blocks = unfurl_blocks(candidate)
        assert blocks is not None
        assert_valid(blocks)
        return blocks
    message = candidate_message(candidate, view, share_button=True, ats_profile_url=template)
    assert_valid_message(message)
    return list(message.blocks)


def pipeline_text(blocks: Any) -> str:
    """The text of the pipeline block (the section, the unfurl line or the note)."""
    found = [text for text in mrkdwn_texts(blocks) if "Applications" in text]
    assert len(found) == 1
    return found[0]


def with_pipeline(*applications: Application, **fields: Any) -> Candidate:
    return samples.full().model_copy(
        update={"pipeline": Pipeline(applications=applications, **fields)}
    )


def test_the_requester_view_shows_job_stage_status_dates_source_and_reason() -> None:
    text = pipeline_text(render(samples.pipeline(), View.REQUESTER))
    lines = text.splitlines()
    assert lines[0] == "*Applications*"
    assert lines[1].startswith("• *Platform Engineer* · Onsite · Active · applied <!date^")
    assert lines[1].endswith("|2021-08-01> · via LinkedIn")  # most recent first
    assert "Rejected <!date^1629417600^{date_short_pretty}|2021-08-20> (Not a good fit)" in lines[2]
    assert "via Referral" in lines[2]
    assert len([line for line in lines if line.startswith("• ")]) == 5
    assert "… and 2 more applications" in lines


def test_the_channel_view_shows_job_stage_and_status_only() -> None:
    text = pipeline_text(render(samples.pipeline(), View.CHANNEL))
    assert "• *Platform Engineer* · Onsite · Active\n" in text
    assert "Rejected <!date^1629417600^{date_short_pretty}|2021-08-20>\n" in text
    for absent in ("Not a good fit", "LinkedIn", "Referral", "applied"):
        assert absent not in text
    assert "… and 2 more applications" in text


def test_the_unfurl_shows_the_most_recent_active_application_on_one_line() -> None:
    text = pipeline_text(render(samples.pipeline(), View.UNFURL))
    assert text == "*Applications:* *Platform Engineer* · Onsite +6 more"
    assert "\n" not in text


def test_the_unfurl_skips_rejected_applications_for_the_active_one() -> None:
    rejected = samples.applications()[1]
    active = samples.applications()[4].model_copy(update={"rejected_at": None})
    text = pipeline_text(render(with_pipeline(rejected, active), View.UNFURL))
    assert text == "*Applications:* *Data Analyst* · Offer +1 more"
    only_rejected = pipeline_text(render(with_pipeline(rejected), View.UNFURL))
    assert only_rejected == "*Applications:* no active application +1 more"


def test_no_applications_says_so_except_in_the_unfurl() -> None:
    empty = with_pipeline()
    assert "No application on record" in pipeline_text(render(empty, View.REQUESTER))
    assert not contains(render(empty, View.UNFURL), "Applications")


def test_more_pages_make_the_count_a_lower_bound() -> None:
    candidate = with_pipeline(*samples.applications(), more_pages=True)
    assert "at least 2 more applications" in pipeline_text(render(candidate, View.REQUESTER))
    assert pipeline_text(render(candidate, View.UNFURL)).endswith("+6+ more")


@pytest.mark.parametrize("view", list(View))
def test_a_confidential_job_and_an_unflagged_one_are_never_named(view: View) -> None:
    blocks = render(samples.pipeline(), view)
    assert not contains(blocks, samples.CONFIDENTIAL_JOB)
    assert not contains(blocks, samples.UNFLAGGED_JOB)
    assert not contains(blocks, "stealth")
    if view is not View.UNFURL:
        text = pipeline_text(blocks)
        assert "_Confidential job_ · Phone screen" in text  # with its stage
        assert "_Confidential job_ · Technical interview" in text


@pytest.mark.parametrize("confidential", [True, None, "unclear"])
def test_the_unfurl_never_names_a_confidential_job_either(confidential: object) -> None:
    job = {"id": "job-x", "name": "Secret Search", "confidential": confidential}
    app = Application.read({"id": "a", "job": job, "current_stage": {"name": "Offer"}})
    text = pipeline_text(render(with_pipeline(app), View.UNFURL))
    assert text == "*Applications:* _Confidential job_ · Offer"


def test_an_unreadable_pipeline_is_a_short_note_in_every_view() -> None:
    for view in View:
        text = pipeline_text(render(samples.pipeline_unreadable(), view))
        assert text == ":warning: Applications not shown: the ATS did not send them in time."
    odd = samples.full().model_copy(update={"pipeline": Pipeline.unreadable("<!channel>")})
    assert pipeline_text(render(odd, View.REQUESTER)).endswith("they could not be read.")


def test_no_pipeline_looked_up_keeps_the_old_count_field() -> None:
    assert contains(render(samples.full(), View.REQUESTER), "*Applications*\n1")
    assert not contains(render(samples.pipeline(), View.REQUESTER), "*Applications*\n7")


def ats_buttons(blocks: Any) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ATS_ACTION_ID
    ]


@pytest.mark.parametrize("view", [View.REQUESTER, View.CHANNEL])
def test_open_in_ats_links_to_the_candidate_in_the_ats(view: View) -> None:
    [button] = ats_buttons(render(samples.full(), view))
    assert button["text"]["text"] == "Open in ATS"
    assert button["url"] == "https://app.greenhouse.io/people/123321"
    assert ats_buttons(render(samples.full(), view, template=None)) == []


def test_open_in_ats_encodes_the_remote_id_and_needs_one() -> None:
    odd = samples.full().model_copy(update={"remote_id": "a/../b c?d#e"})
    [button] = ats_buttons(render(odd, View.REQUESTER))
    assert button["url"] == "https://app.greenhouse.io/people/a%2F..%2Fb%20c%3Fd%23e"
    nameless = samples.full().model_copy(update={"remote_id": None})
    assert ats_buttons(render(nameless, View.REQUESTER)) == []


def test_the_unfurl_has_no_open_in_ats_button() -> None:
    assert ats_buttons(render(samples.full(), View.UNFURL)) == []


def test_five_cards_with_pipelines_fit_in_one_reply() -> None:
    every_block = samples.no_email().model_copy(update={"pipeline": samples.pipeline().pipeline})
    card = candidate_message(
        every_block, View.REQUESTER, share_button=True, ats_profile_url=TEMPLATE
    )
    assert len(card.blocks) == 8  # the most a card has: 5 of them and 4 dividers fit in 50
    assert_valid_message(combine([card] * 5))


def test_long_values_keep_the_pipeline_within_slacks_limits() -> None:
    huge = "&<>" * 2000
    job = {"id": "j", "name": huge, "confidential": False}
    app = Application.read(
        {
            "id": "a",
            "job": job,
            "current_stage": {"name": huge},
            "reject_reason": {"name": huge},
            "source": huge,
            "applied_at": "2021-01-01T00:00:00Z",
        }
    )
    render(with_pipeline(*[app] * 40), View.REQUESTER)  # render() checks every limit


budget = settings(max_examples=60)  # each example is large: a candidate and its applications


@budget
@given(candidates(with_pipeline=True), st.booleans())
def test_every_view_of_any_pipeline_is_escaped_and_within_limits(
    candidate: Candidate, strict: bool
) -> None:
    for view in (View.REQUESTER, View.CHANNEL):
        message = candidate_message(candidate, view, strict=strict, ats_profile_url=TEMPLATE)
        assert_valid_message(message)
        assert len(message.blocks) <= 8
    blocks = unfurl_blocks(candidate, strict=strict)
    if blocks is not None:
        assert_valid(blocks)


@budget
@given(candidates(is_private=st.just(False), can_email=st.just(False), with_pipeline=True))
def test_no_email_reaches_any_view_through_the_pipeline(candidate: Candidate) -> None:
    for view in View:
        blocks = render(candidate, view)
        assert not contains(blocks, "mailto:")
        for email in candidate.email_addresses:
            assert not contains(blocks, email)


@budget
@given(candidates(is_private=st.just(True), with_pipeline=True))
def test_a_private_candidates_pipeline_shows_nowhere(candidate: Candidate) -> None:
    assert unfurl_blocks(candidate) is None
    for view in (View.REQUESTER, View.CHANNEL):
        message = candidate_message(candidate, view, ats_profile_url=TEMPLATE)
        assert "Applications" not in str(message.blocks)
        assert ATS_ACTION_ID not in str(message.blocks)
