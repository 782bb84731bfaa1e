"""Parsing `/candidate` text: ids, links, separators, limits, and Slack's escaping."""

from __future__ import annotations

import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from bot.ats.errors import InvalidId, UnknownLink
from bot.ats.ids import is_plausible_id
from bot.core.links import BUILTIN_PATTERNS
from bot.core.query import MAX_IDS, MAX_TEXT_LENGTH, parse_query
from bot.lookups import LookupKey

UUID = "018b18ef-c487-703c-afd9-0ca478ccd9d6"


def parse(text: str) -> list[tuple[str, LookupKey | None]]:
    return [(item.ref, item.key) for item in parse_query(text, BUILTIN_PATTERNS).items]


def test_empty_and_help() -> None:
    for text in ("", "   ", "help", "HELP", " , ,"):
        assert parse_query(text, BUILTIN_PATTERNS).wants_help


def test_ids_split_on_spaces_and_commas_and_deduplicated() -> None:
    assert parse(f"a1, b2 a1,,c3\n{UUID}") == [
        ("a1", LookupKey("id", "a1")),
        ("b2", LookupKey("id", "b2")),
        ("c3", LookupKey("id", "c3")),
        (UUID, LookupKey("id", UUID)),
    ]


def test_more_than_five_are_cut_and_counted() -> None:
    query = parse_query(" ".join(f"id{i}" for i in range(8)), BUILTIN_PATTERNS)
    assert len(query.items) == MAX_IDS
    assert query.left_out == 3


def test_links_plain_wrapped_and_labelled() -> None:
    expected = LookupKey("remote_id", "4012345001")
    for text in (
        "https://app.greenhouse.io/people/4012345001",
        "<https://app.greenhouse.io/people/4012345001>",
        "<https://app.greenhouse.io/people/4012345001|Maya Patel>",
        "<https://app.greenhouse.io/people/4012345001?a=1&amp;b=2>",
    ):
        [(_, key)] = parse(text)
        assert key == expected, text


def test_unknown_links_and_bad_ids_are_named_without_a_key() -> None:
    items = parse_query("https://evil.test/people/1 ../../x &lt;!channel&gt;", BUILTIN_PATTERNS)
    assert [(i.ref, i.key) for i in items.items] == [
        ("https://evil.test/people/1", None),
        ("../../x", None),
        ("<!channel>", None),
    ]
    assert isinstance(items.items[0].error, UnknownLink)
    assert type(items.items[1].error) is InvalidId


def test_slack_markup_is_never_taken_from_typed_text() -> None:
    # The user typed "<abc>": Slack escapes it, so it is one token, not markup to unwrap.
    [(ref, key)] = parse("&lt;abc&gt;")
    assert ref == "<abc>"
    assert key is None


@given(st.text(max_size=300))
def test_any_text_parses_into_at_most_five_plausible_keys(text: str) -> None:
    query = parse_query(text, BUILTIN_PATTERNS)
    assert len(query.items) <= MAX_IDS
    for item in query.items:
        if item.key is not None and item.key.kind == "id":
            assert is_plausible_id(item.key.value)
        assert (item.key is None) == (item.error is not None)


@given(
    st.lists(st.uuids().map(str), min_size=1, max_size=5, unique=True),
    st.sampled_from([" ", ",", ", "]),
)
def test_lists_of_uuids_round_trip(ids: list[str], separator: str) -> None:
    assert [key for _, key in parse(separator.join(ids))] == [LookupKey("id", i) for i in ids]


def test_uuid_objects_are_plain_ids() -> None:
    value = str(uuid.uuid4())
    assert parse(value) == [(value, LookupKey("id", value))]


def test_text_past_the_limit_is_not_read() -> None:
    """A megabyte of ids costs no more than MAX_TEXT_LENGTH characters of them."""
    ids = " ".join(f"c{i:06d}" for i in range(150_000))  # about 1.2 MB
    started = time.monotonic()
    query = parse_query(ids, ())
    assert time.monotonic() - started < 1  # generous: milliseconds
    assert len(query.items) == MAX_IDS
    assert query.left_out < MAX_TEXT_LENGTH // 8
