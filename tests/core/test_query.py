"""Parsing `/candidate` text: ids, links, separators, limits, and Slack's escaping."""

from __future__ import annotations

import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from bot.ats.errors import UnknownLink
from bot.ats.ids import is_plausible_id
from bot.core.links import BUILTIN_PATTERNS
from bot.core.query import MAX_IDS, MAX_TEXT_LENGTH, is_email, parse_query
from bot.core.search import MAX_NAME_LENGTH, SearchKey
from bot.lookups import LookupKey

UUID = "018b18ef-c487-703c-afd9-0ca478ccd9d6"


def parse(text: str) -> list[tuple[str, LookupKey | SearchKey | None]]:
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


def test_unknown_links_are_named_without_a_key_and_other_words_are_names() -> None:
    items = parse_query("https://evil.test/people/1, ../../x &lt;!channel&gt;", BUILTIN_PATTERNS)
    assert [(i.ref, i.key) for i in items.items] == [
        ("https://evil.test/people/1", None),
        ("../../x <!channel>", SearchKey("name", "../../x <!channel>")),
    ]
    assert isinstance(items.items[0].error, UnknownLink)


def test_slack_markup_is_never_taken_from_typed_text() -> None:
    # The user typed "<abc>": Slack escapes it, so it is one word, not markup to unwrap.
    [(ref, key)] = parse("&lt;abc&gt;")
    assert ref == "<abc>"
    assert key == SearchKey("name", "<abc>")


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


# -- emails and names -----------------------------------------------------------------------

_NAME_WORD = st.text(
    alphabet=st.characters(categories=["Lu", "Ll"], max_codepoint=0x24F), min_size=1, max_size=12
)


def _email(local: str, domain: str, tld: str) -> str:
    return f"{local}@{domain}.{tld}"


# Built from parts rather than st.emails(), whose many inner strategies crowd hypothesis's
# strategy cache in a worker that runs the card property tests too.
_PART = st.text(alphabet="abcxyz019._%+-'&=#!", min_size=1, max_size=20)
_DOMAIN = st.text(alphabet="abc-019", min_size=1, max_size=20)
_EMAIL = st.builds(_email, _PART, _DOMAIN, st.text(alphabet="abcxyz", min_size=2, max_size=6))


def keys(text: str) -> list[LookupKey | SearchKey | None]:
    return [item.key for item in parse_query(text, BUILTIN_PATTERNS).items]


def test_a_name_is_one_search_whatever_its_words() -> None:
    assert keys("Jane Doe") == [SearchKey("name", "Jane Doe")]
    assert keys("  Mary   Ann\tLee ") == [SearchKey("name", "Mary Ann Lee")]
    assert keys("Maya") == [SearchKey("name", "Maya")]
    assert keys("maya-patel") == [SearchKey("name", "maya-patel")]  # no digit: not an id


def test_emails_are_searches_and_each_word_its_own_when_all_are_lookups() -> None:
    link = "https://app.greenhouse.io/people/4012345001"
    assert keys(f"jane@acme.com {UUID} {link} bob@x.org") == [
        SearchKey("email", "jane@acme.com"),
        LookupKey("id", UUID),
        LookupKey("remote_id", "4012345001"),
        SearchKey("email", "bob@x.org"),
    ]


def test_one_word_that_is_not_a_lookup_makes_the_whole_query_a_name() -> None:
    assert keys(f"{UUID} Jane") == [SearchKey("name", f"{UUID} Jane")]
    assert keys("jane@acme.com Doe") == [SearchKey("name", "jane@acme.com Doe")]


def test_commas_and_new_lines_separate_queries() -> None:
    assert keys(f"Jane Doe, jane@acme.com\nMaya Patel\r\n{UUID},,") == [
        SearchKey("name", "Jane Doe"),
        SearchKey("email", "jane@acme.com"),
        SearchKey("name", "Maya Patel"),
        LookupKey("id", UUID),
    ]


def test_an_email_slack_linked_as_mailto_is_an_email() -> None:
    assert keys("<mailto:jane@acme.com|jane@acme.com>") == [SearchKey("email", "jane@acme.com")]


def test_a_custom_id_rule_reads_demo_ids_as_ids() -> None:
    query = parse_query("maya-patel", BUILTIN_PATTERNS, is_id=lambda w: w == "maya-patel")
    assert query.keys == (LookupKey("id", "maya-patel"),)
    assert query.searches == ()


def test_names_are_cut_and_text_beyond_slacks_limit_is_ignored() -> None:
    [key] = keys("a" * 600 + " b")
    assert isinstance(key, SearchKey)
    assert len(key.text) == MAX_NAME_LENGTH
    query = parse_query("Jane Doe" + " x" * MAX_TEXT_LENGTH + ", Maya Patel", BUILTIN_PATTERNS)
    assert [item.ref for item in query.items if "Maya" in item.ref] == []


def test_control_and_invisible_characters_never_reach_a_search() -> None:
    assert keys("Ja\x00ne\u200b Doe\x1b[31m") == [SearchKey("name", "Ja ne Doe [31m")]


def test_at_most_five_lookups_of_any_kind() -> None:
    query = parse_query("a1, Jane Doe, b@c.de, Maya, x2, y3, Zed", BUILTIN_PATTERNS)
    assert [item.ref for item in query.items] == ["a1", "Jane Doe", "b@c.de", "Maya", "x2"]
    assert query.left_out == 2


@given(st.lists(st.lists(_NAME_WORD, min_size=1, max_size=4), min_size=1, max_size=5))
def test_comma_separated_names_round_trip(names: list[list[str]]) -> None:
    texts = [" ".join(words) for words in names]
    expected = list(dict.fromkeys(SearchKey("name", text) for text in texts))
    assert keys(", ".join(texts)) == expected


@given(st.lists(_EMAIL, min_size=1, max_size=5, unique=True), st.sampled_from([" ", ", ", "\n"]))
def test_emails_round_trip(emails: list[str], separator: str) -> None:
    as_slack_sends = [
        e.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for e in emails
    ]
    assert keys(separator.join(as_slack_sends)) == [SearchKey("email", e) for e in emails]


@given(st.text(max_size=600))
def test_any_text_gives_bounded_clean_searches(text: str) -> None:
    query = parse_query(text, BUILTIN_PATTERNS)
    assert len(query.items) <= MAX_IDS
    for item in query.items:
        assert (item.key is None) == (item.error is not None)
        if isinstance(item.key, SearchKey):
            assert item.key.text == item.key.text.strip() != ""
            assert len(item.key.text) <= MAX_NAME_LENGTH
            assert all(char.isprintable() for char in item.key.text)
            assert not {",", "\n", "\r"} & set(item.key.text)
            if item.key.kind == "email":
                assert is_email(item.key.text)


@given(st.text(alphabet=st.sampled_from("ab ,\n<>|&;@.:1-"), max_size=80))
def test_markup_and_separators_in_any_order_never_break_the_parser(text: str) -> None:
    query = parse_query(text, BUILTIN_PATTERNS)
    assert query.wants_help or 1 <= len(query.items) <= MAX_IDS
