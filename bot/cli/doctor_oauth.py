"""`python -m bot doctor` in OAuth mode (SLACK_CLIENT_ID set): the checks that mode needs.

    settings         OAuthSettings: each problem, or one line per required setting
    database         DATABASE_URL answers (shown without its password)
    encryption keys  every stored connector token opens with CONNECTOR_ENCRYPTION_KEYS
    workspaces       how many are installed, and how many of those are connected
    link patterns    as in single-workspace mode

Bot tokens and connector tokens are per workspace, so doctor checks none of them against
Slack or Bindbee; each request does. Nothing printed holds a secret.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.doctor import Check, failed, passed, skipped
from bot.config import OAuthSettings, SettingsError
from bot.tenancy.database import describe
from bot.tenancy.workspaces import Workspaces

DATABASE_SECONDS = 10

_FIXES = {
    "SLACK_CLIENT_ID": "copy the Client ID from your app's Basic Information page",
    "SLACK_CLIENT_SECRET": "copy the Client Secret from your app's Basic Information page",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your app's Basic Information page",
    "BINDBEE_API_KEY": "copy the API key from the Bindbee dashboard (Settings → API Key)",
    "CONNECTOR_ENCRYPTION_KEYS": "make one with python -c 'from cryptography.fernet import "
    "Fernet; print(Fernet.generate_key().decode())'; list keys newest first, comma-separated",
    "DATABASE_URL": "use sqlite:///path/to/file.db or postgresql://user:pass@host:5432/db",
    "SLACK_APP_TOKEN": "unset it: OAuth mode serves HTTP (Socket Mode cannot install)",
}


def check_oauth_settings() -> tuple[list[Check], OAuthSettings | None]:
    """One ✗ per problem of the OAuth settings, or one ✓ per required setting."""
    try:
        settings = OAuthSettings.load()
    except SettingsError as exc:
        checks = [
            failed(problem, _FIXES.get(problem.split(":", 1)[0], "see the README's settings"))
            for problem in exc.problems
        ]
        return checks, None
    names = ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET", "BINDBEE_API_KEY"]
    keys = len(settings.encryption_keys())
    return [
        passed("OAuth mode: SLACK_CLIENT_ID is set"),
        *[passed(f"{name} is set") for name in names[1:]],
        passed(f"CONNECTOR_ENCRYPTION_KEYS holds {keys} key(s); new tokens use the first"),
    ], settings


async def check_workspaces(settings: OAuthSettings | None) -> list[Check]:
    """The database, the keys against the stored tokens, and the count of workspaces."""
    if settings is None:
        return [skipped("database and workspaces not checked: the settings are not usable")]
    where = describe(settings.database_url.get_secret_value())
    workspaces = Workspaces.from_settings(settings)
    try:
        async with workspaces.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        await workspaces.aclose()
        problem = f"the database at {where} does not answer ({type(exc).__name__})"
        return [failed(problem, _FIXES["DATABASE_URL"])]
    try:
        return [passed(f"the database answers at {where}"), *await _counts(workspaces)]
    except SQLAlchemyError:
        return [
            passed(f"the database answers at {where}"),
            skipped("no tables yet: the app creates them when it starts"),
        ]
    finally:
        await workspaces.aclose()


async def _counts(workspaces: Workspaces) -> list[Check]:
    overview = await workspaces.overview()
    installed = [status for status in overview if status.installed]
    connected = [status for status in installed if status.connection is not None]
    unreadable = [
        status.team_id
        for status in overview
        if status.connection is not None and await workspaces.connection(status.team_id) is None
    ]
    keys = (
        failed(
            f"no key in CONNECTOR_ENCRYPTION_KEYS opens the connection of {', '.join(unreadable)}",
            "put back the key they were sealed with (any position), or connect them again",
        )
        if unreadable
        else passed("every stored connector token opens with CONNECTOR_ENCRYPTION_KEYS")
    )
    counts = passed(
        f"{len(installed)} workspace(s) installed, {len(connected)} of them connected to an ATS"
    )
    return [keys, counts]
