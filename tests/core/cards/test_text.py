"""Escaping, truncation, cleaning, lists, dates, URL checks and link labels."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.cards import escape_mrkdwn, truncate
from bot.core.cards.text import (
    capped_list,
    escape_and_cut,
    link_label,
    one_line,
    safe_url,
    slack_date,
)
from tests.strategies import HOSTILE_TEXTS, ODD_URLS, texts

ENTITY_PREFIXES = ("&amp;", "&lt;", "&gt;")


def unescape(text: str) -> str:
    """Slack's decoding: the three entities, `&amp;` last."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def no_partial_entity(text: str) -> bool:
    """Every `&` starts a whole entity."""
    return all(text.startswith(ENTITY_PREFIXES, m.start()) for m in re.finditer("&", text))


# --- escape_mrkdwn


def test_escape_replaces_exactly_three_characters() -> None:
    assert escape_mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape_mrkdwn("<!channel>") == "&lt;!channel&gt;"
    assert escape_mrkdwn("&amp;") == "&amp;amp;"  # `&` first, so entities are not doubled wrongly
    assert escape_mrkdwn("\"quotes\" 'and' *stars*") == "\"quotes\" 'and' *stars*"


@given(texts())
def test_escape_round_trips(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert unescape(escaped) == text
    assert "<" not in escaped
    assert ">" not in escaped
    assert no_partial_entity(escaped)


# --- truncate and mrkdwn


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("abc", 3) == "abc"
    assert truncate("", 1) == ""


def test_truncate_ends_with_an_ellipsis_within_the_limit() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc   def", 5) == "abc…"  # no dangling space before the ellipsis
    assert truncate("abcdef", 1) == "…"


def test_limits_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        truncate("abc", 0)


@given(texts(), st.integers(1, 4000))
def test_truncate_never_exceeds_its_limit(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert len(cut) <= limit
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1]))


def test_mrkdwn_never_cuts_inside_an_entity() -> None:
    assert escape_and_cut("&&&&", 12) == "&amp;&amp;…"  # a third `&amp;` would need 16 characters
    assert escape_and_cut("a<b", 5) == "a…"  # "a&lt;…" would be 6
    assert escape_and_cut("<>", 8) == "&lt;&gt;"


@given(texts(), st.integers(1, 4000))
def test_mrkdwn_fits_and_leaves_no_partial_entity(text: str, limit: int) -> None:
    out = escape_and_cut(text, limit)
    assert len(out) <= limit
    assert no_partial_entity(out)
    assert "<" not in out
    assert ">" not in out
    decoded = unescape(out)
    assert decoded == text or (decoded.endswith("…") and text.startswith(decoded[:-1]))


# --- clean


def test_clean_makes_one_line_without_control_characters() -> None:
    assert one_line("  a\n\tb \x00 c\x1b ") == "a b c"
    assert one_line("\x00\n ") is None
    assert one_line(None) is None
    assert one_line("🧑‍💻 ok") == "🧑‍💻 ok"  # the zero-width joiner inside the emoji stays
    assert one_line("\u200b\u200d\u0301") is None  # nothing visible


# --- capped_list


def test_capped_list_joins_escaped_items() -> None:
    assert capped_list(["a", "<b>"], limit=100, item_limit=10, max_items=5) == "a, &lt;b&gt;"
    assert capped_list([], limit=100, item_limit=10, max_items=5) == ""


def test_capped_list_counts_what_it_leaves_out() -> None:
    items = [f"tag{i}" for i in range(120)]
    assert (
        capped_list(items, limit=1000, item_limit=50, max_items=3) == "tag0, tag1, tag2 +117 more"
    )
    assert capped_list(items, limit=20, item_limit=10, max_items=50) == "tag0, tag1 +118 more"


