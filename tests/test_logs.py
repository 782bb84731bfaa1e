"""Request values in log lines: escaped and cut, so that none can forge a line or a field."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.logs import LOGGED_VALUE_LIMIT, loggable

# What an escaped value may hold: the plain characters, and backslash escapes made of them.
_SAFE = re.compile(r"[A-Za-z0-9._:/@+\\-]*(\.\.\.\(\+\d+\))?")


@given(st.text())
def test_any_text_becomes_one_safe_field(value: str) -> None:
    logged = loggable(value)
    assert _SAFE.fullmatch(logged), logged
    assert "=" not in logged
    assert " " not in logged
    assert "\n" not in logged
    # every character kept becomes at most a 10-character escape (\U0001f600)
    assert len(logged) <= LOGGED_VALUE_LIMIT * 10 + len("...(+)") + len(str(len(value)))


@given(st.text(alphabet="abcXYZ019._:/@+-", min_size=1, max_size=LOGGED_VALUE_LIMIT))
def test_slack_ids_and_timestamps_are_kept_as_they_are(value: str) -> None:
    assert loggable(value) == value


def test_a_newline_cannot_forge_a_log_line() -> None:
    forged = "018b\n2026-01-01 INFO bot.share share user=U0BOSS outcome=shared"
    logged = loggable(forged)
    assert "\n" not in logged
    assert " outcome=" not in logged
    assert logged.startswith("018b\\x0a2026-01-01\\x20INFO")


def test_long_values_are_cut_and_say_by_how_much() -> None:
    assert loggable("x" * (LOGGED_VALUE_LIMIT + 7)) == "x" * LOGGED_VALUE_LIMIT + "...(+7)"


def test_missing_values_and_other_types() -> None:
    assert loggable(None) == "-"
    assert loggable("") == "-"
    assert loggable(42) == "42"
    assert loggable({"a": 1}) == "\\x7b\\x27a\\x27:\\x201\\x7d"
    assert loggable("\u202eevil") == "\\u202eevil"
