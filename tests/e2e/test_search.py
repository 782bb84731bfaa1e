"""`/candidate <email>` and `/candidate <name>` end to end: signed requests in, real HTTP to
the fake Bindbee, answers out through response_url; and the Show button on a list row."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.cli.terminal import render_blocks
from bot.core.cards import SHARE_ACTION_ID, SHOW_ACTION_ID
from bot.logs import quiet_libraries
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL, NO_EMAIL, PRIVATE, variant
from tests.harness import RunningApp, StartApp
from tests.slack_requests import FORM, action_body

pytestmark = pytest.mark.timeout(60)

LIST = "/api/ats/v1/candidates"


def _text(payload: dict[str, Any]) -> str:
    """Everything a user could read in a message, as one string."""
    return json.dumps(payload, ensure_ascii=False)


def _person(first: str, last: str, **fields: Any) -> dict[str, Any]:
    handle = f"{first}.{last}.{uuid.uuid4().hex[:6]}".lower()
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "remote_id": str(uuid.uuid4().int)[:10],
        "first_name": first,
        "last_name": last,
        "title": f"Engineer {handle}",
        "email_addresses": [f"{handle}@example.com"],
        "phone_numbers": ["+1 415 555 0100"],
    }
    return variant(FULL, **(values | fields))


def _add(bindbee: FakeBindbee, *people: dict[str, Any]) -> None:
    for person in people:
        bindbee.add(person)


def _show_buttons(reply: dict[str, Any]) -> list[str]:
    return [
        block["accessory"]["value"]
        for block in reply["blocks"]
        if block.get("accessory", {}).get("action_id") == SHOW_ACTION_ID
    ]


def _queries(bindbee: FakeBindbee) -> list[list[tuple[str, str]]]:
    """Each list request's query parameters, decoded, in the order they were sent."""
    return [
        parse_qsl(query, keep_blank_values=True, strict_parsing=True)
        for query in bindbee.query_strings()
    ]


# -- by email -------------------------------------------------------------------------------


async def test_an_email_with_one_match_gets_the_card(app: RunningApp, bindbee: FakeBindbee) -> None:
    _add(bindbee, FULL, PRIVATE, NO_EMAIL)
    await app.command("amara.okafor@example.com")
    reply = await app.reply()
    assert reply["response_type"] == "ephemeral"
    text = _text(reply)
    assert "Amara Okafor" in text
    assert "amara.okafor@example.com" in text  # the requester's own view
    assert any(
        element.get("action_id") == SHARE_ACTION_ID
        for block in reply["blocks"]
        for element in block.get("elements", [])
    )
    assert _queries(bindbee) == [
        [("email_addresses", "amara.okafor@example.com"), ("page_size", "25")]
    ]


async def test_an_email_matches_whatever_its_case(app: RunningApp, bindbee: FakeBindbee) -> None:
    _add(bindbee, FULL)
    await app.command("Amara.Okafor@Example.COM")
    assert "Amara Okafor" in _text(await app.reply())


