"""Text for cards: escaping untrusted values, cutting them to size, dates, and link labels.

Everything the ATS sends is untrusted. In mrkdwn, Slack treats only `&`, `<` and `>` as
control characters, so `escape_mrkdwn` replaces exactly those three (`&` first). Values are
cut *before* they are escaped, with the growth of each escape counted, so a cut never lands
inside an entity such as `&amp;`.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import accumulate
from urllib.parse import urlsplit

from bot.core.cards.limits import MAX_URL

ELLIPSIS = "…"

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_NOT_IN_LINKS = frozenset("|<>\"'`\\")
_DROPPED_CATEGORIES = {"Cc", "Cs"}  # control characters and lone surrogates
# Bidirectional controls (embeddings, overrides, isolates, marks): an RLO (U+202E) in a name
# would make the rest of the card read backwards, so they are never shown.
# See https://www.unicode.org/reports/tr9/#Explicit_Directional_Embeddings
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_HOST_LABELS = {
    "linkedin.com": "LinkedIn",
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "twitter.com": "X (Twitter)",
    "x.com": "X (Twitter)",
    "stackoverflow.com": "Stack Overflow",
    "dribbble.com": "Dribbble",
    "behance.net": "Behance",
    "medium.com": "Medium",
}
# Kinds of site only: a site's own name comes from the host alone, never from a type that
# could claim "LinkedIn" for any URL.
_TYPE_LABELS = {
    "PERSONAL": "Website",
    "WEBSITE": "Website",
    "COMPANY": "Company site",
    "PORTFOLIO": "Portfolio",
    "BLOG": "Blog",
    "SOCIAL_MEDIA": "Social media",
    "JOB_POSTING": "Job posting",
}


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<` and `>` (the only characters Slack decodes) for mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with "…" when it was cut."""
    if limit >= 1 and len(text) <= limit:  # most values fit: no per-character walk
        return text
    return _shorten(text, limit, lambda char: 1)


def escape_and_cut(text: str, limit: int) -> str:
    """Escape `text` for mrkdwn, cut so that the escaped result has at most `limit` characters."""
    escaped = escape_mrkdwn(text)
    if limit >= 1 and len(escaped) <= limit:  # most values fit: no per-character walk
        return escaped
    return escape_mrkdwn(_shorten(text, limit, lambda char: len(_ENTITIES.get(char, char))))


def _shorten(text: str, limit: int, size: Callable[[str], int]) -> str:
    """The longest prefix of `text`, plus "…", whose rendered size fits in `limit`; for text
    that does not fit whole (the callers have checked)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    ends = list(accumulate(map(size, text)))
    keep = bisect_right(ends, limit - len(ELLIPSIS))
    return text[:keep].rstrip() + ELLIPSIS


def one_line(text: str | None) -> str | None:
    """One line of text without control or bidi characters, or None when nothing visible is left."""
    if text is None:
        return None
    if text.isascii() and text.isprintable():
        # Printable ASCII has no control characters, and every character but the space is
        # visible, so the per-character walk below would change nothing.
        return " ".join(text.split()) or None
    kept = (
        "" if c in BIDI_CONTROLS else " " if unicodedata.category(c) in _DROPPED_CATEGORIES else c
        for c in text
    )
    line = " ".join("".join(kept).split())
    # Zero-width and other invisible characters alone would show as an empty value.
    visible = any(unicodedata.category(c)[0] in "LNPS" for c in line)
    return line if visible else None


def capped_list(
    items: Sequence[str], *, limit: int, item_limit: int, max_items: int, sep: str = ", "
) -> str:
    """Escaped items joined by `sep`, ending "+N more" when they do not all fit in `limit`."""
    shown: list[str] = []
    for item in items[:max_items]:
        part = escape_and_cut(item, item_limit)
        left_after = len(items) - len(shown) - 1
        if len(sep.join([*shown, part])) + len(_more(left_after)) > limit:
            break
        shown.append(part)
    return (sep.join(shown) + _more(len(items) - len(shown))).strip()


def _more(count: int) -> str:
    return f" +{count} more" if count else ""


def slack_date(moment: datetime) -> str:
    """A `<!date>` token that Slack shows in the reader's time zone, with a UTC fallback."""
    return _date_token(moment, with_time=True)


def slack_day(moment: datetime) -> str:
    """Like slack_date, the day alone (an applied or rejected date)."""
    return _date_token(moment, with_time=False)


def _date_token(moment: datetime, *, with_time: bool) -> str:
    # Format tokens: https://api.slack.com/reference/surfaces/formatting#date-formatting
    try:
        utc = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted by an offset: show the day alone
        return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    fallback = f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
    if with_time:
        fallback += f" {utc.hour:02d}:{utc.minute:02d} UTC"
    epoch = int(utc.timestamp())
    if epoch < 0:  # Slack's date token only knows times after 1970
        return fallback
    pattern = "{date_short_pretty} at {time}" if with_time else "{date_short_pretty}"
    return f"<!date^{epoch}^{pattern}|{fallback}>"


def safe_url(url: str, *, https_only: bool = False) -> str | None:
    """The URL itself if it is a plain http(s) link safe to hand to Slack, else None."""
    if len(url) > MAX_URL or not _NOT_IN_LINKS.isdisjoint(url) or _has_invisible(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed [IPv6] host
        return None
    schemes = ("https",) if https_only else ("http", "https")
    return url if parts.scheme.lower() in schemes and host else None


def _has_invisible(text: str) -> bool:
    """Whether `text` holds whitespace, control or format characters: none belongs in a link.

    In one pass over the string, not a call per character: of the printable characters
    (https://docs.python.org/3/library/stdtypes.html#str.isprintable) only the ASCII space
    is whitespace; every other whitespace character is a separator or a control character.
    """
    return not text.isprintable() or " " in text


def link_label(url: str, url_type: str | None) -> str:
    """A button label for a safe URL: a well-known site's name, else the kind, else the host."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    for domain, label in _HOST_LABELS.items():
        if host == domain or host.endswith("." + domain):
            return label
    kind = (url_type or "").strip().upper().replace(" ", "_")
    return _TYPE_LABELS.get(kind) or truncate(host, 75)
