"""Settings, read from the environment and from `.env` in the working directory.

Three levels, because each command needs a different part:

    Settings          everything optional: enough for `preview --demo` and `doctor`
    LookupSettings    + the Bindbee credentials: enough for `preview <id>`
    ServeSettings     + the Slack credentials: enough to serve the app

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

from bot.core.links import LinkPattern, parse_patterns


class PatternsMode(StrEnum):
    """How `UNFURL_PATTERNS` combines with the built-in link patterns."""

    EXTEND = "extend"
    REPLACE = "replace"


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

Seconds = Annotated[float, Field(gt=0, le=600)]


class Settings(BaseSettings):
    """Every setting the app knows, all optional; see README for the table."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,
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

    redis_url: SecretStr | None = Field(
        None, description="Redis for state shared by several instances; unset: in-process."
    )
    redis_key_prefix: str = Field(
        "candidate-lookup", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Prefix of every key."
    )
    redis_timeout: float = Field(
        0.25, gt=0, le=10, description="Seconds a lookup waits on Redis at most per call."
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

    @field_validator("unfurl_patterns")
    @classmethod
    def _patterns_compile(cls, value: str) -> str:
        try:
            parse_patterns(value)
        except ValueError as exc:
            raise PydanticCustomError("bad_pattern", str(exc)) from None
        return value

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


class SettingsError(Exception):
    """Settings are missing or malformed; the message names each problem, never a value."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"The settings are not usable ({len(self.problems)} problem(s)):\n{lines}"


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
