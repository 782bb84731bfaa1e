"""What a search asks Bindbee, and which returned candidates really match it."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.ats.models import Candidate
from bot.core.search import SearchKey, matches


def person(**fields: object) -> Candidate:
    return Candidate.model_validate(
        {"id": "c-1", "modified_at": datetime(2026, 1, 1, tzinfo=UTC), **fields}
    )


def test_what_each_kind_of_search_asks() -> None:
    assert SearchKey("email", "jane@acme.com").filter_sets() == (
        {"email_addresses": "jane@acme.com"},
    )
    assert SearchKey("name", "Patel").filter_sets() == (
        {"first_name": "Patel"},
        {"last_name": "Patel"},
    )
    assert SearchKey("name", "Maya Patel").filter_sets() == (
        {"first_name": "Maya", "last_name": "Patel"},
    )
    assert SearchKey("name", "Mary Ann van Berg").filter_sets() == (
        {"first_name": "Mary", "last_name": "Ann van Berg"},
        {"first_name": "Mary Ann van", "last_name": "Berg"},
    )


def test_an_email_matches_one_address_whatever_its_case() -> None:
    someone = person(email_addresses=["Jane.Doe@Acme.com", "jd@home.example"])
    assert matches(someone, {"email_addresses": "jane.doe@acme.COM"})
    assert matches(someone, {"email_addresses": "jd@home.example"})
    assert not matches(someone, {"email_addresses": "jane@acme.com"})
    assert not matches(someone, {"email_addresses": "acme.com"})  # an email is exact


def test_names_match_exactly_or_partly_ignoring_case_and_accents() -> None:
    zoe = person(first_name="Zoë", last_name="Saint-Clair")
    assert matches(zoe, {"first_name": "zoe", "last_name": "SAINT-CLAIR"})
    assert matches(zoe, {"first_name": "Zo", "last_name": "Clair"})  # as a partial Bindbee
    assert not matches(zoe, {"first_name": "Zoey"})
    assert not matches(zoe, {"last_name": "Zoë"})  # each filter checks its own field
    assert not matches(person(), {"first_name": "Zoë"})  # no name at all


def test_a_filter_we_do_not_know_or_an_invisible_value_matches_nobody() -> None:
    assert not matches(person(first_name="Ann"), {"company": "Ann"})
    assert not matches(person(first_name="Ann"), {"first_name": "\u0301"})


def _has_words(text: str) -> bool:
    return bool(text.split())


@given(st.text(min_size=1, max_size=60).filter(_has_words))
def test_a_name_search_asks_only_for_the_words_typed(text: str) -> None:
    key = SearchKey("name", " ".join(text.split()))
    words = key.text.split()
    for filters in key.filter_sets():
        assert set(filters) <= {"first_name", "last_name"}
        assert all(value.strip() == value != "" for value in filters.values())
        assert " ".join(filters.values()).split() == words


_NAME = st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=20)


@given(_NAME, _NAME)
def test_the_name_a_candidate_has_always_matches_itself(first: str, last: str) -> None:
    # Bindbee found them by the name they have: the check must never drop them for it.
    someone = person(first_name=first, last_name=last)
    assert matches(someone, {"first_name": first, "last_name": last})
    assert matches(someone, {"first_name": first.upper(), "last_name": last.lower()})
