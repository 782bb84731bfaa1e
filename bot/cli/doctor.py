"""`python -m bot doctor`: check the settings, Slack and Bindbee, and print one line per check.

    ✓ passed      ✗ failed, with one indented line on how to fix it      – not checked, and why

    settings       ServeSettings: each problem, or one line per required setting
    manifest.yml   read from the working directory (with PyYAML, when installed)
    Slack          auth.test through SLACK_API_URL: is the bot token valid, for which team and bot
    scopes         the scopes Slack reports include those manifest.yml asks for
    Bindbee        one cheap request: are the API key and the connector token accepted
    link patterns  UNFURL_PATTERNS compile, and their domains are in manifest.yml's unfurl_domains
    Redis          when REDIS_URL is set: does it answer, its version, the round-trip time
    Open in ATS    ATS_PROFILE_URL, when set, is an https template with {remote_id}

A check that broken settings make impossible is reported as not checked, with the reason;
no check ever raises. Nothing printed holds a secret: settings problems name variables,
never values, and Slack's and Bindbee's answers are reduced to an error code or our words.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import aiohttp
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.ats.client import BindbeeClient
from bot.ats.errors import AtsError, AuthRefused, RateLimited, Unavailable
from bot.cli.terminal import emit, safe_text
from bot.config import LookupSettings, ServeSettings, Settings, SettingsError, oauth_mode_chosen
from bot.core.cards.text import one_line
from bot.core.links import BUILTIN_PATTERNS, PROFILE_TEMPLATES, LinkPattern, profile_url
from bot.slack.web import TOKEN_REFUSED_ERRORS, web_client
from bot.state.redis import RedisState, connect

MANIFEST = Path("manifest.yml")
REDIS_DOCTOR_TIMEOUT = 3.0  # seconds for each Redis call
SLACK_TIMEOUT = 10  # seconds for auth.test

_MARKS = {"pass": "✓", "fail": "✗", "skip": "–"}
_BINDBEE_URLS = "https://api.bindbee.dev, or https://api-eu.bindbee.dev for the EU region"

# How to fix a missing or malformed setting, by variable name.
_SETTING_FIXES = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your app's "
    "OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your app's Basic Information page, "
    "or set SLACK_APP_TOKEN to use Socket Mode",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write under "
    "Basic Information, or unset it to serve HTTP",
    "BINDBEE_API_KEY": "copy the API key from the Bindbee dashboard (Settings → API Key)",
    "BINDBEE_CONNECTOR_TOKEN": "copy the connector token from your ATS connector's Overview "
    "in the Bindbee dashboard",
    "BINDBEE_BASE_URL": f"use {_BINDBEE_URLS}",
    "SLACK_API_URL": "leave it unset (https://slack.com/api/) unless you run a fake Slack",
    "REDIS_URL": "redis://[:password@]host:port/db, rediss:// for TLS, or unix:///path",
    "UNFURL_PATTERNS": "one regular expression a line, each with one named group: "
    "(?P<id>…) or (?P<remote_id>…)",
    "ATS_PROFILE_URL": "an https URL with {remote_id} where the ATS's id goes, e.g. "
    f"{PROFILE_TEMPLATES['Greenhouse']} (the README lists Lever and Ashby too)",
}

Status = Literal["pass", "fail", "skip"]
_S = TypeVar("_S", bound=Settings)


@dataclass(frozen=True)
class Check:
    """The outcome of one check: a status, one line of text, and how to fix it when it failed."""

    status: Status
    text: str
    fix: str = ""

    def lines(self) -> list[str]:
        """The check as printed: a marked line, and an indented hint when there is one."""
        lines = [f"{_MARKS[self.status]} {self.text}"]
        return [*lines, f"    → {self.fix}"] if self.fix else lines


@dataclass(frozen=True)
class Manifest:
    """What doctor compares with the manifest: unfurl domains and bot scopes."""

    domains: tuple[str, ...]
    scopes: tuple[str, ...]


def passed(text: str) -> Check:
    """A check that passed."""
    return Check("pass", text)


def failed(text: str, fix: str) -> Check:
    """A check that failed, and how to fix it."""
    return Check("fail", text, fix)


def skipped(text: str, fix: str = "") -> Check:
    """A check that could not run, and why."""
    return Check("skip", text, fix)


async def run_doctor() -> int:
    """Run every check, print one line each, and return 1 if any failed, else 0."""
    checks = await diagnose()
    failures = sum(check.status == "fail" for check in checks)
    summary = f"{failures} check(s) failed." if failures else "All checks passed."
    lines = [safe_text(line) for check in checks for line in check.lines()]
    emit("\n".join([*lines, "", summary]))
    return 1 if failures else 0


async def diagnose(manifest_path: Path = MANIFEST) -> list[Check]:
    """Every check, in order; none of them raises."""
    if oauth_mode_chosen():
        return await _diagnose_oauth()
    settings_checks, unusable = check_settings()
    manifest_check, manifest = read_manifest(manifest_path)
    # Slack and Bindbee are independent: ask both at once.
    (slack_check, scopes), bindbee_check, redis_check = await asyncio.gather(
        check_slack(unusable), check_bindbee(unusable), check_redis(unusable)
    )
    return [
        *settings_checks,
        manifest_check,
        slack_check,
        check_scopes(scopes, manifest, slack_ok=slack_check.status == "pass"),
        bindbee_check,
        *check_links(unusable, manifest),
        *([redis_check] if redis_check else []),
        check_profile_url(unusable),
    ]


async def _diagnose_oauth() -> list[Check]:
    from bot.cli.doctor_oauth import check_oauth_settings, check_workspaces

    settings_checks, settings = check_oauth_settings()
    unusable = {check.text.split(":", 1)[0] for check in settings_checks if check.status == "fail"}
    return [
        *settings_checks,
        *await check_workspaces(settings),
        skipped("Slack and Bindbee tokens are per workspace: each request checks its own"),
        *check_links(unusable, None),
    ]


def check_settings() -> tuple[list[Check], set[str]]:
    """One ✗ per settings problem (or one ✓ per required setting), and the unusable names."""
    try:
        settings = ServeSettings.load()
    except SettingsError as exc:
        checks = [failed(problem, _setting_fix(problem)) for problem in exc.problems]
        return checks, {problem.split(":", 1)[0] for problem in exc.problems}
    required = ["SLACK_BOT_TOKEN", "BINDBEE_API_KEY", "BINDBEE_CONNECTOR_TOKEN"]
    checks = [passed(f"{name} is set") for name in required]
    if settings.socket_mode:
        return [*checks, passed("SLACK_APP_TOKEN is set (Socket Mode)")], set()
    return [*checks, passed("SLACK_SIGNING_SECRET is set (HTTP mode)")], set()


def read_manifest(path: Path) -> tuple[Check, Manifest | None]:
    """The unfurl domains and bot scopes of manifest.yml, or why they cannot be read."""
    if not path.is_file():
        where = path.resolve().parent
        return skipped(f"no {path.name} in {where}: scopes and link domains not compared"), None
    try:
        import yaml  # a dev dependency only: the app itself never needs it
    except ImportError:
        return skipped(f"PyYAML is not installed: {path.name} not read", "pip install pyyaml"), None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError) as exc:
        problem = f"{path.name} could not be read ({type(exc).__name__})"
        return failed(problem, "fix the file: it must be valid YAML"), None
    if not isinstance(data, dict):
        problem = f"{path.name} is not a Slack app manifest"
        return failed(problem, "start again from the manifest.yml that ships with the app"), None
    manifest = Manifest(
        domains=_strings(data, "features", "unfurl_domains"),
        scopes=_strings(data, "oauth_config", "scopes", "bot"),
    )
    counts = f"{len(manifest.domains)} unfurl domain(s), {len(manifest.scopes)} bot scope(s)"
    return passed(f"{path.name} read: {counts}"), manifest


async def check_slack(unusable: set[str]) -> tuple[Check, str | None]:
    """auth.test with the bot token; also the scopes Slack reports for it, when it does."""
    settings = _load(Settings, unusable, needs=("SLACK_BOT_TOKEN", "SLACK_API_URL"))
    if isinstance(settings, str):
        return skipped(f"Slack not checked: {settings}"), None
    if settings.slack_bot_token is None:
        return skipped("Slack not checked: SLACK_BOT_TOKEN is not set"), None
    url = str(settings.slack_api_url)
    token = settings.slack_bot_token.get_secret_value()
    client = web_client(token, url, timeout=SLACK_TIMEOUT)
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        return _slack_refusal(exc, url), None
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        problem = f"Slack could not be reached at {_host(url)} ({type(exc).__name__})"
        return failed(problem, "check the network, and SLACK_API_URL if you set it"), None
    except Exception as exc:  # doctor reports; it never crashes
        return _unexpected("Slack", exc), None
    team, bot = one_line(str(response.get("team"))), one_line(str(response.get("user")))
    scopes = _header(response.headers, "x-oauth-scopes")
    return passed(f"Slack accepts SLACK_BOT_TOKEN: team “{team}”, bot “{bot}”"), scopes


def check_scopes(granted: str | None, manifest: Manifest | None, *, slack_ok: bool) -> Check:
    """The scopes Slack reports for the token include every bot scope manifest.yml asks for."""
    if not slack_ok:
        return skipped("scopes not checked: auth.test did not succeed")
    if manifest is None:
        return skipped("scopes not compared: no manifest.yml (see above)")
    if granted is None:
        return skipped("scopes not compared: Slack did not report the token's scopes")
    have = {scope.strip() for scope in granted.split(",")}
    missing = [scope for scope in manifest.scopes if scope not in have]
    if missing:
        return failed(
            f"the bot token lacks scopes manifest.yml asks for: {', '.join(missing)}",
            "add them under OAuth & Permissions → Bot Token Scopes (or update the app from "
            "manifest.yml), then reinstall the app",
        )
    return passed(
        f"the bot token has the scopes manifest.yml asks for: {', '.join(manifest.scopes)}"
    )


async def check_bindbee(unusable: set[str]) -> Check:
    """One cheap request to Bindbee with the API key and the connector token."""
    needs = ("BINDBEE_API_KEY", "BINDBEE_CONNECTOR_TOKEN", "BINDBEE_BASE_URL")
    settings = _load(LookupSettings, unusable, needs=needs)
    if isinstance(settings, str):
        return skipped(f"Bindbee not checked: {settings}")
    host = _host(str(settings.bindbee_base_url))
    client = BindbeeClient.from_settings(settings)
    try:
        await client.check_credentials()
    except AtsError as error:
        return _bindbee_failure(error, host)
    except Exception as exc:  # doctor reports; it never crashes
        return _unexpected("Bindbee", exc)
    finally:
        await client.aclose()
    return passed(f"Bindbee accepts BINDBEE_API_KEY and BINDBEE_CONNECTOR_TOKEN ({host})")


async def check_redis(unusable: set[str]) -> Check | None:
    """When REDIS_URL is set: a PING (round-trip time) and the server's version."""
    settings = _load(Settings, unusable, needs=("REDIS_URL",))
    if isinstance(settings, str):
        return skipped(f"Redis not checked: {settings}")
    if settings.redis_url is None:
        return None  # state stays in this process: nothing to check
    url = settings.redis_url.get_secret_value()
    where = _redis_where(url)
    # Doctor may wait longer than a lookup would (REDIS_TIMEOUT): a first connection costs more.
    state = RedisState(connect(url, timeout=max(settings.redis_timeout, REDIS_DOCTOR_TIMEOUT)))
    try:
        started = time.monotonic()
        await state.client.ping()
        round_trip_ms = (time.monotonic() - started) * 1000  # fractions matter here
        version = await state.server_version()
        max_memory, policy = await state.eviction_policy()
    except (RedisError, OSError) as exc:
        return failed(
            f"Redis at {where} does not answer ({type(exc).__name__})",
            "check REDIS_URL and that this machine can reach the server; until then each "
            "instance runs on its own state (see README: Running several instances)",
        )
    except Exception as exc:  # doctor reports; it never crashes
        return _unexpected("Redis", exc)
    finally:
        await state.aclose()
    text = f"Redis {version} at {where} answers in {round_trip_ms:.1f} ms"
    if max_memory and policy == "noeviction":
        return failed(
            f"{text}, but with maxmemory-policy noeviction",
            "once Redis is full every write fails and each instance falls back to its own "
            "state: use volatile-lru (see README: Running several instances)",
        )
    limit = f"maxmemory-policy {policy}" if max_memory else "no maxmemory: keys go by their TTL"
    return passed(f"{text} ({limit})")


