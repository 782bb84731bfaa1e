"""DATABASE_URL as users write it, and the async driver the app picks for it."""

from __future__ import annotations

import pytest

from bot.tenancy.database import async_url, describe


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///candidate-lookup.db", "sqlite+aiosqlite:///candidate-lookup.db"),
        ("sqlite:////var/lib/app/db.sqlite", "sqlite+aiosqlite:////var/lib/app/db.sqlite"),
        ("postgresql://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql+asyncpg://db/app", "postgresql+asyncpg://db/app"),
    ],
)
def test_urls_get_their_async_driver(given: str, expected: str) -> None:
    assert async_url(given) == expected


@pytest.mark.parametrize(
    "given",
    ["mysql://u:pw@db/app", "candidate-lookup.db", "sqlite://", "http://u:pw@example.com/"],
)
def test_other_urls_are_refused_without_being_quoted(given: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///") as caught:
        async_url(given)
    assert "pw" not in str(caught.value)
    assert "example" not in str(caught.value)


def test_describe_hides_the_password() -> None:
    shown = describe("postgres://app:s3cret-pass@db:5432/app")
    assert "s3cret-pass" not in shown
    assert "db:5432/app" in shown
