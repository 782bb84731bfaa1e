"""The link table: one function, a table of URLs that must and must not match."""

from __future__ import annotations

import time
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.links import (
    BUILTIN_PATTERNS,
    MAX_URL_LENGTH,
    PROFILE_TEMPLATES,
    check_profile_template,
    compile_link_regex,
    match_link,
    parse_patterns,
    profile_url,
)

LEVER_ID = "0f8e1c1a-3c5b-4b7e-9d43-1f2e3d4c5b6a"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.greenhouse.io/people/4012345001", ("Greenhouse", "4012345001")),
        ("https://app.greenhouse.io/people/4012345001/", ("Greenhouse", "4012345001")),
        ("https://app.greenhouse.io/people/4012345001?tab=x", ("Greenhouse", "4012345001")),
        ("https://app.greenhouse.io/people/4012345001#notes", ("Greenhouse", "4012345001")),
        (
            "https://app.greenhouse.io/people/4012345001/applications/77?x=1#y",
            ("Greenhouse", "4012345001"),
        ),
        (f"https://hire.lever.co/candidates/{LEVER_ID}", ("Lever", LEVER_ID)),
        (f"https://app.ashbyhq.com/candidates/{LEVER_ID}?a=b", ("Ashby", LEVER_ID)),
        ("https://app.greenhouse.io.evil.test/people/4012345001", None),
        ("https://evil.test/app.greenhouse.io/people/4012345001", None),
        ("https://app.greenhouse.io@evil.test/people/4012345001", None),
        ("https://evil.test/?u=https://app.greenhouse.io/people/4012345001", None),
        ("https://xapp.greenhouse.io/people/4012345001", None),
        ("http://app.greenhouse.io/people/4012345001", None),
        ("https://app.greenhouse.io:8443/people/4012345001", None),
        ("https://app.greenhouse.io/people/abc", None),
        ("https://app.greenhouse.io/people/4012345001/edit", None),
        ("https://hire.lever.co/candidates/not-a-uuid", None),
        ("https://hire.lever.co/candidates/", None),
        (f"https://app.ashbyhq.com/jobs/{LEVER_ID}", None),
        ("javascript:alert(1)//https://app.greenhouse.io/people/1", None),
    ],
)
def test_match_link(url: str, expected: tuple[str, str] | None) -> None:
    found = match_link(url, BUILTIN_PATTERNS)
    actual = (found.pattern.name, found.value) if found else None
    assert actual == expected


def test_custom_patterns_and_their_domains() -> None:
    patterns = parse_patterns(
        "\n".join(
            [
                r"https://ats\.example\.com/c/(?P<id>[\w-]+)",
                "",
                r"^https?://(?:www\.)?other\.test/p/(?P<remote_id>\d+)$",
                r"https://[a-z]+\.wild\.test/(?P<id>\w+)",
            ]
        )
    )
    assert [(p.kind, p.domain) for p in patterns] == [
        ("id", "ats.example.com"),
        ("remote_id", None),
        ("id", None),
    ]
    found = match_link("https://ats.example.com/c/abc-1", patterns)
    assert found is not None
    assert (found.kind, found.value) == ("id", "abc-1")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("(", "not a valid regular expression"),
        (r"https://x\.test/(\d+)", "exactly one named group"),
        (r"https://x\.test/(?P<id>\d+)/(?P<remote_id>\d+)", "exactly one named group"),
        (r"https://x\.test/(?P<id>(a)\2)", "not a valid regular expression.*backreferences"),
        (r"https://x\.test/(?P<id>(?!0)\d+)", "not a valid regular expression.*lookaround"),
    ],
)
def test_bad_patterns_are_refused_by_line(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"line 1 .*{problem}"):
        parse_patterns(text)


@given(st.text(max_size=200))
def test_nothing_but_the_three_hosts_ever_matches(url: str) -> None:
    found = match_link(url, BUILTIN_PATTERNS)
    if found is not None:
        assert url.startswith(
            ("https://app.greenhouse.io/", "https://hire.lever.co/", "https://app.ashbyhq.com/")
        )


