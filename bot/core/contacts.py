"""Finding contact details in free text, so that views which hide them can hide every copy.

An ATS copies emails and phones into titles, tags and links, and people disguise them.
A value is searched as it is, and what is found there is replaced by "[hidden]". Then it is
searched again, normalised. If a detail shows only then, it was disguised: the search runs
once more on the value without its invisible characters, and if the detail is still only
found once normalised, the whole value is hidden. Normalising means:

    format characters   dropped: zero-width space and joiners, soft hyphen, bidi controls
                        (Unicode category Cf), so `jane@exa<U+200B>mple.com` is found
    percent-escapes     decoded: `jane%40example.com` is found
    compatibility forms folded (NFKC): fullwidth `＠`, `．` and digits

    email    local@domain.tld; and every `mailto:`
    phone    a run of digits with spaces, dots, hyphens, slashes or parentheses between
             them, optionally after `+`, that holds at least 7 digits in at least two groups
             (or after a `+`), and is not a date or only years (`2019-2023`). So
             `646-555-0172`, `(646) 555-0172`, `+1 646 555 0172`, `646.555.0172` and
             `+44 20 7946 0958` are phones; `2019`, `5 years`, `2024-01-15` and a bare id
             such as `4012345001` are not.
    value    an exact copy of a listed value (any case), at least 5 characters long

Every search here takes time linear in the text: `str.find` for listed values, and patterns
that cannot backtrack (possessive quantifiers; an email may only start where no email
character precedes it, so no run of characters is scanned from more than one start).
Callers also cut text to what a card can show before calling, so no input can hold up the
event loop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

HIDDEN = "[hidden]"
MIN_VALUE_LENGTH = 5  # shorter listed values ("1", "a") would hide ordinary words
MAX_VALUES = 100  # listed values searched for; generic shapes catch the rest
MAX_VALUE_LENGTH = 320  # an email address is at most 254 characters (RFC 5321)
MIN_PHONE_DIGITS = 7

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
# A run starts at `+`, `(` or a digit outside a word, and is taken whole; every attempt that
# starts at a digit succeeds, so the scan resumes after the run and never re-reads it.
# Runs shorter than MIN_PHONE_DIGITS fail at once (at most 7 characters read), so the many
# short numbers of ordinary text never reach Python.
_PHONE_RUN = re.compile(r"(?<![\w+(])[+(]?\d[\d ().\-/]{6,}+")
_RUN_END = " ().-/"
_DIGITS = re.compile(r"\d++")
_PERCENT_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})++")
_DATE = r"(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})"
_DATES = re.compile(rf"{_DATE}(?: ?[-/] ?{_DATE})?")
# Unicode's format characters (category Cf, as of Unicode 14): zero-width space and joiners,
# soft hyphen, bidi controls, tags… Written out because finding them at start-up means
# asking about all 1.1 million code points; a test checks the list against unicodedata.
FORMAT_CHARACTER_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_NO_FORMAT_CHARACTERS = {
    code: None for first, last in FORMAT_CHARACTER_RANGES for code in range(first, last + 1)
}


@dataclass(frozen=True)
class Finder:
    """What to look for: listed values, and (when asked) anything shaped like an email or phone."""

    values: tuple[str, ...] = ()
    emails: bool = False
    phones: bool = False

    @classmethod
    def build(cls, values: Iterable[str], *, emails: bool, phones: bool) -> Finder:
        """A finder for `values` (normalised as text is) and the generic shapes asked for."""
        needles: dict[str, None] = {}
        for value in values:
            needle = _lower(value[:MAX_VALUE_LENGTH])
            if len(needle) >= MIN_VALUE_LENGTH:
                needles[needle] = None
            if len(needles) == MAX_VALUES:
                break
        longest_first = tuple(sorted(needles, key=len, reverse=True))
        return cls(values=longest_first, emails=emails, phones=phones)

    @property
    def active(self) -> bool:
        """Whether there is anything to look for at all."""
        return bool(self.values) or self.emails or self.phones

    def hide(self, text: str) -> str:
        """`text` with every contact detail found in it replaced by "[hidden]"."""
        if not self.active or not text:
            return text
        shown = self._replaced(text)
        if text.isascii() and "%" not in text:
            return shown  # nothing to drop, fold or decode
        visible = text.translate(_NO_FORMAT_CHARACTERS)
        if visible != text and (found := self._replaced(visible)) != visible:
            shown = found  # invisible characters split a detail; nobody misses them
        if self._finds(_normalised(shown)):
            # Still disguised (fullwidth, %-escaped): no span of the text maps neatly to the
            # detail, so the whole value is hidden.
            return HIDDEN
        return shown

    def _finds(self, text: str) -> bool:
        return next(self._spans(text), None) is not None

    def _replaced(self, text: str) -> str:
        pieces: list[str] = []
        done = 0
        for start, end in _leftmost(self._spans(text)):
            pieces += [text[done:start], HIDDEN]
            done = end
        pieces.append(text[done:])
        return "".join(pieces)

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        lowered = _lower(text)
        needles = (*self.values, "mailto:") if self.emails else self.values
        for needle in needles:
            at = lowered.find(needle)
            while at >= 0:
                yield at, at + len(needle)
                at = lowered.find(needle, at + len(needle))
        if self.emails:
            yield from (found.span() for found in _EMAIL.finditer(text))
        if self.phones:
            for found in _PHONE_RUN.finditer(text):
                run = found.group().rstrip(_RUN_END)
                if _is_phone(run):
                    yield found.start(), found.start() + len(run)


def _is_phone(run: str) -> bool:
    """Whether a run of digits and separators reads as a phone number (see the docstring)."""
    groups = _DIGITS.findall(run)
    if sum(map(len, groups)) < MIN_PHONE_DIGITS:
        return False
    if len(groups) < 2 and not run.startswith("+"):
        return False  # one bare number: an id, an amount
    if _DATES.fullmatch(run):
        return False
    return not all(len(group) == 4 and group[:2] in ("19", "20") for group in groups)


def _leftmost(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that do not overlap, leftmost first; at one start, the first one found wins
    (a listed value before a generic shape), as in a regular expression's alternation."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: span[0]):  # stable: keeps found order
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end))
    return chosen


def _normalised(text: str) -> str:
    """The text searched for disguised details (see the module docstring)."""
    visible = text.translate(_NO_FORMAT_CHARACTERS)
    decoded = _PERCENT_ESCAPES.sub(_decode_escapes, visible) if "%" in visible else visible
    return unicodedata.normalize("NFKC", decoded).translate(_NO_FORMAT_CHARACTERS)


def _decode_escapes(escapes: re.Match[str]) -> str:
    """A run of %-escapes as the UTF-8 text it encodes (as urllib.parse.unquote reads it)."""
    return bytes.fromhex(escapes.group().replace("%", "")).decode(errors="replace")


def _lower(text: str) -> str:
    """Lower case with the same length, so that positions found in it hold in `text`."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)
