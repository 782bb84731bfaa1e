"""Contact details in free text: disguised emails, phones in any notation, and linear time.

The properties build a candidate whose title, company and tags carry a disguised email or a
phone in some common notation, and check what the policy and the cards let through.
"""

from __future__ import annotations

import re
import sys
import time
import unicodedata
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ats.models import Candidate
from bot.core.cards import candidate_message, unfurl_blocks
from bot.core.contacts import FORMAT_CHARACTER_RANGES, Finder
from bot.core.policy import MAX_TEXT_KEPT, Disclosure, View, disclose
from tests.core.cards.helpers import strings

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
BIDI = tuple("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
AT_SIGNS = ("@", "＠", "﹫", "%40")
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


def person(**fields: object) -> Candidate:
    values: dict[str, Any] = {
        "id": "c-1",
        "modified_at": "2026-11-30T00:00:00Z",
        "first_name": "Jane",
        "last_name": "Doe",
        "can_email": False,
        "email_addresses": [],
        "phone_numbers": [],
    }
    return Candidate.model_validate(values | fields)


def shown(candidate: Candidate, view: View) -> Candidate:
    decision = disclose(candidate, view)
    assert isinstance(decision, Disclosure)
    return decision.candidate


def readable(text: str) -> str:
    """What a reader could make of `text`: invisible characters gone, forms folded, %-decoded."""
    folded = unicodedata.normalize("NFKC", unquote(text))
    return "".join(c for c in folded if unicodedata.category(c) != "Cf").lower()


def rendered(candidate: Candidate) -> dict[View, str]:
    """All the text of each view's card, as one string a view."""
    texts = {
        view: " ".join(strings(candidate_message(candidate, view).as_payload()))
        for view in (View.REQUESTER, View.CHANNEL)
    }
    texts[View.UNFURL] = " ".join(strings(unfurl_blocks(candidate) or []))
    return texts


# -- emails --------------------------------------------------------------------------------

PLAIN_EMAILS = st.from_regex(
    r"[a-z0-9][a-z0-9._+-]{0,15}@[a-z0-9]{1,10}\.[a-z]{2,6}", fullmatch=True
)


@st.composite
def disguised_emails(draw: st.DrawFn) -> tuple[str, str]:
    """(the address, a disguise of it): invisible characters, fullwidth forms, %-escapes."""
    email = draw(PLAIN_EMAILS)
    local, domain = email.split("@")
    chars: list[str] = []
    for char in f"{local}\0{domain}":
        if char == "\0":
            chars.append(draw(st.sampled_from(AT_SIGNS)))
            continue
        if draw(st.booleans()) and "!" <= char <= "~":
            char = chr(ord(char) + 0xFEE0)  # the fullwidth form, which NFKC folds back
        elif draw(st.integers(0, 9)) == 0:
            char = f"%{ord(char):02X}"
        chars.append(char)
        if draw(st.integers(0, 4)) == 0:
            chars.append(draw(st.sampled_from(ZERO_WIDTH)))
    return email, "".join(chars)


@pytest.mark.parametrize(
    "disguise",
    [
        "jane@exa\u200bmple.com",
        "ja\u00adne@example.com",
        "jane＠example.com",
        "jane%40example.com",
        "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "jane%40exa%6Dple.com",
    ],
)
@pytest.mark.parametrize("view", list(View))
def test_disguised_emails_are_hidden_when_emails_are(disguise: str, view: View) -> None:
    got = shown(person(title=f"Engineer {disguise} (remote)", tags=[disguise]), view)
    if disguise.replace("\u200b", "").replace("\u00ad", "") == "jane@example.com":
        assert got.title == "Engineer [hidden] (remote)"  # invisible characters are dropped
    else:
        assert got.title == "[hidden]"  # folded or decoded: the whole value goes
    assert got.tags == ("[hidden]",)
    plain = shown(person(title="Engineer jane@example.com (remote)"), view)
    assert plain.title == "Engineer [hidden] (remote)"


@given(disguised_emails(), WORDS, WORDS)
def test_no_disguise_of_an_email_reaches_any_card(
    case: tuple[str, str], before: str, after: str
) -> None:
    email, disguise = case
    candidate = person(
        title=f"{before} {disguise} {after}",
        company=disguise,
        tags=[disguise, f"{before}{disguise}"],
        urls=[{"type": "OTHER", "value": f"https://x.test/?to={disguise}"}],
    )
    for view, text in rendered(candidate).items():
        assert email not in readable(text), view
        assert "@" not in readable(text).replace("[hidden]", ""), view


# -- phones --------------------------------------------------------------------------------

PHONE_NOTATIONS = [
    "646-555-0172",
    "(646) 555-0172",
    "+1 646 555 0172",
    "646.555.0172",
    "+44 20 7946 0958",
    "+1 (646) 555-0172",
    "1-800-555-0199",
    "+16465550172",
    "+33 1 23 45 67 89",
    "030/1234567",
    "６４６-５５５-０１７２",
    "+44 (0)20 7946 0958",
]

ORDINARY_NUMBERS = [
    "5 years",
    "Since 2019",
    "2019-2023",
    "2019 - 2023",
    "2019 2020 2021",
    "Joined 2024-01-15",
    "15/01/2024",
    "Team of 12, 3 offices",
    "ATS 4012345001",
    "v1.2.3",
    "100 000",
    "24/7 support",
]


@pytest.mark.parametrize("phone", PHONE_NOTATIONS)
@pytest.mark.parametrize("view", [View.CHANNEL, View.UNFURL])
def test_phones_in_any_notation_are_hidden_in_shared_views(phone: str, view: View) -> None:
    candidate = person(title=f"Call {phone}, evenings", tags=[phone], phone_numbers=[])
    got = shown(candidate, view)
    assert got.title == "Call [hidden], evenings"
    assert got.tags == ("[hidden]",)
    assert shown(candidate, View.REQUESTER).title == f"Call {phone}, evenings"


@pytest.mark.parametrize("text", ORDINARY_NUMBERS)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    got = shown(person(title=text, tags=[text], remote_id="4012345001"), View.CHANNEL)
    assert (got.title, got.tags, got.remote_id) == (text, (text,), "4012345001")


@st.composite
def phone_notations(draw: st.DrawFn) -> str:
    """A phone number as people write them: +country, (area), groups split by - . or space."""
    country = draw(st.sampled_from(["", "+1 ", "+44 ", "+33 ", "+1-", "1-"]))
    area = draw(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True))
    area = draw(st.sampled_from([area, f"({area})"]))
    middle = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    last = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    sep = draw(st.sampled_from(["-", ".", " "]))
    if draw(st.integers(0, 3)) == 0:  # fullwidth digits, which NFKC folds
        middle = "".join(chr(ord(d) + 0xFEE0) for d in middle)
    return f"{country}{area}{' ' if area.startswith('(') else sep}{middle}{sep}{last}"