def _builtin_url_parts() -> st.SearchStrategy[str]:
    """URLs near the built-in patterns: their hosts and paths, ids of any digits (Arabic-Indic
    and fullwidth included), slashes, queries and fragments, in any order."""
    pieces = st.sampled_from(
        [
            "https://app.greenhouse.io/people/",
            "https://hire.lever.co/candidates/",
            "https://app.ashbyhq.com/candidates/",
            "/applications/",
            LEVER_ID,
            "4012345001",
            "\u0664\u0660\u0661",  # Arabic-Indic digits: not an id in either engine
            "\uff14\uff10",  # fullwidth digits
            "/",
            "?tab=x",
            "#top",
            "\n",
            "é",
        ]
    )
    return st.lists(pieces, min_size=1, max_size=8).map("".join)


@given(_builtin_url_parts())
def test_the_builtin_patterns_match_as_re2_would(url: str) -> None:
    for pattern in BUILTIN_PATTERNS:
        ours = pattern.regex.fullmatch(url)
        re2s = compile_link_regex(pattern.regex.pattern).fullmatch(url)
        assert (ours is None) == (re2s is None), (pattern.name, url)
        if ours is not None and re2s is not None:
            assert ours.group("remote_id") == re2s.group("remote_id")


# Nested quantifiers: a backtracking engine takes 2^n steps on n "a"s followed by "!".
EVIL_PATTERN = r"https://evil\.test/(?P<id>(a+)+)"
EVIL_URL = "https://evil.test/" + "a" * 5000 + "!"


def test_a_pattern_with_nested_quantifiers_runs_in_linear_time() -> None:
    """RE2 never backtracks: with Python's re this call would not end in our lifetime."""
    patterns = parse_patterns(EVIL_PATTERN)
    started = time.monotonic()
    for _ in range(20):
        assert match_link(EVIL_URL, patterns) is None
    assert time.monotonic() - started < 2  # generous: it takes milliseconds
    found = match_link("https://evil.test/aaa", patterns)
    assert found is not None
    assert found.value == "aaa"


def test_urls_longer_than_the_limit_are_not_matched() -> None:
    patterns = parse_patterns(r"https://x\.test/(?P<id>[a-z0-9]+)")
    prefix = "https://x.test/"
    fits = prefix + "a" * (MAX_URL_LENGTH - len(prefix))
    assert match_link(fits, patterns) is not None
    assert match_link(fits + "a", patterns) is None


@pytest.mark.parametrize("template", list(PROFILE_TEMPLATES.values()))
def test_the_readme_profile_templates_are_valid(template: str) -> None:
    assert check_profile_template(template) == template


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("http://app.greenhouse.io/people/{remote_id}", "https"),
        ("https://app.greenhouse.io/people/", "exactly once"),
        ("https://ats.test/{remote_id}/{remote_id}", "exactly once"),
        ("https://ats.test/{id}/{remote_id}", "no placeholder other"),
        ("https://{remote_id}.ats.test/", "host"),
        ("https://ats.test@{remote_id}/", "host"),
        ("https://ats.test/a b/{remote_id}", "spaces"),
        ("javascript:alert(1)//{remote_id}", "https"),
        ("{remote_id}", "https"),
    ],
)
def test_a_bad_profile_template_is_refused_with_a_reason(template: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_profile_template(template)


@given(st.text(min_size=1, max_size=300))
def test_a_filled_template_keeps_its_host_and_the_whole_remote_id(remote_id: str) -> None:
    url = profile_url("https://app.greenhouse.io/people/{remote_id}?tab=apps", remote_id)
    parts = urlsplit(url)
    assert parts.hostname == "app.greenhouse.io"
    assert parts.query == "tab=apps"
    assert unquote(parts.path.removeprefix("/people/"), errors="surrogatepass") == remote_id
