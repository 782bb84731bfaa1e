"""A printed walk through OAuth mode against the fakes: `python -m tests.e2e.walkthrough`.

Installs two workspaces, connects each to its own connector, looks the same candidate id up
from both, uninstalls one and looks again. Every step goes over real HTTP: the browser's
install round trip, signed Slack requests, the fake Slack and Bindbee.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

import httpx

from bot.slack.server import Server
from tests.e2e.test_oauth import CANDIDATE_ID, TOKEN_A, TOKEN_B
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.fakes.slack import FakeSlack
from tests.harness import RunningApp, oauth_settings_for


def _say(line: str) -> None:
    print(line, flush=True)


def _card_name(payload: dict[str, object]) -> str:
    text = json.dumps(payload)
    for name in ("Acme-Ada", "Globex-Greta"):
        if name in text:
            return f"card of {name}"
    return str(payload.get("text", ""))[:120]


async def walk(database_url: str, slack: FakeSlack, bindbee: FakeBindbee) -> None:
    """Run the walkthrough against the running fakes."""
    bindbee.add_connector(TOKEN_A)
    bindbee.add_connector(TOKEN_B)
    bindbee.add({**FULL, "id": CANDIDATE_ID, "first_name": "Acme-Ada"}, connector=TOKEN_A)
    bindbee.add({**FULL, "id": CANDIDATE_ID, "first_name": "Globex-Greta"}, connector=TOKEN_B)
    server = Server(oauth_settings_for(slack, bindbee, database_url))
    await server.start()
    _say(f"app in OAuth mode on port {server.port}, DATABASE_URL={database_url}")
    try:
        async with httpx.AsyncClient(timeout=15) as http:
            app = RunningApp(server, slack, http)
            for team, installer in (("T0ACME", "U0ANNA"), ("T0GLOBEX", "U0GUS")):
                page, _ = await app.install_page()
                done = await app.install(team, installer=installer)
                _say(
                    f"install {team}: GET /slack/install → {page.status_code}, "
                    f"GET /slack/oauth_redirect → {done.status_code}"
                )
            for team, user, token in (
                ("T0ACME", "U0ANNA", TOKEN_A),
                ("T0GLOBEX", "U0GUS", TOKEN_B),
            ):
                answer = await app.submit_token(token, user_id=user, team_id=team)
                shown = f"{answer.status_code} {answer.text!r}"
                _say(f"connect {team} as {user}: view_submission → {shown}")
            refused = await app.submit_token(
                "a-token-bindbee-refuses", user_id="U0ANNA", team_id="T0ACME"
            )
            _say(f"connect T0ACME with a refused token → {refused.json()}")
            bindbee.clear()
            for team in ("T0ACME", "T0GLOBEX"):
                await app.command(CANDIDATE_ID, reply_to=team, team_id=team)
                _say(f"/candidate {CANDIDATE_ID} from {team} → {_card_name(await app.reply(team))}")
            tokens = sorted({r.headers["x-connector-token"] for r in bindbee.requests})
            _say(f"connector tokens Bindbee saw: {len(tokens)} distinct, one per workspace")
            gone = await app.event({"type": "app_uninstalled"}, team_id="T0GLOBEX")
            _say(f"app_uninstalled from T0GLOBEX → {gone.status_code}")
            workspaces = server.app_context.workspaces
            assert workspaces is not None
            for status in await workspaces.overview():
                _say(
                    f"  directory: {status.team_id} installed={status.installed} "
                    f"connected={status.connection is not None}"
                )
            before = len(bindbee.requests)
            await app.command(CANDIDATE_ID, reply_to="after", team_id="T0GLOBEX")
            told = _card_name(await app.reply("after"))
            made = len(bindbee.requests) - before
            _say(f"/candidate from T0GLOBEX after uninstall → {told!r}; Bindbee requests: {made}")
            await app.command(CANDIDATE_ID, reply_to="acme2", team_id="T0ACME")
            _say(f"/candidate from T0ACME still → {_card_name(await app.reply('acme2'))}")
    finally:
        await server.stop()


def main() -> int:
    """Run the walkthrough on SQLite, or on the database URL given as the first argument."""
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as slack, FakeBindbee() as bindbee:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(folder) / 'walk.db'}"
        asyncio.run(walk(url, slack, bindbee))
    return 0


if __name__ == "__main__":
    sys.exit(main())
