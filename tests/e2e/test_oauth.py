"""OAuth mode end to end: install, connect, look up, keep workspaces apart, uninstall.

Every test runs against SQLite and against a real PostgreSQL (`database_url`), with the
real app on a free port and the fake Slack and Bindbee behind it.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
import redis.asyncio
from sqlalchemy import text

from bot.core.cards import SHARE_ACTION_ID
from bot.core.cards.workspace import CONNECT_ACTION_ID, TOKEN_BLOCK_ID
from bot.logs import quiet_libraries
from bot.tenancy.tenants import ManyTenants
from bot.tenancy.workspaces import Workspaces
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.fakes.slack import CLIENT_ID, FakeSlack
from tests.harness import RunningApp, StartApp
from tests.slack_requests import FORM, home_button_body, link_shared_event

pytestmark = pytest.mark.timeout(60)

CANDIDATE_ID = "018b18ef-c487-703c-afd9-0ca478ccd9d6"
TOKEN_A = "connector-token-of-acme"
TOKEN_B = "connector-token-of-globex"


def _workspaces(app: RunningApp) -> Workspaces:
    workspaces = app.server.app_context.workspaces
    assert workspaces is not None
    return workspaces


def _text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


async def test_install_round_trip_stores_the_installation(
    start_oauth_app: StartApp, slack: FakeSlack
) -> None:
    app = await start_oauth_app()
    page, state = await app.install_page()
    assert page.status_code == 200
    assert "slack.com/oauth/v2/authorize" in page.text
    assert f"client_id={CLIENT_ID}" in page.text
    assert f"state={state}" in page.text
    assert "users%3Aread" in page.text or "users:read" in page.text

    workspace = slack.add_workspace("T0ACME", installer="U0ANNA")
    done = await app.oauth_callback(workspace.code, state)

    assert done.status_code == 200
    assert len(slack.calls_to("/api/oauth.v2.access")) == 1  # through SLACK_API_URL
    workspaces = _workspaces(app)
    assert await workspaces.is_installed("T0ACME")
    assert await workspaces.installer("T0ACME") == "U0ANNA"


async def test_a_bad_or_replayed_state_installs_nothing(
    start_oauth_app: StartApp, slack: FakeSlack
) -> None:
    app = await start_oauth_app()
    workspace = slack.add_workspace("T0ACME")
    _, state = await app.install_page()

    forged = await app.oauth_callback(workspace.code, "not-a-state-we-issued")
    assert forged.status_code == 401
    assert slack.calls_to("/api/oauth.v2.access") == []

    assert (await app.oauth_callback(workspace.code, state)).status_code == 200
    replayed = await app.oauth_callback(workspace.code, state)  # the state is used up
    assert replayed.status_code == 401
    assert len(slack.calls_to("/api/oauth.v2.access")) == 1
    assert await _workspaces(app).installed_teams() == ["T0ACME"]


async def test_the_callback_may_land_on_another_instance(
    start_oauth_app: StartApp, slack: FakeSlack
) -> None:
    first, second = await start_oauth_app(), await start_oauth_app()
    workspace = slack.add_workspace("T0ACME", installer="U0ANNA")
    _, state = await first.install_page()

    done = await second.oauth_callback(workspace.code, state)

    assert done.status_code == 200
    assert await _workspaces(first).installer("T0ACME") == "U0ANNA"


async def _connect(app: RunningApp, team_id: str, token: str, user_id: str) -> None:
    response = await app.submit_token(token, user_id=user_id, team_id=team_id)
    assert response.status_code == 200
    assert response.text == ""  # an empty ack closes the modal: connected


def _two_connectors(bindbee: FakeBindbee) -> None:
    bindbee.add_connector(TOKEN_A)
    bindbee.add_connector(TOKEN_B)
    bindbee.add({**FULL, "id": CANDIDATE_ID, "first_name": "Acme-Ada"}, connector=TOKEN_A)
    bindbee.add({**FULL, "id": CANDIDATE_ID, "first_name": "Globex-Greta"}, connector=TOKEN_B)


async def test_two_workspaces_each_get_their_own_connectors_answer(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    _two_connectors(bindbee)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await app.install("T0GLOBEX", installer="U0GUS")
    await _connect(app, "T0ACME", TOKEN_A, "U0ANNA")
    await _connect(app, "T0GLOBEX", TOKEN_B, "U0GUS")
    bindbee.clear()

    for round_ in (1, 2):  # the second round is served from each connector's own cache
        await app.command(CANDIDATE_ID, reply_to=f"acme{round_}", team_id="T0ACME")
        await app.command(CANDIDATE_ID, reply_to=f"globex{round_}", team_id="T0GLOBEX")
        acme = _text(await app.reply(f"acme{round_}"))
        globex = _text(await app.reply(f"globex{round_}"))
        assert "Acme-Ada" in acme
        assert "Globex-Greta" not in acme
        assert "Globex-Greta" in globex
        assert "Acme-Ada" not in globex

    # One request per connector, each with its own token: the cache did not cross over.
    tokens = [request.headers["x-connector-token"] for request in bindbee.candidate_requests]
    assert sorted(tokens) == [TOKEN_A, TOKEN_B]
    tenants = app.server.app_context.tenants
    assert isinstance(tenants, ManyTenants)
    keys = tenants.connector_keys()
    assert len(keys) == 2
    assert all(TOKEN_A not in key and TOKEN_B not in key for key in keys)


async def test_unfurls_use_each_workspaces_own_bot_token(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    _two_connectors(bindbee)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await app.install("T0GLOBEX", installer="U0GUS")
    await _connect(app, "T0ACME", TOKEN_A, "U0ANNA")
    await _connect(app, "T0GLOBEX", TOKEN_B, "U0GUS")
    url = f"https://app.greenhouse.io/people/{FULL['remote_id']}"

    await app.event(link_shared_event([url]), event_id="Ev1", team_id="T0ACME")
    await app.event(link_shared_event([url]), event_id="Ev1", team_id="T0GLOBEX")

    calls = await slack.wait_for_async("/api/chat.unfurl", 2)
    by_token = {call.headers["Authorization"]: _text(call.body) for call in calls}
    assert "Acme-Ada" in by_token["Bearer xoxb-t0acme-bot-token"]
    assert "Globex-Greta" in by_token["Bearer xoxb-t0globex-bot-token"]


async def test_an_admin_connects_with_a_good_token_and_the_home_tab_says_so(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    bindbee.add_connector(TOKEN_A)
    slack.admins.add("U0ADMIN")
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")

    # An admin (not the installer) opens the modal from the command...
    await app.command("setup", team_id="T0ACME", user_id="U0ADMIN", trigger_id="77.88.trig")
    opened = await slack.wait_for_async("/api/views.open")
    assert opened[0].body["trigger_id"] == "77.88.trig"
    view = opened[0].body["view"]
    assert view["type"] == "modal"
    inputs = [block for block in view["blocks"] if block["type"] == "input"]
    assert [block["element"]["type"] for block in inputs] == ["plain_text_input"]

    # ...and submits a token Bindbee accepts.
    await _connect(app, "T0ACME", TOKEN_A, "U0ADMIN")
    published = await slack.wait_for_async("/api/views.publish")
    home = _text(published[-1].body)
    assert "connected to its ATS since <!date^" in home
    assert "<@U0ADMIN>" in home
    assert TOKEN_A not in home
    connection = await _workspaces(app).connection("T0ACME")
    assert connection is not None
    assert connection.info.connected_by == "U0ADMIN"


async def test_a_refused_token_answers_with_errors_on_the_token_field(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")

    response = await app.submit_token(
        "not-a-connector-bindbee-knows", user_id="U0ANNA", team_id="T0ACME"
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert "refused the connector token" in answer["errors"][TOKEN_BLOCK_ID]
    assert "not-a-connector" not in response.text
    assert await _workspaces(app).connection("T0ACME") is None


async def test_someone_who_may_not_connect_gets_told_who_can_and_no_modal(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    bindbee.add_connector(TOKEN_A)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")

    refused = await app.command("setup", team_id="T0ACME", user_id="U0BOB")
    assert "Only <@U0ANNA> (who installed the app) or a workspace admin" in refused.text
    assert slack.calls_to("/api/views.open") == []

    # Submitting anyway (a modal opened before a role change) is refused on submit too.
    submitted = await app.submit_token(TOKEN_A, user_id="U0BOB", team_id="T0ACME")
    assert submitted.json()["response_action"] == "errors"
    assert await _workspaces(app).connection("T0ACME") is None

    # The Home tab shows no button to them, only who can connect.
    await app.event({"type": "app_home_opened", "user": "U0BOB", "tab": "home"}, team_id="T0ACME")
    home = _text((await slack.wait_for_async("/api/views.publish"))[-1].body)
    assert CONNECT_ACTION_ID not in home
    assert "Only <@U0ANNA>" in home


async def test_the_home_button_opens_the_modal_for_the_installer(
    start_oauth_app: StartApp, slack: FakeSlack
) -> None:
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await app.event({"type": "app_home_opened", "user": "U0ANNA", "tab": "home"}, team_id="T0ACME")
    home = _text((await slack.wait_for_async("/api/views.publish"))[-1].body)
    assert CONNECT_ACTION_ID in home
    assert "not connected to an ATS yet" in home

    await app.post(home_button_body(CONNECT_ACTION_ID, user_id="U0ANNA", team_id="T0ACME"), FORM)

    opened = await slack.wait_for_async("/api/views.open")
    assert opened[0].body["trigger_id"] == "2222.3333.home"
    assert opened[0].headers["Authorization"] == "Bearer xoxb-t0acme-bot-token"


async def test_installed_but_not_connected_says_so_and_does_not_unfurl(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")

    answer = await app.command(CANDIDATE_ID, team_id="T0ACME")
    assert "not connected to an ATS yet" in answer.text
    assert "<@U0ANNA>" in answer.text

    url = f"https://app.greenhouse.io/people/{FULL['remote_id']}"
    await app.event(link_shared_event([url]), event_id="Ev9", team_id="T0ACME")
    await app.command("help", reply_to="after", team_id="T0ACME")  # a later request, as a fence
    assert slack.calls_to("/api/chat.unfurl") == []
    assert bindbee.requests == []


async def test_a_team_that_is_not_installed_gets_no_data(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    bindbee.add({**FULL, "id": CANDIDATE_ID})
    app = await start_oauth_app()

    answer = await app.command(CANDIDATE_ID, reply_to="stranger", team_id="T0STRANGER")

    assert answer.status_code == 200
    told = _text(await app.reply("stranger"))
    assert "install" in told.lower()
    assert FULL["first_name"] not in told + answer.text
    assert bindbee.requests == []


@pytest.mark.parametrize("event_type", ["app_uninstalled", "tokens_revoked"])
async def test_uninstall_deletes_the_installation_and_the_connection(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee, event_type: str
) -> None:
    bindbee.add_connector(TOKEN_A)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await _connect(app, "T0ACME", TOKEN_A, "U0ANNA")
    event: dict[str, Any] = {"type": event_type}
    if event_type == "tokens_revoked":
        event["tokens"] = {"bot": ["U0BOTT0ACME"]}

    assert (await app.event(event, event_id="EvGone", team_id="T0ACME")).status_code == 200

    workspaces = _workspaces(app)
    assert not await workspaces.is_installed("T0ACME")
    assert await workspaces.connection("T0ACME") is None
    assert await workspaces.overview() == []
    bindbee.clear()
    await app.command(CANDIDATE_ID, reply_to="gone", team_id="T0ACME")
    assert "install" in _text(await app.reply("gone")).lower()
    assert bindbee.requests == []


async def test_key_rotation_keeps_connections_and_moves_them_to_the_new_key(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    from tests.harness import KEY_NEW, KEY_OLD

    bindbee.add_connector(TOKEN_A)
    bindbee.add({**FULL, "id": CANDIDATE_ID, "first_name": "Acme-Ada"}, connector=TOKEN_A)
    before = await start_oauth_app(connector_encryption_keys=KEY_OLD)
    await before.install("T0ACME", installer="U0ANNA")
    await _connect(before, "T0ACME", TOKEN_A, "U0ANNA")
    await before.server.stop()

    # New key first, old key still listed: the start re-seals every token with the new one.
    await (await start_oauth_app(connector_encryption_keys=f"{KEY_NEW},{KEY_OLD}")).server.stop()
    # So the old key can go.
    after = await start_oauth_app(connector_encryption_keys=KEY_NEW)
    await after.command(CANDIDATE_ID, reply_to="rotated", team_id="T0ACME")
    assert "Acme-Ada" in _text(await after.reply("rotated"))


async def test_tokens_never_reach_the_logs(
    start_oauth_app: StartApp,
    slack: FakeSlack,
    bindbee: FakeBindbee,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_libraries()  # as configure_logging does when the app starts
    _two_connectors(bindbee)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await _connect(app, "T0ACME", TOKEN_A, "U0ANNA")
    await app.submit_token("refused-token-value", user_id="U0ANNA", team_id="T0ACME")
    await app.command(CANDIDATE_ID, reply_to="logged", team_id="T0ACME")
    await app.reply("logged")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (TOKEN_A, "refused-token-value", "xoxb-t0acme-bot-token"):
        assert secret not in logged


async def test_a_slow_bindbee_still_gets_the_modal_an_answer_within_3_s(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    bindbee.add_connector(TOKEN_A)
    bindbee.delay(10)  # the check's one request would take 10 s
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")

    started = time.monotonic()
    response = await app.submit_token(TOKEN_A, user_id="U0ANNA", team_id="T0ACME")
    elapsed = time.monotonic() - started

    assert elapsed < 3.0  # Slack's limit for answering a view_submission
    assert response.json()["response_action"] == "errors"
    assert "did not answer in time" in response.json()["errors"][TOKEN_BLOCK_ID]
    assert await _workspaces(app).connection("T0ACME") is None


async def test_slack_refusing_a_view_still_gets_an_answer(
    start_oauth_app: StartApp, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    slack.failing["views.open"] = "expired_trigger_id"
    slack.failing["views.publish"] = "not_enabled"

    answer = await app.command("setup", team_id="T0ACME", user_id="U0ANNA")
    assert "Sorry, something went wrong" in answer.text
    home = await app.event(
        {"type": "app_home_opened", "user": "U0ANNA", "tab": "home"}, team_id="T0ACME"
    )
    assert home.status_code == 200
    assert "views.publish team=T0ACME failed: not_enabled" in caplog.text


async def test_share_after_a_disconnect_says_the_workspace_is_not_connected(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    _two_connectors(bindbee)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await _connect(app, "T0ACME", TOKEN_A, "U0ANNA")
    await app.action(SHARE_ACTION_ID, CANDIDATE_ID, reply_to="shared", team_id="T0ACME")
    assert "Acme-Ada" in _text(await app.reply("shared"))

    await _workspaces(app).connections.delete("T0ACME")
    await app.action(
        SHARE_ACTION_ID,
        CANDIDATE_ID,
        reply_to="unshared",
        team_id="T0ACME",
        message_ts="1700000000.000900",  # another card: the first one was shared already
    )

    told = _text(await app.reply("unshared"))
    assert "not connected to an ATS yet" in told
    assert "Acme-Ada" not in told


async def test_a_failing_database_gives_the_installer_a_plain_page_and_logs_no_token(
    start_oauth_app: StartApp, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    app = await start_oauth_app()
    async with _workspaces(app).engine.begin() as conn:
        await conn.execute(text("DROP TABLE slack_installations"))

    done = await app.install("T0ACME")

    assert done.status_code == 500
    assert done.text == "The installation failed. Try again later."
    assert "xoxb-t0acme-bot-token" not in caplog.text


async def test_in_redis_each_connector_has_keys_of_its_own_without_its_token(
    start_oauth_app: StartApp,
    slack: FakeSlack,
    bindbee: FakeBindbee,
    redis_url: str,
    redis_prefix: str,
) -> None:
    _two_connectors(bindbee)
    app = await start_oauth_app(redis_url=redis_url, redis_key_prefix=redis_prefix)
    await app.install("T0ACME", installer="U0ANNA")
    await app.install("T0GLOBEX", installer="U0GUS")
    await _connect(app, "T0ACME", TOKEN_A, "U0ANNA")
    await _connect(app, "T0GLOBEX", TOKEN_B, "U0GUS")

    await app.command(CANDIDATE_ID, reply_to="acme", team_id="T0ACME")
    await app.command(CANDIDATE_ID, reply_to="globex", team_id="T0GLOBEX")
    assert "Acme-Ada" in _text(await app.reply("acme"))
    assert "Globex-Greta" in _text(await app.reply("globex"))

    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        names = [key.decode() async for key in client.scan_iter(match=f"{redis_prefix}:*")]
    finally:
        await client.aclose()
    cached = [name for name in names if f":cache:id:{CANDIDATE_ID}" in name]
    tenants = {name.split(":")[1] for name in cached}
    assert len(tenants) == 2  # one cache entry per connector, the same id in both
    assert not any(TOKEN_A in name or TOKEN_B in name for name in names)
