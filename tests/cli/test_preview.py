"""`python -m bot preview`: the Slack code path, rendered in the terminal, without leaking."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from bot.__main__ import main
from bot.ats.client import BindbeeClient
from bot.ats.models import Candidate
from bot.cli.demo import demos
from bot.cli.preview import BLOCK_KIT_BUILDER, EXAMPLE_DEMO, card_message
from bot.cli.terminal import mrkdwn_to_plain, render_blocks, safe_text
from bot.core.cards import check_limits
from bot.core.policy import View
from tests.fakes import payloads
from tests.fakes.bindbee import FakeBindbee

ROOT = Path(__file__).resolve().parents[2]
DEMO_IDS = [demo.id for demo in demos()]
VIEWS = ["requester", "channel", "unfurl"]


def _preview(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["preview", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def _payload(demo_id: str) -> dict[str, Any]:
    return next(demo.payload for demo in demos() if demo.id == demo_id)


def _strings(value: object) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _mrkdwn_texts(value: object) -> list[str]:
    """The text of every mrkdwn object inside a JSON value."""
    if isinstance(value, list):
        return [text for item in value for text in _mrkdwn_texts(item)]
    if not isinstance(value, dict):
        return []
    own = [value["text"]] if value.get("type") == "mrkdwn" else []
    return own + [text for item in value.values() for text in _mrkdwn_texts(item)]


def _personal(demo_id: str) -> list[str]:
    """Every personal value of a demo candidate (anything but ids and timestamps)."""
    payload = _payload(demo_id)
    fields = ["first_name", "last_name", "company", "title", "locations", "tags"]
    fields += ["email_addresses", "phone_numbers", "urls", "avatar"]
    return [text for field in fields for text in _strings(payload.get(field)) if len(text) > 3]


def _contacts(demo_id: str) -> list[str]:
    payload = _payload(demo_id)
    return list(_strings([payload["email_addresses"], payload["phone_numbers"]]))


# -- every demo, every view ------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_every_demo_renders_in_every_view(
    capsys: pytest.CaptureFixture[str], demo_id: str, view: str
) -> None:
    status, out, err = _preview(capsys, "--demo", demo_id, "--view", view)
    assert status == 0, err
    assert "What the policy hid, and why:" in out
    assert "<!date" not in out
    assert "&lt;" not in out
    assert "\x1b" not in out  # no terminal escape codes from the data

    status, raw, _ = _preview(capsys, "--demo", demo_id, "--view", view, "--json")
    assert status == 0
    payload = json.loads(raw)
    assert set(payload) == {"text", "blocks"}
    assert len(payload["blocks"]) <= 50
    assert check_limits(payload["blocks"]) == []
    if payload["blocks"]:  # the Block Kit Builder link opens exactly these blocks
        link = next(line for line in out.splitlines() if line.startswith(BLOCK_KIT_BUILDER))
        opened = json.loads(unquote(link.removeprefix(BLOCK_KIT_BUILDER)))
        assert opened == {"blocks": payload["blocks"]}


@pytest.mark.parametrize("as_json", [[], ["--json"]])
@pytest.mark.parametrize("view", VIEWS)
def test_a_private_candidate_shows_nothing_personal(
    capsys: pytest.CaptureFixture[str], view: str, as_json: list[str]
) -> None:
    status, out, _ = _preview(capsys, "--demo", "private-demo", "--view", view, *as_json)
    assert status == 0
    leaked = [value for value in _personal("private-demo") if value in out]
    assert leaked == []
    assert _payload("private-demo")["remote_id"] not in out
    if not as_json:
        assert "everything: the candidate is private" in out
        if view == "unfurl":
            assert "no preview at all" in out
        else:
            assert "This candidate is private" in out


def test_a_private_link_gets_no_preview(capsys: pytest.CaptureFixture[str]) -> None:
    link = f"https://app.greenhouse.io/people/{_payload('private-demo')['remote_id']}"
    status, raw, _ = _preview(capsys, "--demo", link, "--view", "unfurl", "--json")
    assert status == 0
    assert json.loads(raw)["blocks"] == []


# -- what each view shows ----------------------------------------------------------------------


def test_the_full_profile_shows_everything_to_the_requester(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _preview(capsys, "--demo", "maya-patel")
    assert status == 0
    lines = [line.strip() for line in out.splitlines()]
    assert "Maya Patel" in lines
    assert "Staff Platform Engineer at Lumen Freight" in lines
    assert "LinkedIn → https://www.linkedin.com/in/maya-patel-demo" in lines
    assert "[ Share in channel ]" in lines
    assert "2025-03-03 15:40 UTC" in out  # the <!date> token's fallback
    for contact in _contacts("maya-patel"):
        assert contact in out
    # the one thing withheld from the requester: the name of a confidential job
    withheld = lines[lines.index("What the policy hid, and why:") + 1 :]
    assert (
        withheld[0] == "• names of confidential jobs (or jobs not marked either way): never shown"
    )
    assert not withheld[1].startswith("•")


@pytest.mark.parametrize("view", VIEWS)
def test_the_demo_pipeline_shows_in_every_view(
    capsys: pytest.CaptureFixture[str], view: str
) -> None:
    status, out, _ = _preview(capsys, "--demo", "maya-patel", "--view", view)
    assert status == 0
    assert "Chief Technology Officer" not in out  # a confidential job, never named
    if view == "unfurl":
        assert "*Applications:* _Confidential job_ · Phone screen +2 more" in out
        return
    assert "_Confidential job_ · Phone screen · Active" in out
    assert "*Staff Platform Engineer* · Onsite · Active" in out
    assert "*Engineering Manager, Payments* · Technical interview · Rejected 2024-12-20" in out
    assert ("Not a good fit" in out) is (view == "requester")
    assert ("via Referral" in out) is (view == "requester")


def test_the_open_in_ats_button_comes_from_the_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATS_PROFILE_URL", "https://hire.lever.co/candidates/{remote_id}")
    status, out, _ = _preview(capsys, "--demo", "maya-patel")
    assert status == 0
    assert "Open in ATS → https://hire.lever.co/candidates/402187365" in out


@pytest.mark.parametrize("view", ["channel", "unfurl"])
def test_shared_views_leave_contact_details_out(
    capsys: pytest.CaptureFixture[str], view: str
) -> None:
    status, out, _ = _preview(capsys, "--demo", "maya-patel", "--view", view)
    assert status == 0
    assert "Maya Patel" in out
    assert [contact for contact in _contacts("maya-patel") if contact in out] == []
    assert "[ Share in channel ]" not in out
    assert f"• email addresses: contact details stay out of the {view} view" in out
    assert f"• phone numbers: contact details stay out of the {view} view" in out


@pytest.mark.parametrize("view", VIEWS)
def test_contact_details_copied_into_other_fields_stay_out_of_shared_views(
    capsys: pytest.CaptureFixture[str], view: str
) -> None:
    status, out, _ = _preview(capsys, "--demo", "diego-romero", "--view", view)
    assert status == 0
    shown = [contact for contact in _contacts("diego-romero") if contact in out]
    assert shown == (_contacts("diego-romero") if view == "requester" else [])


@pytest.mark.parametrize("view", VIEWS)
def test_do_not_email_means_no_address_anywhere(
    capsys: pytest.CaptureFixture[str], view: str
) -> None:
    status, out, _ = _preview(capsys, "--demo", "lena-fischer", "--view", view)
    assert status == 0
    emails = _payload("lena-fischer")["email_addresses"]
    assert [email for email in _strings(emails) if email in out] == []
    assert "mailto:" not in out
    assert "Do not email" in out
    assert "• email addresses: the candidate may not be emailed" in out


def test_hostile_text_is_shown_as_text_and_never_as_markup(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _preview(capsys, "--demo", "hostile-demo")
    assert status == 0
    assert "<!channel> <!here|everyone> *Urgent*" in out  # the name, as Slack shows it
    assert "<https://evil.test|click> at Smith & Sons <Holdings> &amp; Co" in out
    assert "javascript:" not in out
    assert "evil.test/login" not in out
    status, raw, _ = _preview(capsys, "--demo", "hostile-demo", "--json")
    # In mrkdwn the data is escaped; plain_text (the header, button labels) is never parsed.
    texts = _mrkdwn_texts(json.loads(raw)["blocks"])
    assert any("&lt;!everyone&gt;" in text for text in texts)
    own_dates = re.compile(r"<!date\^[^<>]*>")
    assert [text for text in texts if "<" in own_dates.sub("", text)] == []
    assert "javascript:" not in raw


def test_oversized_data_is_cut_to_size(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _preview(capsys, "--demo", "oversized-demo")
    assert status == 0
    assert "+55 more links" in out
    assert " more" in out
    assert "…" in out
    assert _payload("oversized-demo")["title"] not in out


def test_strict_privacy_hides_a_candidate_whose_flag_is_unknown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = _preview(capsys, "--demo", "sam-okafor")
    assert status == 0
    assert "Sam Okafor" in out
    monkeypatch.setenv("PRIVACY_STRICT", "true")
    status, out, _ = _preview(capsys, "--demo", "sam-okafor")
    assert status == 0
    assert "This candidate is private" in out
    assert "Okafor" not in out


# -- ids, links and failures -------------------------------------------------------------------


def test_a_greenhouse_link_finds_the_demo_by_its_remote_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    link = f"https://app.greenhouse.io/people/{_payload('jun-tanaka')['remote_id']}"
    status, out, _ = _preview(capsys, "--demo", link)
    assert status == 0
    assert "Jun Tanaka" in out


def test_links_go_through_the_configured_link_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    link = "https://ats.acme.test/c/maya-patel"
    status, out, _ = _preview(capsys, "--demo", link)
    assert status == 1
    assert "no link pattern matches" in out
    monkeypatch.setenv("UNFURL_PATTERNS", r"https://ats\.acme\.test/c/(?P<id>[\w-]+)")
    status, out, _ = _preview(capsys, "--demo", link)
    assert status == 0
    assert "Maya Patel" in out


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("0000-no-such-id", "No candidate found."),
        ("no-such-candidate", "No candidate matches the name “no-such-candidate”."),
        ("bad$id", "No candidate matches the name “bad$id”."),
        ("nobody@example.com", "No candidate has the email address “nobody@example.com”."),
        ("https://app.greenhouse.io/people/1", "No candidate found."),
    ],
)
def test_a_failed_lookup_exits_1_with_the_words_slack_would_use(
    capsys: pytest.CaptureFixture[str], ref: str, words: str
) -> None:
    status, out, _ = _preview(capsys, "--demo", ref)
    assert status == 1
    assert words in out
    status, raw, _ = _preview(capsys, "--demo", ref, "--json")
    assert status == 1
    assert words in json.loads(raw)["text"]


@pytest.mark.parametrize("ref", ["maya-patel,sam-okafor", "maya-patel sam-okafor"])
def test_more_than_one_candidate_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], ref: str
) -> None:
    status, out, err = _preview(capsys, "--demo", ref)
    assert status == 2
    assert out == ""
    assert "give one id, link, email or name" in err


def test_a_name_with_one_match_shows_the_card(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _preview(capsys, "--demo", "Maya Patel")
    assert status == 0
    assert "Requester view of Maya Patel" in out
    assert "maya.patel@example.com" in out


def test_a_name_with_several_matches_shows_the_list_without_private_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _preview(capsys, "--demo", "patel")
    assert status == 0
    assert "2 candidates match the name “patel”" in out
    assert out.count("[ Show ]") == 2
    assert "python -m bot preview --demo arjun-patel" in out
    assert "python -m bot preview --demo maya-patel" in out
    nina = [value for value in _personal("nina-patel") if value != "Patel"]
    for value in nina + _contacts("maya-patel") + _contacts("arjun-patel"):
        assert value not in out
    status, raw, _ = _preview(capsys, "--demo", "patel", "--json")
    blocks = json.loads(raw)["blocks"]
    assert check_limits(blocks) == []
    shows = [b["accessory"]["value"] for b in blocks if "accessory" in b]
    assert shows == ["arjun-patel", "maya-patel"]


def test_only_private_matches_read_exactly_as_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    _, private, _ = _preview(capsys, "--demo", "nina.patel@example.com")
    _, nobody, _ = _preview(capsys, "--demo", "nobody.at.all@example.com")
    assert private.replace("nina.patel", "nobody.at.all") == nobody
    assert "private" not in private.lower()


def test_an_email_of_someone_who_may_not_be_emailed_shows_no_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _preview(capsys, "--demo", "LENA.FISCHER@example.com")
    assert status == 0
    heading, card = out.split("\n", 1)
    assert heading.startswith("Requester view of LENA.FISCHER@example.com")  # what was typed
    out = card
    assert "Lena Fischer" in out
    assert "Do not email" in out
    for email in ("lena.fischer@example.com", "lena@kranich.example"):
        assert email not in out.lower()


def test_no_id_lists_the_demo_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _preview(capsys)
    assert status == 0
    for demo in demos():
        assert f"  {demo.id} " in out
    assert f"python -m bot preview --demo {EXAMPLE_DEMO}" in out
    assert "Helena" not in out  # not even the private one's name
    status, out, err = _preview(capsys, "--json")
    assert status == 2
    assert out == ""
    assert "--json needs" in err


def test_without_demo_it_needs_the_bindbee_settings(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _preview(capsys, "maya-patel")
    assert status == 2
    assert out == ""
    assert "BINDBEE_API_KEY" in err
    assert "BINDBEE_CONNECTOR_TOKEN" in err
    assert "--demo" in err


# -- against (a fake) Bindbee --------------------------------------------------------------------


@pytest.fixture
def bindbee(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBindbee]:
    with FakeBindbee() as fake:
        fake.add(payloads.FULL)
        monkeypatch.setenv("BINDBEE_BASE_URL", fake.url)
        monkeypatch.setenv("BINDBEE_API_KEY", FakeBindbee.API_KEY)
        monkeypatch.setenv("BINDBEE_CONNECTOR_TOKEN", FakeBindbee.CONNECTOR_TOKEN)
        yield fake


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[BindbeeClient]:
    """The Bindbee clients closed during the test."""
    seen: list[BindbeeClient] = []
    original = BindbeeClient.aclose

    async def aclose(self: BindbeeClient) -> None:
        seen.append(self)
        await original(self)

    monkeypatch.setattr(BindbeeClient, "aclose", aclose)
    return seen


def test_without_demo_it_asks_bindbee_and_closes_the_client(
    capsys: pytest.CaptureFixture[str], bindbee: FakeBindbee, closed: list[BindbeeClient]
) -> None:
    status, out, _ = _preview(capsys, payloads.FULL["id"])
    assert status == 0
    assert "Amara Okafor" in out
    assert len(closed) == 1
    assert closed[0].closed
    link = f"https://app.greenhouse.io/people/{payloads.FULL['remote_id']}"
    status, out, _ = _preview(capsys, link, "--view", "channel")
    assert status == 0
    assert "Amara Okafor" in out
    assert "amara.okafor@example.com" not in out
    assert [request.query.get("remote_id") for request in bindbee.candidate_requests][-1] == (
        payloads.FULL["remote_id"]
    )


def test_strict_privacy_treats_unknown_consent_as_do_not_email(
    capsys: pytest.CaptureFixture[str], bindbee: FakeBindbee, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindbee.add(payloads.variant(payloads.FULL, can_email=None))
    status, out, _ = _preview(capsys, payloads.FULL["id"])
    assert status == 0
    assert "amara.okafor@example.com" in out
    assert "• nothing: this view may show all the ATS sent" in out
    monkeypatch.setenv("PRIVACY_STRICT", "true")
    status, out, _ = _preview(capsys, payloads.FULL["id"])
    assert status == 0
    assert "amara.okafor@example.com" not in out
    assert "• email addresses: the candidate may not be emailed" in out


def test_a_refused_key_says_so_and_exits_1(
    capsys: pytest.CaptureFixture[str],
    bindbee: FakeBindbee,
    monkeypatch: pytest.MonkeyPatch,
    closed: list[BindbeeClient],
) -> None:
    monkeypatch.setenv("BINDBEE_API_KEY", "a-wrong-key-0123456789")
    status, out, _ = _preview(capsys, payloads.FULL["id"])
    assert status == 1
    assert "The ATS refused our credentials" in out
    assert "a-wrong-key-0123456789" not in out
    assert len(closed) == 1


# -- the terminal rendering -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mrkdwn", "text"),
    [
        ("Tom &amp; Jerry &lt;b&gt;", "Tom & Jerry <b>"),
        ("&amp;lt;", "&lt;"),
        ("&lt;!channel&gt;", "<!channel>"),
        (
            "<!date^1700000000^{date_short_pretty} at {time}|2023-11-14 22:13 UTC>",
            "2023-11-14 22:13 UTC",
        ),
        (
            "<https://example.com/a?b=1&amp;c=2|Site &amp; co>",
            "Site & co → https://example.com/a?b=1&c=2",
        ),
        ("<https://example.com>", "https://example.com"),
        ("Shared by <@U123ABC>", "Shared by @U123ABC"),
        ("<!here>", "@here"),
        ("<#C123|general>", "#general"),
    ],
)
def test_mrkdwn_reads_as_slack_shows_it(mrkdwn: str, text: str) -> None:
    assert mrkdwn_to_plain(mrkdwn) == text


def test_blocks_render_as_headings_fields_links_and_context() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Ada L"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Engineer at R&amp;D"},
            "fields": [
                {"type": "mrkdwn", "text": "*Tags*\nA, B"},
                {"type": "mrkdwn", "text": "*Email*\na@x.example\nb@x.example"},
            ],
        },
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Site"},
                    "url": "https://x.example",
                    "action_id": "a",
                },
                {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "b"},
            ],
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "one"},
                {"type": "plain_text", "text": "two\x1b[2J"},
            ],
        },
    ]
    assert render_blocks(blocks).splitlines() == [
        "Ada L",
        "=====",
        "",
        "Engineer at R&D",
        "  Tags   A, B",
        "  Email  a@x.example",
        "         b@x.example",
        "",
        "-" * 60,
        "",
        "Site → https://x.example",
        "[ Go ]",
        "",
        "one · two[2J",
    ]


# -- as a real command ----------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "preview", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_the_command_lists_renders_and_fails_cleanly() -> None:
    listing = _run()
    assert listing.returncode == 0
    assert all(demo_id in listing.stdout for demo_id in DEMO_IDS)

    as_json = _run("--demo", EXAMPLE_DEMO, "--json")
    assert as_json.returncode == 0
    assert check_limits(json.loads(as_json.stdout)["blocks"]) == []

    link = f"https://app.greenhouse.io/people/{_payload(EXAMPLE_DEMO)['remote_id']}"
    by_link = _run("--demo", link, "--view", "channel")
    assert by_link.returncode == 0
    assert "Maya Patel" in by_link.stdout
    assert BLOCK_KIT_BUILDER in by_link.stdout

    unknown = _run("--demo", "nobody-here")
    assert unknown.returncode == 1
    assert "No candidate matches the name “nobody-here”." in unknown.stdout
    for result in (listing, as_json, by_link, unknown):
        assert "Traceback" not in result.stdout + result.stderr


def test_bidi_controls_never_reach_the_terminal() -> None:
    """An RTL override in a name would make the rest of the line read backwards."""
    name = "\u202eevil\u2066 \u200fname\u061c"
    candidate = Candidate.model_validate(
        {"id": "c-1", "modified_at": "2026-11-30T00:00:00Z", "first_name": name}
    )
    message = card_message(candidate, View.REQUESTER, ref="c-1")
    text = render_blocks(message.blocks) + safe_text(name)
    assert "evil" in text
    assert not {"\u202e", "\u2066", "\u200f", "\u061c"} & set(text)