async def test_an_email_slack_turned_into_a_mailto_link(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    _add(bindbee, FULL)
    await app.command("<mailto:amara.okafor@example.com|amara.okafor@example.com>")
    assert "Amara Okafor" in _text(await app.reply())


async def test_an_email_with_no_match_says_what_was_searched(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    _add(bindbee, FULL)
    await app.command("nobody@example.com")
    reply = await app.reply()
    assert "No candidate has the email address “nobody@example.com”" in _text(reply)
    assert len(bindbee.candidate_requests) == 1


async def test_a_can_email_false_match_gets_a_card_without_any_email(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    _add(bindbee, NO_EMAIL)
    await app.command("mateo.garcia@example.com")
    text = _text(await app.reply())
    assert "Mateo García" in text
    assert "do not email" in text.lower()
    assert "mailto:" not in text
    for email in ("mateo.garcia@example.com", "mateo@blueharbor.example"):
        assert email not in text


async def test_a_private_match_by_email_is_no_match(app: RunningApp, bindbee: FakeBindbee) -> None:
    _add(bindbee, PRIVATE)
    await app.command("cfo.candidate@example.com")
    text = _text(await app.reply())
    assert "No candidate has the email address “cfo.candidate@example.com”" in text
    assert "private" not in text.lower()


# -- by name --------------------------------------------------------------------------------


async def test_a_name_with_one_match_gets_the_card(app: RunningApp, bindbee: FakeBindbee) -> None:
    _add(bindbee, FULL, NO_EMAIL)
    await app.command("Amara Okafor")
    reply = await app.reply()
    assert "Amara Okafor" in reply["text"]
    assert "amara.okafor@example.com" in _text(reply)
    assert _queries(bindbee) == [
        [("first_name", "Amara"), ("last_name", "Okafor"), ("page_size", "25")]
    ]


async def test_one_word_searches_first_and_last_names(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    first = _person("Jordan", "Ames")
    last = _person("Riley", "Jordan")
    both = _person("Jordan", "Jordan")
    _add(bindbee, first, last, both, _person("Casey", "Smith"))
    await app.command("jordan")
    reply = await app.reply()
    assert sorted(_show_buttons(reply)) == sorted(p["id"] for p in (first, last, both))
    assert "3 candidates match the name “jordan”" in _text(reply)
    assert sorted(_queries(bindbee)) == [
        [("first_name", "jordan"), ("page_size", "25")],
        [("last_name", "jordan"), ("page_size", "25")],
    ]


async def test_several_matches_list_only_the_public_ones_without_contact_details(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    public = [_person("Alex", "Kim") for _ in range(3)]
    private = [_person("Alex", "Kim", is_private=True, title=f"Secret {i}") for i in range(2)]
    _add(bindbee, public[0], private[0], public[1], private[1], public[2])
    await app.command("Alex Kim")
    reply = await app.reply()
    assert reply["response_type"] == "ephemeral"
    text = _text(reply)
    assert "3 candidates match the name “Alex Kim”" in text
    assert _show_buttons(reply) == [p["id"] for p in public]
    for person in private:
        assert person["id"] not in text
        assert person["title"] not in text
    for person in public + private:  # no contact details in a row
        assert person["email_addresses"][0] not in text
        assert person["phone_numbers"][0] not in text
    assert "private" not in text.lower()


async def test_only_private_matches_answer_exactly_as_no_match(
    start_app: StartApp, bindbee: FakeBindbee
) -> None:
    app = await start_app(cache_ttl=0)
    _add(bindbee, *[_person("Robin", "Vale", is_private=True) for _ in range(3)])
    await app.command("Robin Vale")
    only_private = await app.reply()
    bindbee.candidates.clear()
    await app.command("Robin Vale", reply_to="second")
    no_match = await app.reply("second")
    assert json.dumps(only_private, sort_keys=True) == json.dumps(no_match, sort_keys=True)
    assert "No candidate matches the name “Robin Vale”" in no_match["text"]


async def test_names_match_partially_too_if_bindbee_does(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    bindbee.name_match = "partial"
    _add(bindbee, FULL, _person("Amaranth", "Okafors"), _person("Kofi", "Okafor"))
    await app.command("Amar Okaf")
    reply = await app.reply()
    assert "2 candidates match" in _text(reply)
    assert len(_show_buttons(reply)) == 2


async def test_a_match_bindbee_returned_for_another_name_is_not_shown(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    stranger = _person("Someone", "Else")
    bindbee.body({"cursor": None, "page_size": 1, "items": [stranger]})  # as if filters ignored
    await app.command("Amara Okafor")
    text = _text(await app.reply())
    assert "No candidate matches the name “Amara Okafor”" in text
    assert "Someone" not in text


# -- more than ten, and pages -------------------------------------------------------------


async def test_more_than_ten_matches_list_ten_and_say_how_many_more(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    people = [_person("Sam", "Rivera") for _ in range(14)]
    _add(bindbee, *people, *[_person("Sam", "Rivera", is_private=True) for _ in range(3)])
    await app.command("Sam Rivera")
    reply = await app.reply()
    text = _text(reply)
    assert _show_buttons(reply) == [p["id"] for p in people[:10]]
    assert "14 candidates match the name “Sam Rivera”" in text
    assert "4 more not shown." in text
    assert "email address, which is exact" in text
    assert (
        len(bindbee.candidate_requests) == 1
    )  # 17 matches fit one page of 25: no cursor to follow


async def test_the_cursor_is_followed_once_when_private_ones_leave_too_few(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    hidden = [_person("Lee", "Park", is_private=True) for _ in range(20)]
    shown = [_person("Lee", "Park") for _ in range(8)]
    _add(bindbee, *hidden[:18], *shown[:5], *hidden[18:], *shown[5:])
    await app.command("Lee Park")
    reply = await app.reply()
    assert _show_buttons(reply) == [p["id"] for p in shown]
    assert "8 candidates match" in _text(reply)
    queries = [dict(query) for query in _queries(bindbee)]
    assert len(queries) == 2
    assert "cursor" not in queries[0]
    assert queries[1]["cursor"]  # the one Bindbee gave, followed once
    assert {k: v for k, v in queries[1].items() if k != "cursor"} == queries[0]


async def test_a_search_never_costs_more_than_two_requests(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    _add(bindbee, *[_person("Kai", "Moss", is_private=True) for _ in range(60)])
    _add(bindbee, *[_person("Kai", "Moss") for _ in range(5)])
    await app.command("Kai Moss")
    text = _text(await app.reply())
    # Two pages of private matches, and the public ones beyond: never reached, never hinted.
    assert "No candidate matches the name “Kai Moss”" in text
    assert len(bindbee.candidate_requests) == 2


async def test_a_full_page_of_public_matches_says_there_may_be_more(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    _add(bindbee, *[_person("Ana", "Reyes") for _ in range(40)])
    await app.command("Ana Reyes")
    text = _text(await app.reply())
    assert "At least 25 match the name “Ana Reyes”" in text
    assert "15 more not shown, and maybe others." in text
    assert len(bindbee.candidate_requests) == 1  # more than 10 already: no second page needed


# -- Show -----------------------------------------------------------------------------------


async def test_show_on_a_row_answers_the_fresh_card_with_its_own_share_button(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    people = [_person("Alex", "Kim") for _ in range(2)]
    _add(bindbee, *people)
    await app.command("Alex Kim")
    [first, _] = _show_buttons(await app.reply())
    bindbee.clear()
    await app.action(SHOW_ACTION_ID, first)
    card = await app.reply("action")
    assert card["response_type"] == "ephemeral"
    assert card["replace_original"] is False  # the list stays for the other rows
    text = _text(card)
    assert people[0]["email_addresses"][0] in text  # the requester's card
    assert [r.raw_path for r in bindbee.candidate_requests] == [f"{LIST}/{first}"]  # fetched fresh
    shares = [
        element["value"]
        for block in card["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == SHARE_ACTION_ID
    ]
    assert shares == [first]


async def test_show_for_a_candidate_turned_private_since_the_list_shows_the_notice(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    people = [_person("Alex", "Kim") for _ in range(3)]
    _add(bindbee, *people)
    await app.command("Alex Kim")
    assert len(_show_buttons(await app.reply())) == 3
    turned = people[1]
    bindbee.set_private(turned["id"])  # in the ATS, after the list was sent
    await app.action(SHOW_ACTION_ID, turned["id"])
    card = await app.reply("action")
    text = _text(card)
    assert "private" in text.lower()
    for value in (turned["first_name"], turned["title"], turned["email_addresses"][0]):
        assert value not in text
    # The cached list is gone with the news: the same search now lists two, from Bindbee.
    bindbee.clear()
    await app.command("Alex Kim", reply_to="again")
    again = await app.reply("again")
    assert _show_buttons(again) == [people[0]["id"], people[2]["id"]]
    assert "2 candidates match" in _text(again)
    assert len(bindbee.candidate_requests) == 1


async def test_show_with_a_value_that_names_no_candidate_says_so(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    await app.action(SHOW_ACTION_ID, "../../admin")
    assert "not a valid candidate id" in _text(await app.reply("action"))
    missing = str(uuid.uuid4())
    await app.action(SHOW_ACTION_ID, missing, reply_to="missing")
    assert "No candidate found" in _text(await app.reply("missing"))
    assert [r.raw_path for r in bindbee.candidate_requests] == [f"{LIST}/{missing}"]


@pytest.mark.parametrize("response_url", [None, "https://evil.test/collect"])
async def test_show_sends_no_card_off_slack(
    app: RunningApp,
    bindbee: FakeBindbee,
    caplog: pytest.LogCaptureFixture,
    response_url: str | None,
) -> None:
    caplog.set_level(logging.INFO)
    _add(bindbee, FULL)
    pressed = await app.post(action_body(SHOW_ACTION_ID, FULL["id"], response_url), FORM)
    assert pressed.status_code == 200
    await app.settled()
    assert bindbee.candidate_requests == []  # not even fetched: there is nowhere to send it
    outcome = "no_response_url" if response_url is None else "refused_response_url"
    assert f"outcome={outcome}" in caplog.text
    assert "evil.test" not in caplog.text


async def test_a_repeated_search_asks_bindbee_again(app: RunningApp, bindbee: FakeBindbee) -> None:
    people = [_person("Alex", "Kim") for _ in range(3)]
    _add(bindbee, *people)
    await app.command("Alex Kim")
    assert len(_show_buttons(await app.reply())) == 3
    bindbee.set_private(people[0]["id"])
    await app.command("Alex Kim", reply_to="again")
    assert _show_buttons(await app.reply("again")) == [people[1]["id"], people[2]["id"]]
    assert len(bindbee.candidate_requests) == 2  # lists are not cached: privacy is read afresh


# -- several at once, and hostile text ------------------------------------------------------


async def test_an_id_an_email_and_a_name_in_one_command(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    by_id = _person("Ida", "Byid")
    by_email = _person("Emma", "Mail")
    by_name = [_person("Noa", "Name") for _ in range(2)]
    _add(bindbee, by_id, by_email, *by_name)
    text = f"{by_id['id']}, {by_email['email_addresses'][0]}, Noa Name"
    await app.command(text)
    reply = await app.reply()
    answer = _text(reply)
    # In the order asked: the id's card, the email's card, then the list for the name.
    order = [answer.index(v) for v in ("Ida Byid", "Emma Mail", "2 candidates match the name")]
    assert order == sorted(order)
    assert _show_buttons(reply) == [p["id"] for p in by_name]
    sent = sorted((r.path, sorted(r.query.items())) for r in bindbee.candidate_requests)
    assert sent == sorted(
        [
            (f"{LIST}/{by_id['id']}", []),
            (LIST, [("email_addresses", by_email["email_addresses"][0]), ("page_size", "25")]),
            (LIST, [("first_name", "Noa"), ("last_name", "Name"), ("page_size", "25")]),
        ]
    )


HOSTILE_WORDS = [
    "Zoë",
    "O'Brien",
    '"Jr"',
    "&amp;a=1&amp;b=2",  # Slack sends a typed & as &amp;
    "#frag",
    "100%",
    "%26x%3Dy",
    "ünïcödé-漢字",
    "&lt;!channel&gt;",
]


def _hostile_text(length: int = 400) -> str:
    """400 characters of them, padded with more of the same (no entity cut in half)."""
    return (" ".join(HOSTILE_WORDS) + " =#%'\"ß" * length)[:length].strip()


async def test_hostile_text_reaches_bindbee_as_one_parameter_per_filter(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    text = _hostile_text()
    assert len(text) == 400
    await app.command(text)
    reply = await app.reply()
    typed = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split()
    expected = [
        [("first_name", typed[0]), ("last_name", " ".join(typed[1:])), ("page_size", "25")],
        [("first_name", " ".join(typed[:-1])), ("last_name", typed[-1]), ("page_size", "25")],
    ]
    assert sorted(_queries(bindbee)) == sorted(expected)
    for raw in bindbee.query_strings():
        # Three parameters: every &, = and # in the text was encoded, and nothing else is there.
        parts = raw.split("&")
        assert [part.count("=") for part in parts] == [1, 1, 1]
        assert [part.partition("=")[0] for part in parts] == [
            "first_name",
            "last_name",
            "page_size",
        ]
        assert not set(raw) & set(' #"<>')
    assert "No candidate matches the name" in _text(reply)
    assert "<!channel>" not in _text(reply)


async def test_a_hostile_email_reaches_bindbee_as_one_parameter(
    app: RunningApp, bindbee: FakeBindbee
) -> None:
    email = "o'neil+a&b=c#d%25ü@exämple.com"
    await app.command(email.replace("&", "&amp;"))
    await app.reply()
    assert _queries(bindbee) == [[("email_addresses", email), ("page_size", "25")]]
    [raw] = bindbee.query_strings()
    assert raw.count("&") == 1


async def test_log_lines_carry_the_kind_and_count_never_the_searched_text(
    app: RunningApp, bindbee: FakeBindbee, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()  # as configure_logging does in production, even at LOG_LEVEL=DEBUG
    caplog.set_level(logging.DEBUG)
    people = [_person("Quinn", "Zephyrine") for _ in range(2)]
    _add(bindbee, *people, FULL)
    await app.command("Quinn Zephyrine, amara.okafor@example.com, nobody.at.all@example.com")
    await app.reply()
    await app.action(SHOW_ACTION_ID, people[0]["id"])
    await app.reply("action")
    for _ in range(100):  # the show line is written just after the answer is sent
        if any(r.getMessage().startswith("show ") for r in caplog.records):
            break
        await asyncio.sleep(0.02)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    [command_line] = [line for line in lines if "command=/candidate" in line]
    assert re.search(r"ids=3 outcome=name:2,email:1,email:0 ms=\d+", command_line)
    assert any(re.search(r"^show user=U0ALICE id=\S+ outcome=shown", line) for line in lines)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Quinn", "Zephyrine", "amara.okafor", "nobody.at.all", "Amara", "Okafor"):
        assert secret not in everything


# -- a transcript, for people to read -------------------------------------------------------


async def test_transcript_email_name_and_show(
    app: RunningApp, bindbee: FakeBindbee, capsys: pytest.CaptureFixture[str]
) -> None:
    """What Bindbee received and what Slack got: SHOW_TRANSCRIPT=1 prints it."""
    people = [
        _person("Maya", "Patel", title="Staff Platform Engineer", company="Lumen Freight"),
        _person("Maya", "Patel", title="Data Engineer", company="Copperleaf Health"),
        _person("Maya", "Patel", is_private=True, title="CFO", company="Quietwater"),
    ]
    _add(bindbee, *people, NO_EMAIL)
    lines: list[str] = []

    async def run(step: str, send: Any, reply_to: str) -> dict[str, Any]:
        bindbee.clear()
        await send()
        reply = await app.reply(reply_to)
        lines.append(f"\n### {step}")
        lines.extend(
            f"Bindbee got: GET {request.raw_path}" for request in bindbee.candidate_requests
        )
        lines.append("Slack got (response_url):")
        lines.append("    " + render_blocks(reply["blocks"]).replace("\n", "\n    "))
        return reply

    await run(
        "/candidate mateo.garcia@example.com",
        lambda: app.command("mateo.garcia@example.com", reply_to="email"),
        "email",
    )
    listed = await run(
        "/candidate Maya Patel", lambda: app.command("Maya Patel", reply_to="name"), "name"
    )
    first = _show_buttons(listed)[0]
    await run(
        f"Show (value {first})", lambda: app.action(SHOW_ACTION_ID, first, reply_to="show"), "show"
    )
    hostile = _hostile_text(60)
    await run(f"/candidate {hostile}", lambda: app.command(hostile, reply_to="hostile"), "hostile")
    bindbee.set_private(first)
    await run(
        f"Show again once private (value {first})",
        lambda: app.action(SHOW_ACTION_ID, first, reply_to="show2"),
        "show2",
    )
    if os.environ.get("SHOW_TRANSCRIPT") == "1":
        with capsys.disabled():
            print("\n".join(lines))
    assert len(_show_buttons(listed)) == 2
