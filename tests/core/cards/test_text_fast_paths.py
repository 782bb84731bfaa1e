"""The shortcuts in cards/text.py answer exactly what the per-character definitions answer.

Each function skips its per-character walk when the text cannot need it (it fits, or it is
printable ASCII); these properties compare it with that walk, written out plainly here.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from itertools import accumulate

from hypothesis import given
from hypothesis import strategies as st

from bot.core.cards.limits import MAX_URL
from bot.core.cards.text import (
    ELLIPSIS,
    escape_and_cut,
    escape_mrkdwn,
    one_line,
    safe_url,
    truncate,
)
from tests.strategies import ODD_URLS, texts

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def walk_cut(text: str, limit: int, escaped: bool) -> str:
    sizes = [len(_ENTITIES.get(c, c)) if escaped else 1 for c in text]
    ends = list(accumulate(sizes))
    if ends and ends[-1] > limit:
        text = text[: bisect_right(ends, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS
    return escape_mrkdwn(text) if escaped else text


def walk_one_line(text: str) -> str | None:
    # Bidi controls go entirely (a "\u202e" must not make a name read backwards).
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    kept = (
        "" if c in bidi else " " if unicodedata.category(c) in {"Cc", "Cs"} else c for c in text
    )
    line = " ".join("".join(kept).split())
    return line if any(unicodedata.category(c)[0] in "LNPS" for c in line) else None


def walk_has_invisible(url: str) -> bool:
    return any(c in "|<>\"'`\\" or c.isspace() or not c.isprintable() for c in url)


@given(texts(), st.integers(min_value=1, max_value=60))
def test_cuts_match_the_walk(text: str, limit: int) -> None:
    assert truncate(text, limit) == walk_cut(text, limit, escaped=False)
    assert escape_and_cut(text, limit) == walk_cut(text, limit, escaped=True)


@given(st.one_of(texts(), st.text(st.characters(max_codepoint=127))))
def test_one_line_matches_the_walk(text: str) -> None:
    assert one_line(text) == walk_one_line(text)


@given(st.one_of(st.sampled_from(ODD_URLS), st.text(), st.text(st.characters(max_codepoint=127))))
def test_safe_url_refuses_exactly_what_the_walk_refuses(tail: str) -> None:
    url = "https://example.test/" + tail
    if len(url) <= MAX_URL and walk_has_invisible(url):
        assert safe_url(url) is None
    if safe_url(url) is not None:
        assert not walk_has_invisible(url)


def test_every_printable_whitespace_character_is_the_space() -> None:
    # What safe_url's one-pass check relies on, over all of Unicode.
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c).isprintable()]
    assert spaces == [" "]
