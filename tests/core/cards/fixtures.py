"""Fixed candidates for the golden files: full, sparse, private, no-email, hostile, oversized."""

from __future__ import annotations

from typing import Any

from bot.ats.models import Candidate

CANDIDATE_ID = "018b18ef-c487-703c-afd9-0ca478ccd9d6"
REQUESTER_ID = "U0123ABCD"


def _full_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": CANDIDATE_ID,
        "remote_id": "123321",
        "modified_at": "2021-10-16T00:00:00Z",
        "raw_data": {"key_1": "Platform dependent data 1"},
        "first_name": "Jane",
        "last_name": "Doe",
        "company": "Acme",
        "title": "Software Engineer",
        "last_interaction_at": "2021-07-01T00:00:00Z",
        "is_private": False,
        "can_email": True,
        "locations": ["San Francisco", "New York"],
        "phone_numbers": ["+1 415-555-0100"],
        "email_addresses": ["jane@doe.test", "jane.doe@work.test"],
        "urls": [
            {"type": "LINKEDIN", "value": "https://www.linkedin.com/in/janedoe"},
            {"url_type": "PERSONAL", "value": "https://janedoe.test"},
            {"url_type": "-", "value": "https://github.com/janedoe"},
            {"url_type": "PORTFOLIO", "value": "http://portfolio.test/jane"},
        ],
        "tags": ["Senior", "Referral"],
        "applications": ["018b4bfb-5ece-70b1-ad5e-862a9433aa65"],
        "attachments": [
            "018b4bfb-5ece-70b1-ad5e-862a9433aa66",
            "018b4bfb-5ece-70b1-ad5e-862a9433aa67",
        ],
        "remote_created_at": "2021-07-01T00:00:00Z",
        "remote_updated_at": "2021-07-01T00:00:00Z",
        "avatar": "https://www.example.com/avatar.jpg",
    }
    return payload | changes


def full() -> Candidate:
    """Every field filled, private false, may be emailed."""
    return Candidate.from_payload(_full_payload())


def sparse() -> Candidate:
    """Only the two required fields; everything else null."""
    nulls = {key: None for key in _full_payload() if key not in ("id", "modified_at")}
    return Candidate.from_payload(_full_payload(**nulls))


def private() -> Candidate:
    """Every field filled, and marked private."""
    return Candidate.from_payload(_full_payload(is_private=True))


def no_email() -> Candidate:
    """Every field filled; the candidate may not be emailed, and a mailto: link is there too."""
    urls = [*_full_payload()["urls"], {"type": "EMAIL", "value": "mailto:jane@doe.test"}]
    return Candidate.from_payload(_full_payload(can_email=False, urls=urls))


def hostile() -> Candidate:
    """Values that try to ping, link, inject or escape."""
    return Candidate.from_payload(
        _full_payload(
            first_name="<!channel>",
            last_name="<@U0123ABCD>",
            title="<https://evil.test|click>",
            company="Smith & <Sons> &amp; co",
            remote_id="<!here>",
            locations=["&lt;b&gt;", "> quoted"],
            tags=["<!subteam^S0123>", "*bold*", ":smile:"],
            urls=[
                {"type": "LINKEDIN", "value": "javascript:alert(1)"},
                {"type": "OTHER", "value": "data:text/html,<script>alert(1)</script>"},
                {"type": "OTHER", "value": "https://ok.test/|<x>"},
                {"type": "OTHER", "value": "https://ok.test/a b"},
                {"type": "<!channel>", "value": "https://linkedin.com@evil.test/"},
            ],
            avatar="http://insecure.test/avatar.png",
        )
    )


def oversized() -> Candidate:
    """Values far beyond every Block Kit limit."""
    return Candidate.from_payload(
        _full_payload(
            first_name="Jane" * 100,
            title="T" * 5000,
            company="&<>" * 2000,
            remote_id="9" * 1000,
            email_addresses=[f"jane{i}@doe.test" for i in range(200)],
            phone_numbers=[f"+1 415-555-{i:04d}" for i in range(50)],
            tags=[f"tag{i}" for i in range(120)],
            locations=["L" * 3000 for _ in range(20)],
            urls=[
                {"type": "OTHER", "value": f"https://site{i}.test/" + "p" * 100} for i in range(60)
            ],
            applications=[f"app-{i}" for i in range(300)],
        )
    )


FIXTURES = {
    "full": full,
    "sparse": sparse,
    "private": private,
    "no_email": no_email,
    "hostile": hostile,
    "oversized": oversized,
}
