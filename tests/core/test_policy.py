"""The privacy policy, rule by rule: every flag combination in every view, and the scrubbing.

The expected answers are written out as tables (from architecture.md §2), not computed the
way policy.py computes them, so a slip in either shows up here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.ats.models import Candidate
from bot.core.policy import Disclosure, PrivateNotice, View, disclose, is_private, may_email

FLAGS = [True, False, None]
EMAILS = ("jane@doe.test", "Jane.Doe@Work.test")
PHONES = ("+1 415-555-0100",)

# (flag, strict) → the answer the rules give.
PRIVATE = {
    (True, False): True,
    (True, True): True,
    (False, False): False,
    (False, True): False,
    (None, False): False,
    (None, True): True,
}
EMAILABLE = {
    (True, False): True,
    (True, True): True,
    (False, False): False,
    (False, True): False,
    (None, False): True,
    (None, True): False,
}


def make(**changes: Any) -> Candidate:
    payload: dict[str, Any] = {
        "id": "c1",
        "remote_id": "r1",
        "modified_at": "2021-10-16T00:00:00Z",
        "raw_data": {"secret": "raw"},
        "first_name": "Jane",
        "last_name": "Doe",
        "company": "Acme",
        "title": "Engineer",
        "is_private": False,
        "can_email": True,
        "locations": ["Paris"],
        "tags": ["Senior"],
        "email_addresses": list(EMAILS),
        "phone_numbers": list(PHONES),
        "urls": [
            {"type": "LINKEDIN", "value": "https://linkedin.com/in/jane"},
            {"type": "EMAIL", "value": "mailto:jane@doe.test"},
        ],
        "avatar": "https://example.test/jane.png",
    }
    return Candidate.model_validate(payload | changes)


def shown(candidate: Candidate, view: View, *, strict: bool = False) -> Candidate:
    result = disclose(candidate, view, strict=strict)
    assert isinstance(result, Disclosure)
    return result.candidate


@pytest.mark.parametrize("flag", FLAGS)
@pytest.mark.parametrize("strict", [False, True])
def test_flag_readers_follow_the_tables(flag: bool | None, strict: bool) -> None:
    assert is_private(make(is_private=flag), strict=strict) is PRIVATE[flag, strict]
    assert may_email(make(can_email=flag), strict=strict) is EMAILABLE[flag, strict]


@pytest.mark.parametrize("view", list(View))
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("can_email", FLAGS)
@pytest.mark.parametrize("private", FLAGS)
def test_every_combination(
    private: bool | None, can_email: bool | None, strict: bool, view: View
) -> None:
    candidate = make(is_private=private, can_email=can_email)
    result = disclose(candidate, view, strict=strict)

    if PRIVATE[private, strict]:
        assert result == PrivateNotice()
        return
    assert isinstance(result, Disclosure)
    emailable = EMAILABLE[can_email, strict]
    requester = view is View.REQUESTER
    got = result.candidate

    assert result.do_not_email is not emailable
    assert got.email_addresses == (EMAILS if emailable and requester else ())
    assert got.phone_numbers == (PHONES if requester else ())
    mailto = [url for url in got.urls if url.value.startswith("mailto:")]
    assert bool(mailto) is (emailable and requester)
    assert got.raw_data is None  # never passed on, in any view
    # Everything that is not a contact detail stays as it was.
    assert (got.full_name, got.title, got.company, got.remote_id) == (
        "Jane Doe",
        "Engineer",
        "Acme",
        "r1",
    )
    assert (got.locations, got.tags, got.avatar) == (("Paris",), ("Senior",), candidate.avatar)
    assert "https://linkedin.com/in/jane" in [url.value for url in got.urls]
    reasons = " ".join(result.withheld)
    assert ("may not be emailed" in reasons) is not emailable
    assert ("phone numbers" in reasons) is not requester


def test_private_notice_holds_no_data() -> None:
    assert dataclasses.fields(PrivateNotice) == ()
    assert disclose(make(is_private=True), View.REQUESTER) == PrivateNotice()


def test_disclose_leaves_the_original_alone() -> None:
    candidate = make(can_email=False)
    disclose(candidate, View.CHANNEL)
    assert candidate.email_addresses == EMAILS
    assert candidate.raw_data == {"secret": "raw"}


def test_no_reasons_when_nothing_is_withheld() -> None:
    links = [{"type": "LINKEDIN", "value": "https://linkedin.com/in/jane"}]
    result = disclose(make(email_addresses=[], phone_numbers=[], urls=links), View.CHANNEL)
    assert isinstance(result, Disclosure)
    assert result.withheld == ()


def test_contact_details_in_other_fields_are_a_reason() -> None:
    result = disclose(make(email_addresses=[], phone_numbers=[]), View.CHANNEL)
    assert isinstance(result, Disclosure)
    assert result.withheld == ("contact details copied into other fields (title, tags, links…)",)
    assert [url.value for url in result.candidate.urls] == ["https://linkedin.com/in/jane"]


@pytest.mark.parametrize(
    ("view", "can_email"),
    [(View.REQUESTER, False), (View.CHANNEL, True), (View.UNFURL, True)],
)
def test_a_withheld_email_copied_elsewhere_is_scrubbed(view: View, can_email: bool) -> None:
    copy = "JANE@doe.TEST"  # the ATS may change the case; matching ignores it
    got = shown(
        make(
            can_email=can_email,
            first_name=f"Jane {copy}",
            last_name=copy,
            title=f"Engineer ({copy})",
            company=copy,
            remote_id=copy,
            avatar=f"https://example.test/{copy}.png",
            locations=[copy],
            tags=[f"mail {copy}"],
        ),
        view,
    )
    assert got.first_name == "Jane [hidden]"
    assert (got.last_name, got.company, got.remote_id) == ("[hidden]", "[hidden]", "[hidden]")
    assert got.title == "Engineer ([hidden])"
    assert got.avatar == "https://example.test/[hidden].png"
    assert (got.locations, got.tags) == (("[hidden]",), ("mail [hidden]",))
    assert "jane@doe.test" not in got.model_dump_json().lower()


@pytest.mark.parametrize(
    "url",
    [
        {"type": "OTHER", "value": "https://cal.test/book?with=jane@doe.test"},
        {"type": "OTHER", "value": "https://cal.test/book?with=jane%40doe.test"},
        {"type": "jane@doe.test", "value": "https://cal.test/book"},
    ],
)
def test_a_url_carrying_a_withheld_email_is_dropped(url: dict[str, str]) -> None:
    got = shown(make(urls=[url]), View.CHANNEL)
    assert got.urls == ()
    # The requester may see the email, so the same link stays for them.
    assert len(shown(make(urls=[url]), View.REQUESTER).urls) == 1


def test_a_withheld_phone_copied_elsewhere_is_scrubbed() -> None:
    got = shown(make(title="Call +1 415-555-0100"), View.CHANNEL)
    assert got.title == "Call [hidden]"
    assert shown(make(title="Call +1 415-555-0100"), View.REQUESTER).title == "Call +1 415-555-0100"


def test_shown_contact_details_are_not_scrubbed() -> None:
    got = shown(make(title="Engineer (jane@doe.test)"), View.REQUESTER)
    assert got.title == "Engineer (jane@doe.test)"


def test_very_short_values_do_not_scrub_ordinary_words() -> None:
    got = shown(make(phone_numbers=["1234"], title="Engineer 1234"), View.CHANNEL)
    assert got.title == "Engineer 1234"
    assert got.phone_numbers == ()


def test_a_mailto_link_for_another_address_goes_too() -> None:
    urls = [{"type": "EMAIL", "value": "MAILTO:someone@else.test"}]
    assert shown(make(can_email=False, urls=urls), View.REQUESTER).urls == ()
    assert len(shown(make(urls=urls), View.REQUESTER).urls) == 1
