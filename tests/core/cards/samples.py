"""Fixed candidates for the golden files: full, sparse, private, no-email, hostile, oversized,
and the pipeline: applications in every state, or applications that could not be read."""

from __future__ import annotations

from typing import Any

from bot.ats.models import Application, Candidate, Pipeline

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


CONFIDENTIAL_JOB = "VP Engineering (stealth)"
UNFLAGGED_JOB = "Head of Data (unflagged)"
PROFILE_TEMPLATE = "https://app.greenhouse.io/people/{remote_id}"


def _application(index: int, job: object, stage: str | None, **fields: Any) -> Application:
    payload = {
        "id": f"app-{index}",
        "candidate": CANDIDATE_ID,
        "job": job,
        "current_stage": {"id": f"stage-{index}", "name": stage} if stage else None,
        "applied_at": f"2021-0{9 - index}-01T10:00:00Z",
        "source": "LinkedIn",
    }
    return Application.read(payload | fields)


def _job(index: int, name: str, confidential: object = False) -> dict[str, Any]:
    return {"id": f"job-{index}", "name": name, "status": "OPEN", "confidential": confidential}


def applications() -> tuple[Application, ...]:
    """Seven applications: active, rejected (date and reason), confidential, unflagged,
    unresolved, and older ones beyond the five a card shows."""
    return (
        _application(1, _job(1, "Platform Engineer"), "Onsite"),
        _application(
            2,
            _job(2, CONFIDENTIAL_JOB, True),
            "Phone screen",
            source="Referral",
            rejected_at="2021-08-20T00:00:00Z",
            reject_reason={"id": "reason-1", "name": "Not a good fit"},
        ),
        _application(3, _job(3, UNFLAGGED_JOB, None), "Technical interview", source=None),
        _application(4, "018b4bfb-5ece-70b1-ad5e-862a9433aa70", None, reject_reason="reason-2"),
        _application(5, _job(5, "Data Analyst"), "Offer", rejected_at="2021-05-02T00:00:00Z"),
        _application(6, _job(6, "SRE"), "Onsite"),
        _application(7, _job(7, "Support Lead"), "Onsite", applied_at=None),
    )


def pipeline() -> Candidate:
    """The full candidate with seven applications, one of them unresolved."""
    return full().model_copy(update={"pipeline": Pipeline(applications=applications(), gaps=True)})


def pipeline_unreadable() -> Candidate:
    """The full candidate whose applications could not be read in time."""
    return full().model_copy(update={"pipeline": Pipeline.unreadable("timeout")})


FIXTURES = {
    "full": full,
    "sparse": sparse,
    "private": private,
    "no_email": no_email,
    "hostile": hostile,
    "oversized": oversized,
    "pipeline": pipeline,
    "pipeline_unreadable": pipeline_unreadable,
}
# Cards rendered with ATS_PROFILE_URL set, so that their golden files hold "Open in ATS".
WITH_PROFILE_URL = {"pipeline"}
