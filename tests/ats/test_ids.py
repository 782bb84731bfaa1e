"""Candidate ids are untrusted: only plausible, URL-safe ids get past check_id."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ats.errors import InvalidId
from bot.ats.ids import MAX_ID_LENGTH, check_id, is_plausible_id

HOSTILE_IDS = [
    "",
    ".",
    "..",
    "...",
    "../../admin",
    "..%2f..%2fadmin",
    "%2e%2e%2f",
    "%2e%2e",
    "a/b",
    "a/b?x=1#f",
    "/api/ats/v1/connectors",
    "?remote_id=1",
    "#fragment",
    "a\\b",
    "a b",
    " 018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a11",
    "018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a11\n",
    "abc\x00def",
    "abc\r\nX-Injected: 1",
    "\t",
    "a;b",
    "a@b",
    "a:b",
    "https://evil.test/",
    "<!channel>",
    "ü",
    "018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a1１",  # a fullwidth digit
    "\u202e1234",
    "a" * (MAX_ID_LENGTH + 1),
]

GOOD_IDS = [
    "018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a11",
    "3C90C3CC-0D44-4B50-8888-8DD25736052A",
    "4012345001",
    "a",
    "abc_DEF~1.2-3",
    ".hidden",
    "a" * MAX_ID_LENGTH,
]


@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_hostile_ids_are_refused(value: str) -> None:
    assert not is_plausible_id(value)
    with pytest.raises(InvalidId) as refused:
        check_id(value)
    assert refused.value.candidate_id == value
    assert str(refused.value) == "not a valid candidate id"  # never echoes the input


@pytest.mark.parametrize("value", GOOD_IDS)
def test_plausible_ids_pass_unchanged(value: str) -> None:
    assert check_id(value) == value


@given(st.text() | st.text(alphabet="abc019-._~/%?#"))
def test_a_plausible_id_is_one_plain_path_segment(value: str) -> None:
    if is_plausible_id(value):
        assert quote(value, safe="") == value  # nothing to encode
        assert value.strip(".")  # not "." or ".."
        assert 1 <= len(value) <= MAX_ID_LENGTH
