"""Hypothesis strategies for candidates full of hostile, odd and oversized values.

`candidates()` builds `Candidate` objects the way the ATS client does (through
`Candidate.model_validate`), so the values are what the cards really receive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from bot.ats.models import Application, Candidate, Pipeline

# Strings that mean something to Slack, to HTML or to a reader.
HOSTILE_TEXTS = (
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U0123ABCD>",
    "<#C0123ABCD>",
    "<!subteam^S0123>",
    "<https://evil.test|click here>",
    "<!date^1^{date}|x>",
    "&amp;",
    "&lt;b&gt;",
    "&",
    "<",
    ">",
    "a & b < c > d",
    "@channel",
    "*bold* _it_ ~s~ `code`",
    ":smile:",
    "🧑‍💻👍🏽🇫🇷",
    "\u202eevil",
    "line\nbreak\ttab",
    "\x00\x07\x1b[31m",
    "|",
    "[hidden]",
)

ODD_URLS = (
    "https://www.linkedin.com/in/jane",
    "http://github.com/jane",
    "HTTPS://EXAMPLE.TEST/Upper",
    "https://example.test/a b",
    "https://example.test/|x",
    "https://example.test/<x>",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "mailto:jane@example.test",
    "tel:+15550100",
    "ftp://example.test/file",
    "//example.test/no-scheme",
    "https://",
    "https:/example.test",
    "https://[::1/",
    "https://linkedin.com@evil.test/",
    "https://evil.test\\@linkedin.com/",
    "https://example.test/" + "a" * 3000,
    "https://example.test/\u200bzero-width",
    "https://ex\u00e4mple.test/ümlaut",
)

URL_TYPES = ("LINKEDIN", "GITHUB", "PERSONAL", "PORTFOLIO", "BLOG", "OTHER", "-", "twitter", "")


def _repeated(piece: str, length: int) -> str:
    """`piece` over and over, `length` characters in all."""
    return ((piece or "x") * length)[:length]


def texts() -> st.SearchStrategy[str]:
    """Any text: random, hostile, joined from hostile pieces, or very long."""
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(HOSTILE_TEXTS),
        st.lists(st.sampled_from(HOSTILE_TEXTS) | st.text(max_size=4), max_size=6).map("".join),
        st.builds(
            _repeated, st.sampled_from(HOSTILE_TEXTS) | st.text(max_size=3), st.integers(100, 5000)
        ),
    )


def optional_texts() -> st.SearchStrategy[str | None]:
    """A text or null."""
    return st.none() | texts()


def _numbered(base: str, count: int) -> list[str]:
    # A named function, not a lambda: hypothesis caches strategies by their arguments, and a
    # new lambda on every call made that cache fail under load (FlakyStrategyDefinition).
    return [f"{base}{i}" for i in range(count)]


def text_lists(item: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[list[str] | None]:
    """Null, a short list, or a very long one."""
    short = st.sampled_from(HOSTILE_TEXTS) | st.text(max_size=10) if item is None else item
    many = st.builds(_numbered, short, st.integers(20, 250))
    return st.none() | st.lists(texts() if item is None else item, max_size=6) | many


def emails() -> st.SearchStrategy[str]:
    """Email addresses, realistic enough that one never turns up by chance in other text."""
    return st.emails()


def phones() -> st.SearchStrategy[str]:
    """Phone numbers in a shape ("+1 555-0100") that no card text has by chance."""
    return st.from_regex(r"\+[1-9][0-9]{0,2} [0-9]{3}-[0-9]{4}", fullmatch=True)


def urls() -> st.SearchStrategy[dict[str, Any]]:
    """A `urls` item, in either documented shape, with good, odd and hostile values."""
    value = st.one_of(
        st.sampled_from(ODD_URLS),
        st.builds("https://example.test/{}".format, st.text(max_size=20)),
        texts(),
    )
    kind = st.none() | st.sampled_from(URL_TYPES) | texts()
    return st.one_of(
        st.builds(dict, value=value, url_type=kind),  # the schema's shape
        st.builds(dict, type=kind, value=value),  # the examples' shape
    )


def times() -> st.SearchStrategy[datetime]:
    """Aware date-times across the whole range, in a few offsets."""
    zones = st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
    )
    return st.datetimes(timezones=zones)


def flags() -> st.SearchStrategy[bool | None]:
    """A privacy or consent flag: true, false or unknown."""
    return st.sampled_from([True, False, None])


@st.composite
def candidates(
    draw: st.DrawFn,
    *,
    is_private: st.SearchStrategy[bool | None] | None = None,
    can_email: st.SearchStrategy[bool | None] | None = None,
    with_pipeline: bool = False,
) -> Candidate:
    """A Candidate with arbitrary values; the flags can be pinned with strategies, and
    `with_pipeline` adds applications (kept apart: they make each example much larger)."""
    payload: dict[str, Any] = {
        "id": draw(st.uuids().map(str)),
        "modified_at": draw(times()),
        "remote_id": draw(optional_texts()),
        "first_name": draw(optional_texts()),
        "last_name": draw(optional_texts()),
        "company": draw(optional_texts()),
        "title": draw(optional_texts()),
        "last_interaction_at": draw(st.none() | times()),
        "is_private": draw(flags() if is_private is None else is_private),
        "can_email": draw(flags() if can_email is None else can_email),
        "locations": draw(text_lists()),
        "tags": draw(text_lists()),
        "email_addresses": draw(text_lists(emails())),
        "phone_numbers": draw(text_lists(phones())),
        "urls": draw(st.none() | st.lists(urls(), max_size=8)),
        "applications": draw(st.lists(st.uuids().map(str), max_size=4)),
        "attachments": draw(st.lists(st.uuids().map(str), max_size=4)),
        "avatar": draw(st.none() | st.sampled_from(ODD_URLS) | texts()),
        "pipeline": draw(pipelines()) if with_pipeline else None,
    }
    for contact in ("email_addresses", "phone_numbers"):
        if payload[contact] and draw(st.booleans()):
            _copy_elsewhere(draw, payload, payload[contact][0])
    return Candidate.model_validate(payload)


def _copy_elsewhere(draw: st.DrawFn, payload: dict[str, Any], value: str) -> None:
    """Copy a contact detail into another field, as ATSes do; the policy must scrub it."""
    fields = ["first_name", "title", "company", "remote_id", "tags", "urls"]
    field = draw(st.sampled_from([*fields, "source"] if payload["pipeline"] else fields))
    copy = value.upper() if draw(st.booleans()) else value  # the scrubbing ignores case
    if field == "source":  # an application's source: "referred by <email>"
        pipeline: Pipeline = payload["pipeline"]
        first, *rest = pipeline.applications or (Application(),)
        referred = first.model_copy(update={"source": f"referred by {copy}"})
        payload["pipeline"] = pipeline.model_copy(update={"applications": (referred, *rest)})
    elif field == "tags":
        payload["tags"] = [*(payload["tags"] or []), f"see {copy}"]
    elif field == "urls":
        link = {
            "type": draw(st.sampled_from(["OTHER", value])),
            "value": f"https://x.test/?c={value}",
        }
        payload["urls"] = [*(payload["urls"] or []), link]
    else:
        payload[field] = f"{payload[field] or ''} {copy}"


def private_candidates() -> st.SearchStrategy[Candidate]:
    """Candidates marked private."""
    return candidates(is_private=st.just(True))


def _reference(draw: st.DrawFn, *, confidential: bool = False) -> object:
    """A related record as Bindbee may send it: null, a bare id, or an object."""
    shape = draw(st.sampled_from(["null", "id", "object"]))
    if shape == "null":
        return None
    if shape == "id":
        return draw(st.uuids().map(str))
    record: dict[str, Any] = {"id": draw(st.uuids().map(str)), "name": draw(optional_texts())}
    if confidential:
        record["confidential"] = draw(flags() | st.sampled_from(["yes", "maybe", 0]))
    return record


@st.composite
def applications(draw: st.DrawFn) -> Application:
    """An application with every field arbitrary, in both of Bindbee's shapes."""
    return Application.read(
        {
            "id": draw(st.uuids().map(str)),
            "job": _reference(draw, confidential=True),
            "current_stage": _reference(draw),
            "reject_reason": _reference(draw),
            "applied_at": draw(st.none() | times()),
            "rejected_at": draw(st.none() | times()),
            "source": draw(optional_texts()),
        }
    )


@st.composite
def pipelines(draw: st.DrawFn) -> Pipeline:
    """What the lookups may attach to a candidate: applications, or a problem."""
    if draw(st.integers(0, 9)) == 0:
        return Pipeline.unreadable(draw(st.sampled_from(["timeout", "unavailable", "odd"])))
    return Pipeline(
        applications=tuple(draw(st.lists(applications(), max_size=6))),
        more_pages=draw(st.booleans()),
        gaps=draw(st.booleans()),
    )