def _redis_where(url: str) -> str:
    """host:port/db of a Redis URL, without its user name or password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    try:
        port = parts.port or 6379
    except ValueError:
        port = 6379
    return f"{parts.scheme}://{parts.hostname or '?'}:{port}{parts.path or '/0'}"


def check_links(unusable: set[str], manifest: Manifest | None) -> list[Check]:
    """The link patterns compile, and each one's domain is in manifest.yml's unfurl_domains."""
    settings = _load(Settings, unusable, needs=("UNFURL_PATTERNS", "UNFURL_PATTERNS_MODE"))
    if isinstance(settings, str):
        return [skipped(f"link patterns not checked: {settings}")]
    patterns = settings.link_patterns()
    if not patterns:
        return [skipped("no link pattern is in force, so no link gets a preview")]
    builtin = sum(pattern in BUILTIN_PATTERNS for pattern in patterns)
    custom = len(patterns) - builtin
    checks = [
        passed(f"{len(patterns)} link pattern(s) compile: {builtin} built-in, {custom} custom")
    ]
    if manifest is None:
        return [*checks, skipped("link domains not compared: no manifest.yml (see above)")]
    return checks + _domain_checks(patterns, manifest.domains)


def check_profile_url(unusable: set[str]) -> Check:
    """ATS_PROFILE_URL: unset (no button), or a valid https template (checked when loaded)."""
    settings = _load(Settings, unusable, needs=("ATS_PROFILE_URL",))
    if isinstance(settings, str):
        return skipped(f"Open in ATS not checked: {settings}")
    template = settings.ats_profile_url
    if template is None:
        return skipped(
            "ATS_PROFILE_URL is not set, so cards have no Open in ATS button",
            f"to add one, set it, e.g. {PROFILE_TEMPLATES['Greenhouse']} (see the README)",
        )
    example = profile_url(template, "12345")
    return passed(f"ATS_PROFILE_URL is a valid https template: Open in ATS → {example}")


def _domain_checks(patterns: tuple[LinkPattern, ...], domains: tuple[str, ...]) -> list[Check]:
    """One ✗ per pattern whose domain the manifest lacks, a note per unknown domain, else ✓."""
    missing = [p for p in patterns if p.domain is not None and not _covered(p.domain, domains)]
    checks = [
        failed(
            f"link pattern “{p.name}” is for {p.domain}, not in manifest.yml's unfurl_domains",
            f"add {p.domain} under features.unfurl_domains in manifest.yml, then update the "
            "app's manifest in Slack and reinstall it",
        )
        for p in missing
    ]
    if not missing:
        checks.append(passed(f"every link domain is in manifest.yml: {', '.join(domains)}"))
    return checks + [
        skipped(
            f"link pattern “{p.name}”: its domain cannot be told from the regex, so it is not "
            "compared with manifest.yml",
            "begin it with https://<host>/ (dots escaped), or check unfurl_domains yourself",
        )
        for p in patterns
        if p.domain is None
    ]


def _slack_refusal(exc: SlackApiError, url: str) -> Check:
    code = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    if code in TOKEN_REFUSED_ERRORS:
        fix = _SETTING_FIXES["SLACK_BOT_TOKEN"] + "; reinstall the app if it was removed"
        return failed(f"Slack refused SLACK_BOT_TOKEN ({code})", fix)
    problem = f"Slack answered auth.test at {_host(url)} with an error ({code})"
    return failed(problem, _SETTING_FIXES["SLACK_API_URL"])


def _bindbee_failure(error: AtsError, host: str) -> Check:
    if isinstance(error, AuthRefused):
        return failed(
            error.detail or "Bindbee refused the credentials",
            "check BINDBEE_API_KEY (Bindbee dashboard → Settings → API Key) and "
            "BINDBEE_CONNECTOR_TOKEN (your ATS connector's Overview); a production key does "
            "not see development connectors",
        )
    if isinstance(error, RateLimited):
        return failed(
            f"Bindbee is rate-limiting us: try again in {error.retry_after_seconds} s",
            "wait; if it lasts, something else is spending this connector's rate limit",
        )
    if isinstance(error, Unavailable):
        return failed(
            f"Bindbee did not answer at {host}: {error.detail}",
            f"check the network, and BINDBEE_BASE_URL ({_BINDBEE_URLS})",
        )
    return failed(
        f"Bindbee at {host} did not answer as Bindbee does: {error.detail or error.kind}",
        f"check that BINDBEE_BASE_URL is Bindbee's API ({_BINDBEE_URLS})",
    )


def _load(kind: type[_S], unusable: set[str], *, needs: tuple[str, ...]) -> _S | str:
    """The settings a check needs, or why that check cannot run.

    Settings that are unusable but not needed fall back to their defaults, so that a bad
    UNFURL_PATTERNS, say, does not keep doctor from checking Slack.
    """
    blocked = [name for name in needs if name in unusable]
    if blocked:
        return f"{' and '.join(blocked)} not usable (see above)"
    defaults = {
        name.lower(): Settings.model_fields[name.lower()].default
        for name in unusable
        if name.lower() in Settings.model_fields
    }
    try:
        return kind.load(**defaults)
    except SettingsError:
        return "the settings could not be read (see above)"


def _setting_fix(problem: str) -> str:
    name = problem.split(":", 1)[0]
    if name not in _SETTING_FIXES:
        return "see the settings table in the README"
    return f"{_SETTING_FIXES[name]}; settings come from the environment or .env"


def _strings(data: dict[str, Any], *path: str) -> tuple[str, ...]:
    """The list of strings at `path` in the manifest, or () when it is missing or malformed."""
    node: object = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    items = node if isinstance(node, list) else []
    return tuple(item.strip() for item in items if isinstance(item, str) and item.strip())


def _covered(domain: str, registered: tuple[str, ...]) -> bool:
    # A registered domain also covers its subdomains:
    # https://api.slack.com/reference/messaging/link-unfurling
    return any(domain == entry or domain.endswith("." + entry) for entry in registered)


def _header(headers: Any, name: str) -> str | None:
    """A response header by name, whatever its case (slack_sdk passes aiohttp's headers on)."""
    items = headers.items() if hasattr(headers, "items") else []
    return next((str(value) for key, value in items if str(key).lower() == name), None)


def _host(url: str) -> str:
    """Host and port only: a URL may carry credentials, which are never printed."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _unexpected(what: str, exc: Exception) -> Check:
    problem = f"the {what} check failed unexpectedly ({type(exc).__name__})"
    return failed(problem, "run it again; if it keeps failing, report it")
