"""Settings, read from the environment and from `.env` in the working directory.

Levels, because each command needs a different part:

    Settings           everything optional: enough for `preview --demo` and `doctor`
    LookupSettings     + the Bindbee credentials: enough for `preview <id>`
    ServeSettings      + the Slack credentials: enough to serve one workspace
    WorkspaceSettings  + the OAuth client id and the encryption keys: enough for
                       `workspaces` (the installations and connections in DATABASE_URL)
    OAuthSettings      + the client secret, signing secret and API key: enough to serve
                       many workspaces (OAuth mode, chosen by setting SLACK_CLIENT_ID)

A missing or malformed value becomes one `SettingsError` that lists every problem at
once, by variable name, and never repeats a value (a typo in a token is still a token).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.links import LinkPattern, check_profile_template, parse_patterns


class PatternsMode(StrEnum):
    """How `UNFURL_PATTERNS` combines with the built-in link patterns."""

    EXTEND = "extend"
    REPLACE = "replace"


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

Seconds = Annotated[float, Field(gt=0, le=600)]

# manifest-oauth.yml's bot scopes: manifest.yml's, and users:read, which lets the app tell
# workspace admins and owners (users.info) in OAuth mode.
DEFAULT_SCOPES = (
    "commands,links:read,links:write,channels:read,groups:read,im:read,mpim:read,users:read"
)
DEFAULT_DATABASE_URL = "sqlite:///candidate-lookup.db"


class Settings(BaseSettings):
    """Every setting the app knows, all optional; see README for the table."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,
        # Each settings class is built when first used: a process uses one or two of them,
        # and building all six cost about 2 MB of memory in every process.
        defer_build=True,
    )

    slack_bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-…).")
    slack_app_token: SecretStr | None = Field(
        None, description="App-level token (xapp-…); when set, the app runs in Socket Mode."
    )
    slack_signing_secret: SecretStr | None = Field(
        None, description="Verifies that HTTP requests come from Slack.", validate_default=True
    )
    slack_api_url: AnyHttpUrl = Field(
        AnyHttpUrl("https://slack.com/api/"), description="Slack Web API base URL."
    )

    slack_client_id: str | None = Field(
        None, description="OAuth client id; when set, the app serves many workspaces."
    )
    slack_client_secret: SecretStr | None = Field(None, description="OAuth client secret.")
    slack_scopes: str = Field(
        DEFAULT_SCOPES, description="Bot scopes asked for at install, comma-separated."
    )
    slack_redirect_uri: AnyHttpUrl | None = Field(
        None, description="OAuth redirect URL; unset: the one in the app's settings."
    )
    database_url: SecretStr = Field(
        SecretStr(DEFAULT_DATABASE_URL),
        description="Installations and connections (sqlite:///… or postgresql://…).",
    )
    connector_encryption_keys: SecretStr | None = Field(
        None, description="Fernet keys for connector tokens, comma-separated, newest first."
    )

    bindbee_api_key: SecretStr | None = Field(None, description="Bindbee organisation API key.")
    bindbee_connector_token: SecretStr | None = Field(
        None, description="Bindbee connector token naming the linked ATS."
    )
    bindbee_base_url: AnyHttpUrl = Field(
        AnyHttpUrl("https://api.bindbee.dev"), description="Bindbee API base URL."
    )
    bindbee_connect_timeout: Seconds = Field(2.0, description="Seconds to open a connection.")
    bindbee_read_timeout: Seconds = Field(5.0, description="Seconds to wait for a response.")
    bindbee_max_attempts: int = Field(3, ge=1, le=10, description="Tries per request.")
    bindbee_rate_limit: int = Field(
        200, ge=1, le=100_000, description="Requests a minute per connector."
    )
    bindbee_user_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Most of a minute's Bindbee budget one Slack user may use (0.5 = half).",
    )
    lookup_deadline: Seconds = Field(
        8.0, description="Seconds one lookup may take in all, retries and waits included."
    )
    bindbee_max_body_bytes: int = Field(
        2_000_000,
        ge=10_000,
        le=100_000_000,
        description="Longest Bindbee response body read, in bytes; longer is a bad response.",
    )

    cache_ttl: float = Field(
        60.0, ge=0, le=86_400, description="Seconds to keep a lookup; 0 = off."
    )
    cache_size: int = Field(1000, ge=1, le=1_000_000, description="Lookups kept at most.")
    cache_max_bytes: int = Field(
        20_000_000,
        ge=0,
        le=10_000_000_000,
        description="Bytes the cache may hold at most (each entry counted as its JSON size).",
    )
    reference_cache_ttl: float = Field(
        600.0,
        ge=0,
        le=86_400,
        description="Seconds to keep jobs, stages and reject reasons; 0 = off.",
    )
    ats_profile_url: str | None = Field(
        None,
        description="https URL template with {remote_id} for the Open in ATS button; unset: none.",
    )

    redis_url: SecretStr | None = Field(
        None, description="Redis for state shared by several instances; unset: in-process."
    )
    redis_key_prefix: str = Field(
        "candidate-lookup", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Prefix of every key."
    )
    # 1 s, not less: under a burst of a few hundred lookups our own busy event loop reads a
    # Redis answer late, and a shorter timeout sent healthy instances to their local budgets.
    redis_timeout: float = Field(
        1.0, gt=0, le=10, description="Seconds a lookup waits on Redis at most per call."
    )
    redis_fallback_share: float = Field(
        0.5, gt=0, le=1, description="Share of the rate limit an instance uses without Redis."
    )

    privacy_strict: bool = Field(
        False, description="Treat an unknown is_private/can_email as private/do-not-email."
    )
    unfurl_patterns: str = Field("", description="Extra link patterns, one regex a line.")
    unfurl_patterns_mode: PatternsMode = Field(
        PatternsMode.EXTEND,
        description="extend: add to the built-in patterns; replace: only yours.",
    )
    unfurl_external_channels: bool = Field(
        False, description="Unfurl in channels shared with other organisations (Slack Connect)."
    )

    host: str = Field("0.0.0.0", description="Interface to bind in HTTP mode.")  # noqa: S104
    port: int = Field(3000, ge=0, le=65535, description="HTTP port (0 picks a free one).")
    shutdown_grace: Seconds = Field(
        10.0, description="Seconds to let work in flight finish on SIGTERM."
    )
    log_level: str = Field("INFO", pattern=r"(?i)^(DEBUG|INFO|WARNING|ERROR)$")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _check_prefix(value, "xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _check_prefix(value, "xapp-")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(_REDIS_SCHEMES):
            raise PydanticCustomError("redis_url", "must start with redis://, rediss:// or unix://")
        return value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not _CLIENT_ID.fullmatch(value):
            raise PydanticCustomError("client_id_shape", "must look like 1234567890.1234567890")
        return value

    @field_validator("slack_scopes")
    @classmethod
    def _scopes_shape(cls, value: str) -> str:
        scopes = [scope.strip() for scope in value.split(",")]
        if not all(_SCOPE.fullmatch(scope) for scope in scopes):
            raise PydanticCustomError("scopes_shape", "must be scope names, comma-separated")
        return ",".join(scopes)

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: SecretStr) -> SecretStr:
        if not issubclass(cls, WorkspaceSettings):
            return value  # unused by one workspace alone, which need not load SQLAlchemy
        from bot.tenancy.database import async_url  # the one place that knows the schemes

        try:
            async_url(value.get_secret_value())
        except ValueError as exc:
            raise PydanticCustomError("database_url", str(exc)) from None
        return value

    @field_validator("connector_encryption_keys")
    @classmethod
    def _keys_are_fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        keys = split_keys(value)
        if not keys:
            raise PydanticCustomError("no_keys", "must hold at least one key")
        from cryptography.fernet import Fernet  # only OAuth mode has keys to check

        for position, key in enumerate(keys, start=1):
            try:
                Fernet(key)
            except ValueError:
                raise PydanticCustomError(
                    "bad_key",
                    f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)",
                ) from None
        return value

    @field_validator("unfurl_patterns")
    @classmethod
    def _patterns_compile(cls, value: str) -> str:
        try:
            parse_patterns(value)
        except ValueError as exc:
            raise PydanticCustomError("bad_pattern", str(exc)) from None
        return value

    @field_validator("ats_profile_url")
    @classmethod
    def _profile_template(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return check_profile_template(value.strip())
        except ValueError as exc:
            raise PydanticCustomError("bad_template", str(exc)) from None

    @property
    def oauth_mode(self) -> bool:
        """True when an OAuth client id is set, so the app serves many workspaces."""
        return self.slack_client_id is not None

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is set, so the app connects out over a websocket."""
        return self.slack_app_token is not None

    def link_patterns(self) -> tuple[LinkPattern, ...]:
        """The link table in force: built-ins, extended or replaced by UNFURL_PATTERNS."""
        from bot.core.links import BUILTIN_PATTERNS

        custom = parse_patterns(self.unfurl_patterns)
        if self.unfurl_patterns_mode is PatternsMode.REPLACE:
            return custom
        return BUILTIN_PATTERNS + custom

    @classmethod
    def load(cls, **overrides: object) -> Self:
        """Read the settings, or raise one SettingsError naming every problem."""
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise SettingsError(*_describe(exc)) from None


class LookupSettings(Settings):
    """Settings that can reach Bindbee."""

    bindbee_api_key: SecretStr
    bindbee_connector_token: SecretStr


class ServeSettings(LookupSettings):
    """Settings that can serve the Slack app."""

    slack_bot_token: SecretStr

    @field_validator("slack_signing_secret", mode="after")
    @classmethod
    def _secret_needed_over_http(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is None and info.data.get("slack_app_token") is None:
            raise PydanticCustomError(
                "missing_secret",
                "required in HTTP mode (or set SLACK_APP_TOKEN to use Socket Mode)",
            )
        return value


class WorkspaceSettings(Settings):
    """Settings that can read and change the installations and connections."""

    slack_client_id: str
    connector_encryption_keys: SecretStr

    def encryption_keys(self) -> list[str]:
        """The Fernet keys, newest first."""
        return split_keys(self.connector_encryption_keys)


class OAuthSettings(WorkspaceSettings):
    """Settings that can serve many workspaces, installed with OAuth."""

    slack_client_secret: SecretStr
    slack_signing_secret: SecretStr
    bindbee_api_key: SecretStr

    @field_validator("slack_app_token", mode="after")
    @classmethod
    def _no_socket_mode(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            # Installing from "Add to Slack" needs the HTTP routes of the OAuth flow.
            raise PydanticCustomError(
                "socket_mode_with_oauth", "must be unset in OAuth mode (SLACK_CLIENT_ID is set)"
            )
        return value


def load_serve_settings() -> ServeSettings | OAuthSettings:
    """The settings to serve with: OAuth mode when SLACK_CLIENT_ID is set, else one workspace."""
    if oauth_mode_chosen():
        return OAuthSettings.load()
    return ServeSettings.load()


def oauth_mode_chosen() -> bool:
    """Whether SLACK_CLIENT_ID is set, read alone so that no other setting can fail it."""
    return bool(_ModeProbe().slack_client_id)


class _ModeProbe(BaseSettings):
    """SLACK_CLIENT_ID alone, so that choosing the mode never fails on another setting."""

    model_config = Settings.model_config
    slack_client_id: str | None = None


def split_keys(value: SecretStr) -> list[str]:
    """CONNECTOR_ENCRYPTION_KEYS as a list, newest first, blanks dropped."""
    return [key.strip() for key in value.get_secret_value().split(",") if key.strip()]


class SettingsError(Exception):
    """Settings are missing or malformed; the message names each problem, never a value."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"The settings are not usable ({len(self.problems)} problem(s)):\n{lines}"


_CLIENT_ID = re.compile(r"[0-9]{1,20}\.[0-9]{1,20}")
_SCOPE = re.compile(r"[a-z][a-z0-9_.:-]{0,49}")


def _check_prefix(value: SecretStr | None, prefix: str) -> SecretStr | None:
    if value is not None and not value.get_secret_value().startswith(prefix):
        raise PydanticCustomError("token_shape", f"must start with {prefix}")
    return value


def _describe(exc: ValidationError) -> tuple[str, ...]:
    problems: list[str] = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = re.sub(r"^(Value error|Assertion failed), ", "", error["msg"])
        if error["type"] == "missing":
            message = "required but not set"
        problems.append(f"{name}: {message}")
    return tuple(problems)
