"""Golden files: the exact JSON of every card, checked in under tests/core/cards/golden/.

A change to a card shows up as a diff of these files in review. To accept one, run
`UPDATE_GOLDEN=1 pytest tests/core/cards` and read the diff before committing.
"""

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
)
from bot.ats.models import Candidate
from bot.core.cards import (
    Message,
    apology_message,
    candidate_message,
    combine,
    error_message,
    match_list_message,
    no_match_message,
    private_notice,
    share_refused_message,
    too_many_note,
    unfurl_blocks,
    usage_message,
)
from bot.core.policy import View
from bot.core.query import MAX_IDS
from bot.core.search import SearchKey, SearchResult
from tests.core.cards import samples
from tests.core.cards.helpers import GOLDEN, assert_golden, assert_valid, assert_valid_message

REF = "018b18ef-c487-703c-afd9-0ca478ccd9d6"


@pytest.mark.parametrize("name", list(samples.FIXTURES))
def test_requester_card(name: str) -> None:
    candidate = samples.FIXTURES[name]()
    message = candidate_message(
        candidate, View.REQUESTER, ref=REF, share_button=True, ats_profile_url=_template(name)
    )
    assert_valid_message(message)
    assert_golden(f"{name}.requester", message.as_payload())


@pytest.mark.parametrize("name", list(samples.FIXTURES))
def test_channel_card(name: str) -> None:
    candidate = samples.FIXTURES[name]()
    message = candidate_message(
        candidate,
        View.CHANNEL,
        ref=REF,
        shared_by=samples.REQUESTER_ID,
        ats_profile_url=_template(name),
    )
    assert_valid_message(message)
    assert_golden(f"{name}.channel", message.as_payload())


@pytest.mark.parametrize("name", list(samples.FIXTURES))
def test_unfurl(name: str) -> None:
    blocks = unfurl_blocks(samples.FIXTURES[name]())
    if blocks is not None:
        assert_valid(blocks)
    assert_golden(f"{name}.unfurl", blocks)


def _template(name: str) -> str | None:
    return samples.PROFILE_TEMPLATE if name in samples.WITH_PROFILE_URL else None


NOTICES: dict[str, Message] = {
    "private_notice": private_notice(REF),
    "private_notice.no_ref": private_notice(),
    "usage": usage_message(max_ids=MAX_IDS),
    "too_many": too_many_note(7, 5),
    "apology": apology_message(),
    "share_refused": share_refused_message(REF),
    "five_cards": combine(
        [candidate_message(samples.oversized(), View.REQUESTER, share_button=True)] * 5
        + [too_many_note(6, 5)]
    ),
}
ERRORS: dict[str, LookupFailure] = {
    "auth_refused": AuthRefused("401"),
    "rate_limited": RateLimited(12.5),
    "unavailable": Unavailable("timeout"),
    "bad_response": BadResponse("not JSON"),
    "invalid_id": InvalidId("<!channel> & 'x'"),
    "invalid_request": InvalidRequest("422"),
    "not_found": NotFound(),
    "unexpected": LookupFailure("new kind"),
}


def _result(
    *candidates: Candidate, count: int | None = None, maybe_more: bool = False
) -> SearchResult:
    ids = [c.id for c in candidates] + [f"more-{i}" for i in range((count or 0) - len(candidates))]
    return SearchResult(shown=candidates[:10], ids=tuple(ids), maybe_more=maybe_more)


_ROWS = (samples.full(), samples.hostile(), samples.oversized(), samples.sparse())
SEARCHES: dict[str, Message] = {
    "no_match.name": no_match_message(SearchKey("name", "Jane <!channel> & Doe")),
    "no_match.email": no_match_message(SearchKey("email", "jane@doe.test")),
    "list.name": match_list_message(SearchKey("name", "Jane"), _result(*_ROWS)),
    "list.email": match_list_message(
        SearchKey("email", "jane@doe.test"), _result(samples.full(), samples.no_email())
    ),
    "list.more": match_list_message(
        SearchKey("name", "Jane Doe"), _result(*[samples.full()] * 10, count=23, maybe_more=True)
    ),
}


@pytest.mark.parametrize("name", list(SEARCHES))
def test_search_answer(name: str) -> None:
    assert_valid_message(SEARCHES[name])
    assert_golden(f"search.{name}", SEARCHES[name].as_payload())


@pytest.mark.parametrize("name", list(NOTICES))
def test_notice(name: str) -> None:
    assert_valid_message(NOTICES[name])
    assert_golden(f"notice.{name}", NOTICES[name].as_payload())


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_card(name: str) -> None:
    message = error_message(ERRORS[name], ref=REF)
    assert_valid_message(message)
    assert_golden(f"error.{name}", message.as_payload())


def test_no_stray_golden_files() -> None:
    expected = {f"{n}.{v}" for n in samples.FIXTURES for v in View}
    expected |= {f"notice.{n}" for n in NOTICES} | {f"error.{n}" for n in ERRORS}
    expected |= {f"search.{n}" for n in SEARCHES}
    assert {path.stem for path in GOLDEN.glob("*.json")} == expected