@given(phone_notations(), WORDS, WORDS, st.lists(phone_notations(), max_size=2))
def test_no_phone_reaches_a_shared_view(
    phone: str, before: str, after: str, listed: list[str]
) -> None:
    candidate = person(
        title=f"{before} {phone} {after}", tags=[f"{before}: {phone}"], phone_numbers=listed
    )
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))[-10:]
    for view in (View.CHANNEL, View.UNFURL):
        got = shown(candidate, view)
        for text in (got.title or "", *got.tags):
            assert digits not in re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
        assert phone not in rendered(candidate)[view]


# -- bidi controls ---------------------------------------------------------------------------


@given(st.lists(st.sampled_from(BIDI), min_size=1, max_size=4), WORDS)
def test_no_bidi_control_is_ever_shown(controls: list[str], word: str) -> None:
    hostile = f"{controls[0]}{word}{''.join(controls[1:])}x"
    candidate = person(
        first_name=hostile,
        last_name=hostile,
        title=hostile,
        company=hostile,
        tags=[hostile],
        locations=[hostile],
        remote_id=hostile,
        can_email=True,
    )
    for text in rendered(candidate).values():
        assert not set(text) & set(BIDI)
        assert word in text


# -- linear time -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a" * 60_000,  # no "@": quadratic with the old scrub (about 16 s)
        "a." * 30_000,
        "1 " * 30_000,
        "a@" * 30_000,
        ("\u200b" + "a") * 30_000,  # the slow path of normalisation
        "%41" * 20_000,
    ],
)
def test_hiding_is_linear_and_cut_to_what_a_card_shows(text: str) -> None:
    candidate = person(title=text, company=text, tags=[text] * 200, locations=[text] * 200)
    started = time.monotonic()
    for view in View:
        got = shown(candidate, view)
        assert len(got.title or "") <= MAX_TEXT_KEPT
    assert time.monotonic() - started < 1.5  # generous: well under 100 ms alone


def test_finder_is_linear_on_long_text() -> None:
    finder = Finder.build(["jane@example.com", "+1 646 555 0172"], emails=True, phones=True)
    started = time.monotonic()
    for text in ("a" * 200_000, "1-" * 100_000, "a@a." * 50_000, "j" * 200_000):
        finder.hide(text)
    assert time.monotonic() - started < 2  # generous; a quadratic scan takes minutes


def test_the_format_characters_listed_are_unicodes_own() -> None:
    listed = {c for first, last in FORMAT_CHARACTER_RANGES for c in range(first, last + 1)}
    actual = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert actual <= listed
    assert all(unicodedata.category(chr(c)) in ("Cf", "Cn") for c in listed)
