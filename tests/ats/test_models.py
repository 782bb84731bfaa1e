"""The candidate model reads every documented shape, and anything else only as BadResponse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ats.errors import BadResponse
from bot.ats.models import Candidate, CandidateUrl
from tests.fakes import payloads
from tests.fakes.payloads import variant


def test_full_payload() -> None:
    candidate = Candidate.from_payload(payloads.FULL)
    assert candidate.id == payloads.FULL["id"]
    assert candidate.remote_id == "4012345001"
    assert candidate.modified_at == datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
    assert candidate.full_name == "Amara Okafor"
    assert candidate.company == "Northwind Analytics"
    assert candidate.title == "Senior Backend Engineer"
    assert candidate.last_interaction_at == datetime(2024, 5, 13, 16, 45, tzinfo=UTC)
    assert candidate.is_private is False
    assert candidate.can_email is True
    assert candidate.locations == ("Lisbon, Portugal", "Remote (EU)")
    assert candidate.phone_numbers == ("+351 21 234 5678",)
    assert candidate.email_addresses == ("amara.okafor@example.com", "amara@northwind.example")
    assert candidate.urls == (
        CandidateUrl(
            value="https://www.linkedin.com/in/amara-okafor-example", url_type="SOCIAL_MEDIA"
        ),
        CandidateUrl(value="https://amara.example.dev", url_type="PORTFOLIO"),
    )
    assert candidate.tags == ("Backend", "Referral")
    assert candidate.applications == ("018f3c2a-7b1e-7d42-9a63-5c0e8b2f4b01",)
    assert candidate.attachments == ("018f3c2a-7b1e-7d42-9a63-5c0e8b2f4c01",)
    assert candidate.remote_created_at == datetime(2024, 4, 2, 8, tzinfo=UTC)
    assert candidate.avatar == "https://avatars.example.com/amara-okafor.png"
    assert candidate.raw_data == payloads.FULL["raw_data"]


@pytest.mark.parametrize("payload", [payloads.SPARSE, payloads.ALL_NULL], ids=["sparse", "null"])
def test_sparse_and_all_null_payloads_read_as_empty(payload: dict[str, Any]) -> None:
    candidate = Candidate.from_payload(payload)
    assert candidate.id == payload["id"]
    assert candidate.full_name is None
    assert candidate.remote_id is None
    assert candidate.is_private is None
    assert candidate.can_email is None
    assert candidate.email_addresses == candidate.phone_numbers == candidate.tags == ()
    assert candidate.urls == ()
    assert candidate.applications == ()
    assert candidate.raw_data is None
    assert candidate.last_interaction_at is None


def test_urls_in_both_shapes() -> None:
    candidate = Candidate.from_payload(payloads.URLS_BOTH_SHAPES)
    assert [(url.value, url.url_type) for url in candidate.urls] == [
        ("https://github.com/jlindqvist-example", "PORTFOLIO"),
        ("https://www.linkedin.com/in/jonas-lindqvist-example", "LINKEDIN"),
        ("https://blog.lindqvist.example", None),
    ]


def test_emails_and_phones_as_objects() -> None:
    candidate = Candidate.from_payload(payloads.OBJECT_EMAILS)
    assert candidate.email_addresses == ("priya.raman@example.com", "p.raman@contoso.example")
    assert candidate.phone_numbers == ("+1 415 555 0142",)


def test_flags_of_the_private_and_no_email_fixtures() -> None:
    assert Candidate.from_payload(payloads.PRIVATE).is_private is True
    assert Candidate.from_payload(payloads.NO_EMAIL).can_email is False


def test_scalars_where_arrays_are_declared() -> None:
    payload = variant(
        payloads.SPARSE,
        locations="San Francisco",
        tags="JUNIOR",
        email_addresses="john@doe.example",
        phone_numbers=1234567,
        urls={"type": "LINKEDIN", "value": "https://www.linkedin.com/in/johndoe"},
        applications="018b4bfb-5ece-70b1-ad5e-862a9433aa65",
        attachments={"id": "018b4bfb-5ece-70b1-ad5e-862a9433aa66", "file_name": "cv.pdf"},
    )
    candidate = Candidate.from_payload(payload)
    assert candidate.locations == ("San Francisco",)
    assert candidate.tags == ("JUNIOR",)
    assert candidate.email_addresses == ("john@doe.example",)
    assert candidate.phone_numbers == ("1234567",)
    assert candidate.urls == (
        CandidateUrl(value="https://www.linkedin.com/in/johndoe", url_type="LINKEDIN"),
    )
    assert candidate.applications == ("018b4bfb-5ece-70b1-ad5e-862a9433aa65",)
    assert candidate.attachments == ("018b4bfb-5ece-70b1-ad5e-862a9433aa66",)


def test_zone_less_times_are_utc() -> None:
    payload = variant(
        payloads.SPARSE,
        modified_at="2024-05-10T12:00:00",
        remote_created_at="2024-05-01T08:30:00.123",
        last_interaction_at="not a time",
    )
    candidate = Candidate.from_payload(payload)
    assert candidate.modified_at == datetime(2024, 5, 10, 12, tzinfo=UTC)
    assert candidate.remote_created_at == datetime(2024, 5, 1, 8, 30, 0, 123000, tzinfo=UTC)
    assert candidate.last_interaction_at is None  # lenient where it is only shown


def test_extra_fields_are_ignored() -> None:
    payload = variant(payloads.SPARSE, remote_url="https://ats.example/1", anything={"x": [1]})
    candidate = Candidate.from_payload(payload)
    assert not hasattr(candidate, "remote_url")


def test_empty_strings_are_missing() -> None:
    payload = variant(
        payloads.SPARSE,
        first_name="",
        last_name="   ",
        title="",
        email_addresses=["", "  ", "a@b.example"],
        urls=[{"value": "", "url_type": "OTHER"}, ""],
    )
    candidate = Candidate.from_payload(payload)
    assert candidate.first_name is candidate.last_name is candidate.title is None
    assert candidate.email_addresses == ("a@b.example",)
    assert candidate.urls == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (None, None),
        ("true", True),
        (" FALSE ", False),
        (1, True),
        (0, False),
        ("", None),
        ("maybe", True),
        (2, True),
        (0.5, True),
        ([], True),
        ({"value": False}, True),
    ],
)
def test_is_private_counts_anything_unclear_as_private(value: object, expected: bool) -> None:
    candidate = Candidate.from_payload(variant(payloads.SPARSE, is_private=value))
    assert candidate.is_private is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (None, None),
        ("yes", True),
        ("no", False),
        ("maybe", False),
        (7, False),
        ([True], False),
        ({"consent": True}, False),
    ],
)
def test_can_email_counts_anything_unclear_as_no(value: object, expected: bool) -> None:
    candidate = Candidate.from_payload(variant(payloads.SPARSE, can_email=value))
    assert candidate.can_email is expected


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "candidate",
        42,
        {},
        {"id": payloads.SPARSE["id"]},
        {"modified_at": "2024-05-10T12:00:00Z"},
        {"id": None, "modified_at": "2024-05-10T12:00:00Z"},
        {"id": "", "modified_at": "2024-05-10T12:00:00Z"},
        {"id": payloads.SPARSE["id"], "modified_at": None},
        {"id": payloads.SPARSE["id"], "modified_at": "yesterday"},
        {"id": payloads.SPARSE["id"], "modified_at": 1715342400},
        {"id": ["x"], "modified_at": "2024-05-10T12:00:00Z"},
    ],
)
def test_what_is_not_a_candidate_is_a_bad_response(payload: object) -> None:
    with pytest.raises(BadResponse):
        Candidate.from_payload(payload)


def test_a_bad_response_names_fields_but_never_quotes_values() -> None:
    payload = variant(payloads.FULL, modified_at="Amara Okafor <amara.okafor@example.com>")
    with pytest.raises(BadResponse) as error:
        Candidate.from_payload(payload)
    assert "modified_at" in str(error.value)
    assert "Amara" not in str(error.value)
    assert "example.com" not in repr(error.value)


# -- property: anything at all is a Candidate or a BadResponse -----------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
plausible_values = st.sampled_from(
    [
        "2024-05-10T12:00:00Z",
        "2024-05-10",
        "018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a11",
        "true",
        "",
        " ",
        {"value": "x", "type": "LINKEDIN"},
        {"value": None, "url_type": None},
        [{"value": "https://a.example"}],
        ["a", None, 3, {"id": "b"}],
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
    ]
)
around_the_real_keys = st.fixed_dictionaries(
    {
        "id": st.one_of(st.uuids().map(str), json_values),
        "modified_at": st.one_of(
            st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat),
            json_values,
            plausible_values,
        ),
    },
    optional=dict.fromkeys(
        sorted(set(payloads.FULL) - {"id", "modified_at"}), json_values | plausible_values
    ),
)


@given(payload=json_values | around_the_real_keys)
def test_any_json_is_a_candidate_or_a_bad_response(payload: object) -> None:
    try:
        candidate = Candidate.from_payload(payload)
    except BadResponse:
        return
    assert candidate.is_private in (True, False, None)
    assert candidate.can_email in (True, False, None)
    assert candidate.modified_at.tzinfo is not None
    assert all(isinstance(email, str) and email for email in candidate.email_addresses)


def _clearly(flag: object, value: bool) -> bool:
    """Whether `flag` is a clear spelling of `value`: the boolean, 0/1, or a word for it."""
    words = {True: {"true", "yes", "1"}, False: {"false", "no", "0"}}[value]
    return (
        flag is value
        or (type(flag) is int and flag == int(value))
        or (isinstance(flag, str) and flag.strip().lower() in words)
    )


@given(flag=json_values)
def test_only_a_clear_false_makes_a_candidate_public(flag: object) -> None:
    candidate = Candidate.from_payload(variant(payloads.SPARSE, is_private=flag))
    assert (candidate.is_private is False) == _clearly(flag, False)


@given(flag=json_values)
def test_only_a_clear_true_allows_email(flag: object) -> None:
    candidate = Candidate.from_payload(variant(payloads.SPARSE, can_email=flag))
    assert (candidate.can_email is True) == _clearly(flag, True)