@given(
    st.lists(texts().filter(str.strip), max_size=30),
    st.integers(30, 2000),
    st.integers(1, 20),
    st.sampled_from([", ", "\n"]),
)
def test_capped_list_fits(items: list[str], limit: int, max_items: int, sep: str) -> None:
    item_limit = limit // 2
    out = capped_list(items, limit=limit, item_limit=item_limit, max_items=max_items, sep=sep)
    assert len(out) <= limit
    assert no_partial_entity(out)
    assert "<" not in out
    # The output is the first k items, then "+N more" counting exactly the rest.
    parts = [escape_and_cut(item, item_limit) for item in items]
    rest = [f" +{len(items) - k} more" if k < len(items) else "" for k in range(len(items) + 1)]
    assert out in {(sep.join(parts[:k]) + rest[k]).strip() for k in range(len(items) + 1)}


# --- slack_date


def test_date_token_with_utc_fallback() -> None:
    moment = datetime(2021, 7, 1, tzinfo=UTC)
    expected = "<!date^1625097600^{date_short_pretty} at {time}|2021-07-01 00:00 UTC>"
    assert slack_date(moment) == expected
    # The same instant in another zone gives the same token.
    assert slack_date(moment.astimezone(timezone(timedelta(hours=5, minutes=30)))) == expected


def test_dates_slack_cannot_format_show_as_text() -> None:
    assert slack_date(datetime(1969, 12, 31, 23, 0, tzinfo=UTC)) == "1969-12-31 23:00 UTC"
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    assert slack_date(early) == "0001-01-01"


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8))])))
def test_every_date_renders_without_stray_markup(moment: datetime) -> None:
    token = slack_date(moment)
    assert re.fullmatch(
        r"<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\d: -]+UTC>|[\d: -]+(UTC)?", token
    )


# --- safe_url and link_label


@pytest.mark.parametrize(
    "url",
    ["https://www.linkedin.com/in/jane", "http://github.com/jane", "HTTPS://EXAMPLE.TEST/Upper"],
)
def test_plain_http_links_are_safe(url: str) -> None:
    assert safe_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "mailto:jane@example.test",
        "ftp://example.test/",
        "//example.test/",
        "https://",
        "https://example.test/a b",
        "https://example.test/a\tb",
        "https://example.test/|x",
        "https://example.test/<x>",
        "https://evil.test\\@linkedin.com/",
        "https://example.test/\u200bhidden",
        "https://[::1/",
        "https://example.test/" + "a" * 3000,
    ],
)
def test_other_links_are_not(url: str) -> None:
    assert safe_url(url) is None


def test_only_https_for_images() -> None:
    assert safe_url("http://example.test/a.png", https_only=True) is None
    assert safe_url("https://example.test/a.png", https_only=True) == "https://example.test/a.png"


@given(st.sampled_from(ODD_URLS) | st.text())
def test_a_safe_url_is_http_and_plain(url: str) -> None:
    safe = safe_url(url)
    if safe is not None:
        assert re.match(r"(?i)https?://[^/]", safe)
        assert not re.search(r"[\s|<>]", safe)


@pytest.mark.parametrize(
    ("url", "url_type", "label"),
    [
        ("https://www.linkedin.com/in/jane", None, "LinkedIn"),
        ("https://uk.linkedin.com/in/jane", "OTHER", "LinkedIn"),
        ("https://github.com/jane", "-", "GitHub"),
        ("https://jane.test", "PERSONAL", "Website"),
        ("https://jane.test", "portfolio", "Portfolio"),
        ("https://jane.test/blog", "BLOG", "Blog"),
        ("https://www.jane.test", "-", "jane.test"),
        ("https://jane.test", "<!channel>", "jane.test"),
        ("https://linkedin.com@evil.test/", "LINKEDIN", "evil.test"),  # the host, not the claim
        ("https://notlinkedin.com/x", None, "notlinkedin.com"),
    ],
)
def test_link_labels(url: str, url_type: str | None, label: str) -> None:
    assert link_label(url, url_type) == label


@given(st.sampled_from(HOSTILE_TEXTS) | st.none())
def test_link_labels_are_never_ats_text(url_type: str | None) -> None:
    assert link_label("https://example.test/", url_type) == "example.test"
