"""Candidate links: a table of URL patterns, one function that matches a URL against it, and
the "Open in ATS" template (`ATS_PROFILE_URL`) that leads from a card back to the ATS.

Each pattern is a regular expression with a named group `id` (a Bindbee candidate id) or
`remote_id` (the ATS's own id, resolved through Bindbee's list endpoint). Patterns must match
the whole URL, so a look-alike host (`app.greenhouse.io.evil.test`) never matches.

Anyone can post a URL, and every pattern runs on every link, so an operator's patterns
(UNFURL_PATTERNS) run on RE2 (google-re2), whose matching time is linear in the URL's length
whatever the pattern: a pattern with nested quantifiers cannot backtrack, because RE2 never
backtracks. RE2 has no lookaround and no backreferences; a pattern that uses them is refused
at start-up, with its line number. See https://github.com/google/re2/wiki/Syntax.

The built-in patterns are ours and fixed, with no nested or overlapping quantifiers, so
Python's `re` matches them in linear time too (with re.ASCII, so that a digit is an ASCII
digit, as in RE2). They run on `re` so that a deployment without patterns of its own never
loads RE2 (about 3 MB of memory in every process); tests/core/test_links.py checks that both
engines agree on them. URLs longer than `MAX_URL_LENGTH` are not matched at all (cutting one
could change the id it names).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

KeyKind = Literal["id", "remote_id"]
MAX_URL_LENGTH = 3000  # Slack's own limit for a URL in Block Kit; no candidate link is longer


class _Found(Protocol):
    """The part of a match object we use."""

    def group(self, name: str) -> str | None:
        """The text a named group captured."""
        ...


class LinkRegex(Protocol):
    """A compiled link pattern: RE2's for an operator's, Python's `re` for a built-in one."""

    @property
    def pattern(self) -> str:
        """The source of the pattern."""
        ...

    @property
    def groupindex(self) -> Mapping[str, int]:
        """Named groups and their numbers."""
        ...

    def fullmatch(self, text: str) -> _Found | None:
        """The match when the pattern matches the whole of `text`."""
        ...


def compile_link_regex(source: str) -> LinkRegex:
    """Compile `source` with RE2 (linear-time matching); raise ValueError when RE2 refuses it."""
    import re2  # type: ignore[import-untyped]  # google-re2 ships no type hints

    options = re2.Options()
    options.log_errors = False  # RE2 would also print the error to stderr
    try:
        regex: LinkRegex = re2.compile(source, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        raise ValueError(text) from None
    return regex


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TAIL = r"/?(?:[?#].*)?"  # optional trailing slash, query and fragment


@dataclass(frozen=True)
class LinkPattern:
    """One row of the link table."""

    name: str
    regex: LinkRegex
    domain: str | None  # the host Slack must be told about in unfurl_domains, when known

    @property
    def kind(self) -> KeyKind:
        """Which kind of id the pattern captures."""
        return "id" if "id" in self.regex.groupindex else "remote_id"


@dataclass(frozen=True)
class LinkMatch:
    """A URL that matched a pattern, with the id it names."""

    url: str
    pattern: LinkPattern
    kind: KeyKind
    value: str


def builtin_source(domain: str, path: str) -> str:
    """The whole regular expression of a built-in pattern."""
    return rf"https://{re.escape(domain)}{path}{_TAIL}"


def _builtin(name: str, domain: str, path: str) -> LinkPattern:
    regex = re.compile(builtin_source(domain, path), re.ASCII)
    return LinkPattern(name=name, regex=regex, domain=domain)


BUILTIN_PATTERNS: tuple[LinkPattern, ...] = (
    _builtin(
        "Greenhouse",
        "app.greenhouse.io",
        r"/people/(?P<remote_id>\d{1,20})(?:/applications/\d{1,20})?",
    ),
    _builtin("Lever", "hire.lever.co", rf"/candidates/(?P<remote_id>{_UUID})"),
    _builtin("Ashby", "app.ashbyhq.com", rf"/candidates/(?P<remote_id>{_UUID})"),
)

_LITERAL_HOST = re.compile(r"^\^?https\??(?:\\?:|:)//((?:[A-Za-z0-9-]|\\\.)+)(?:/|\\/|$)")


def parse_patterns(text: str) -> tuple[LinkPattern, ...]:
    """Compile UNFURL_PATTERNS (one regex a line); raise ValueError naming each bad line."""
    patterns: list[LinkPattern] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        source = line.strip()
        if not source:
            continue
        try:
            regex = compile_link_regex(source)
        except ValueError as exc:
            problems.append(
                f"line {number} is not a valid regular expression ({exc}; patterns run on "
                "RE2, which has no lookaround and no backreferences)"
            )
            continue
        groups = set(regex.groupindex) & {"id", "remote_id"}
        if len(groups) != 1:
            problems.append(f"line {number} needs exactly one named group: id or remote_id")
            continue
        host = _LITERAL_HOST.match(source)
        domain = host.group(1).replace("\\.", ".").lower() if host else None
        patterns.append(LinkPattern(name=f"custom {number}", regex=regex, domain=domain))
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(patterns)


def match_link(url: str, patterns: tuple[LinkPattern, ...]) -> LinkMatch | None:
    """The first pattern that matches the whole URL, with the id it captures."""
    if len(url) > MAX_URL_LENGTH:
        return None
    for pattern in patterns:
        found = pattern.regex.fullmatch(url)
        if found is None:
            continue
        value = found.group(pattern.kind)
        if value:
            return LinkMatch(url=url, pattern=pattern, kind=pattern.kind, value=value)
    return None


PLACEHOLDER = "{remote_id}"
PROFILE_TEMPLATES = {
    "Greenhouse": "https://app.greenhouse.io/people/{remote_id}",
    "Lever": "https://hire.lever.co/candidates/{remote_id}",
    "Ashby": "https://app.ashbyhq.com/candidates/{remote_id}",
}


def check_profile_template(template: str) -> str:
    """The template itself when it is an https URL with `{remote_id}` once, outside the host;
    raise ValueError saying what is wrong otherwise."""
    if template.count(PLACEHOLDER) != 1:
        raise ValueError("must hold the placeholder {remote_id} exactly once")
    rest = template.replace(PLACEHOLDER, "")
    if "{" in rest or "}" in rest:
        raise ValueError("may hold no placeholder other than {remote_id}")
    if any(c.isspace() or not c.isprintable() for c in template):
        raise ValueError("may hold no spaces or control characters")
    try:
        parts = urlsplit(template)
        host = parts.hostname
    except ValueError:
        raise ValueError("is not a URL") from None
    if parts.scheme != "https" or not host:
        raise ValueError("must be an https:// URL with a host")
    if PLACEHOLDER in parts.netloc:
        raise ValueError("must keep {remote_id} out of the host")
    return template


def profile_url(template: str, remote_id: str) -> str:
    """The template filled with the ATS id, percent-encoded so it stays one path segment."""
    return template.replace(PLACEHOLDER, quote(remote_id, safe=""))
