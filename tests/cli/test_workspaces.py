"""`python -m bot workspaces`: list, connect and disconnect, against a running instance too."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.e2e.test_oauth import CANDIDATE_ID, TOKEN_A
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.payloads import FULL
from tests.fakes.slack import CLIENT_ID, FakeSlack
from tests.harness import KEY_NEW, StartApp

pytestmark = pytest.mark.timeout(90)


def _workspaces(
    database_url: str, bindbee: FakeBindbee, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_CLIENT_ID": CLIENT_ID,
        "CONNECTOR_ENCRYPTION_KEYS": KEY_NEW,
        "DATABASE_URL": database_url,
        "BINDBEE_API_KEY": FakeBindbee.API_KEY,
        "BINDBEE_BASE_URL": bindbee.url,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "workspaces", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )


async def _run(
    database_url: str, bindbee: FakeBindbee, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(_workspaces, database_url, bindbee, *args, stdin=stdin)


async def test_connect_list_disconnect_and_a_running_instance_follows(
    start_oauth_app: StartApp, slack: FakeSlack, bindbee: FakeBindbee, database_url: str
) -> None:
    bindbee.add_connector(TOKEN_A)
    bindbee.add({**FULL, "id": CANDIDATE_ID, "first_name": "Acme-Ada"}, connector=TOKEN_A)
    app = await start_oauth_app()
    await app.install("T0ACME", installer="U0ANNA")
    await app.install("T0GLOBEX", installer="U0GUS")

    refused = await _run(database_url, bindbee, "connect", "T0ACME", stdin="wrong-token-1\n")
    assert refused.returncode == 1
    assert "refused the connector token" in refused.stderr
    assert "wrong-token-1" not in refused.stdout + refused.stderr

    connected = await _run(database_url, bindbee, "connect", "T0ACME", stdin=TOKEN_A + "\n")
    assert connected.returncode == 0, connected.stderr
    await app.command(CANDIDATE_ID, reply_to="on", team_id="T0ACME")
    assert "Acme-Ada" in str(await app.reply("on"))  # the running instance uses it at once

    listed = await _run(database_url, bindbee, "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("T0ACME  installed  connected since ")
    assert lines[0].endswith(" by operator")
    assert lines[1] == "T0GLOBEX  installed  not connected"
    assert TOKEN_A not in listed.stdout + listed.stderr

    gone = await _run(database_url, bindbee, "disconnect", "T0ACME")
    assert gone.returncode == 0
    assert gone.stdout.strip() == "T0ACME disconnected."
    after = await app.command(CANDIDATE_ID, reply_to="off", team_id="T0ACME")
    assert "not connected to an ATS yet" in after.text  # no cached connection outlives it


def test_bad_team_ids_and_missing_settings_get_clear_errors(
    bindbee: FakeBindbee, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'w.db'}"
    bad = _workspaces(database_url, bindbee, "connect", "not-a-team", stdin="x\n")
    assert bad.returncode == 2
    assert "team id" in bad.stderr
    empty = _workspaces(database_url, bindbee, "list")
    assert empty.stdout.strip() == "No workspace has installed the app yet."
    unset = subprocess.run(
        [sys.executable, "-m", "bot", "workspaces", "list"],
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert unset.returncode == 2
    assert "SLACK_CLIENT_ID: required but not set" in unset.stderr
    assert "Traceback" not in unset.stderr


def _in_process(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    bindbee: FakeBindbee,
    database_url: str,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    """`main(["workspaces", …])` in this process, as an operator's shell would run it."""
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEYS", KEY_NEW)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BINDBEE_API_KEY", FakeBindbee.API_KEY)
    monkeypatch.setenv("BINDBEE_BASE_URL", bindbee.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(["workspaces", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_every_action_in_process(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    bindbee: FakeBindbee,
    database_url: str,
) -> None:
    bindbee.add_connector(TOKEN_A)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        return _in_process(monkeypatch, capsys, bindbee, database_url, *args, stdin=stdin)

    assert run("list")[1] == "No workspace has installed the app yet.\n"
    status, _, err = run("connect", "T0ACME", stdin="bad token with spaces\n")
    assert status == 1
    assert "does not look like a connector token" in err
    status, out, _ = run("connect", "T0ACME", stdin=TOKEN_A + "\n")
    assert status == 0
    assert out == "T0ACME connected (the app is not installed there yet).\n"
    status, out, _ = run("list")
    assert out.startswith("T0ACME  not installed  connected since ")
    assert TOKEN_A not in out
    assert run("disconnect", "T0ACME")[1] == "T0ACME disconnected.\n"
    assert run("disconnect", "T0ACME")[1] == "T0ACME had no connection.\n"
    assert run("connect")[0] == 2  # no team id

    monkeypatch.delenv("BINDBEE_API_KEY")
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN_A))
    assert main(["workspaces", "connect", "T0ACME"]) == 2
    assert "BINDBEE_API_KEY is needed" in capsys.readouterr().err
