"""Candidate payloads as Bindbee sends them, for tests and the fake server.

Each constant is a decoded JSON object with a valid UUID id. Treat them as read-only:
`FakeBindbee.add` stores a copy, and `variant()` makes a changed copy.

    FULL               every field, emails as strings and as {value} objects, both url shapes
    SPARSE             only what Bindbee always sends: id and modified_at
    ALL_NULL           every key present, every nullable one null
    URLS_BOTH_SHAPES   urls as {value, url_type} (the schema) and {type, value} (the examples)
    OBJECT_EMAILS      email addresses and phone numbers as {value, …} objects
    PRIVATE            is_private true, with full data that must never be shown
    NO_EMAIL           can_email false, with email addresses that must never be shown
    TWIN_A, TWIN_B     two records with the same remote_id (Bindbee never merges duplicates)

The pipeline (applications, stored with bare ids; the fake expands them on request):

    JOB_OPEN, JOB_CONFIDENTIAL, JOB_UNCLEAR   a named job; confidential true; confidential null
    STAGE_ONSITE, STAGE_SCREEN                two interview stages
    REASON_FIT                                a reject reason
    applications(candidate_id)                two applications: one active, one rejected
    expanded(application)                     the same with objects for ids, as `expand` gives
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

Payload = dict[str, Any]

FULL: Payload = {
    "id": "018f3c2a-7b1e-7d42-9a63-5c0e8b2f4a11",
    "remote_id": "4012345001",
    "modified_at": "2024-05-14T09:30:00Z",
    "raw_data": {"id": 4012345001, "is_private": False, "application_ids": [4098765001]},
    "custom_fields": {"desired_salary": "95000", "visa_sponsorship": "no"},
    "first_name": "Amara",
    "last_name": "Okafor",
    "company": "Northwind Analytics",
    "title": "Senior Backend Engineer",
    "last_interaction_at": "2024-05-13T16:45:00Z",
    "is_private": False,
    "can_email": True,
    "locations": ["Lisbon, Portugal", "Remote (EU)"],
    "phone_numbers": ["+351 21 234 5678"],
    "email_addresses": [
        "amara.okafor@example.com",
        {"value": "amara@northwind.example", "email_address_type": "WORK"},
    ],
    "urls": [
        {"value": "https://www.linkedin.com/in/amara-okafor-example", "url_type": "SOCIAL_MEDIA"},
        {"type": "PORTFOLIO", "value": "https://amara.example.dev"},
    ],
    "tags": ["Backend", "Referral"],
    "applications": ["018f3c2a-7b1e-7d42-9a63-5c0e8b2f4b01"],
    "attachments": ["018f3c2a-7b1e-7d42-9a63-5c0e8b2f4c01"],
    "remote_created_at": "2024-04-02T08:00:00Z",
    "remote_updated_at": "2024-05-13T16:45:00Z",
    "avatar": "https://avatars.example.com/amara-okafor.png",
}

SPARSE: Payload = {
    "id": "018f3c2b-1111-7a00-8c3e-2f7d9e0a1b22",
    "modified_at": "2024-05-10T12:00:00Z",
}

ALL_NULL: Payload = dict.fromkeys(FULL) | {
    "id": "018f3c2b-2222-7a00-8c3e-2f7d9e0a1b33",
    "modified_at": "2024-05-10T12:00:00Z",
}

URLS_BOTH_SHAPES: Payload = {
    "id": "018f3c2b-3333-7a00-8c3e-2f7d9e0a1b44",
    "remote_id": "4012345002",
    "modified_at": "2024-05-11T10:15:00Z",
    "first_name": "Jonas",
    "last_name": "Lindqvist",
    "urls": [
        {"value": "https://github.com/jlindqvist-example", "url_type": "PORTFOLIO"},
        {"type": "LINKEDIN", "value": "https://www.linkedin.com/in/jonas-lindqvist-example"},
        {"value": "https://blog.lindqvist.example", "url_type": None},
    ],
}

OBJECT_EMAILS: Payload = {
    "id": "018f3c2b-4444-7a00-8c3e-2f7d9e0a1b55",
    "remote_id": "4012345003",
    "modified_at": "2024-05-11T11:00:00Z",
    "first_name": "Priya",
    "last_name": "Raman",
    "can_email": True,
    "email_addresses": [
        {"value": "priya.raman@example.com", "email_address_type": "PERSONAL"},
        {"value": "p.raman@contoso.example", "email_address_type": "WORK"},
    ],
    "phone_numbers": [{"value": "+1 415 555 0142", "phone_number_type": "MOBILE"}],
}

PRIVATE: Payload = FULL | {
    "id": "018f3c2b-5555-7a00-8c3e-2f7d9e0a1b66",
    "remote_id": "4012345004",
    "first_name": "Confidential",
    "last_name": "Executive-Hire",
    "title": "Chief Financial Officer",
    "company": "Stealth Holdings",
    "email_addresses": ["cfo.candidate@example.com"],
    "phone_numbers": ["+1 212 555 0199"],
    "is_private": True,
}

NO_EMAIL: Payload = FULL | {
    "id": "018f3c2b-6666-7a00-8c3e-2f7d9e0a1b77",
    "remote_id": "4012345005",
    "first_name": "Mateo",
    "last_name": "García",
    "title": "Product Designer",
    "company": "Blue Harbor Studio",
    "email_addresses": ["mateo.garcia@example.com", {"value": "mateo@blueharbor.example"}],
    "urls": [{"value": "mailto:mateo.garcia@example.com", "url_type": "OTHER"}],
    "can_email": False,
}

TWIN_REMOTE_ID = "4012345777"

TWIN_A: Payload = {
    "id": "018f3c2b-7777-7a00-8c3e-2f7d9e0a1b88",
    "remote_id": TWIN_REMOTE_ID,
    "modified_at": "2024-05-12T09:00:00Z",
    "first_name": "Sam",
    "last_name": "Taylor",
    "title": "Data Engineer",
    "email_addresses": ["sam.taylor@example.com"],
    "is_private": False,
    "can_email": True,
}

TWIN_B: Payload = TWIN_A | {
    "id": "018f3c2b-8888-7a00-8c3e-2f7d9e0a1b99",
    "modified_at": "2024-05-12T09:05:00Z",
    "email_addresses": ["sam.t@example.org"],
}

ALL: tuple[Payload, ...] = (
    FULL,
    SPARSE,
    ALL_NULL,
    URLS_BOTH_SHAPES,
    OBJECT_EMAILS,
    PRIVATE,
    NO_EMAIL,
    TWIN_A,
    TWIN_B,
)

_FIRST = ("Amara", "Jonas", "Priya", "Mateo", "Sam", "Yuki", "Noor", "Elena", "Kwame", "Lea")
_LAST = ("Okafor", "Lindqvist", "Raman", "Garcia", "Taylor", "Sato", "Haddad", "Rossi", "Mensah")
_TITLES = ("Backend Engineer", "Product Designer", "Data Analyst", "Recruiter", "SRE")
_COMPANIES = ("Northwind Analytics", "Blue Harbor Studio", "Contoso", "Fabrikam", "Initech")


def variant(payload: Payload, **changes: Any) -> Payload:
    """A deep copy of `payload` with some keys changed."""
    return copy.deepcopy(payload) | changes


def generated(index: int, candidate_id: str) -> Payload:
    """A realistic, deterministic candidate for load tests (the benchmark seeds thousands)."""
    first, last = _FIRST[index % len(_FIRST)], _LAST[index % len(_LAST)]
    handle = f"{first}.{last}.{index}".lower()
    return {
        "id": candidate_id,
        "remote_id": str(4_100_000_000 + index),
        "modified_at": "2024-05-14T09:30:00Z",
        "first_name": first,
        "last_name": last,
        "company": _COMPANIES[index % len(_COMPANIES)],
        "title": _TITLES[index % len(_TITLES)],
        "last_interaction_at": "2024-05-13T16:45:00Z",
        "is_private": index % 17 == 0,
        "can_email": index % 5 != 0,
        "locations": ["Remote"],
        "phone_numbers": [f"+1 415 555 {index % 10_000:04d}"],
        "email_addresses": [f"{handle}@example.com"],
        "urls": [{"value": f"https://www.linkedin.com/in/{handle}", "url_type": "SOCIAL_MEDIA"}],
        "tags": ["Generated"],
        "applications": [],
        "attachments": [],
        "remote_created_at": "2024-04-02T08:00:00Z",
        "remote_updated_at": "2024-05-13T16:45:00Z",
        "avatar": None,
    }


JOB_OPEN: Payload = {
    "id": "018f3c2c-0001-7a00-8c3e-2f7d9e0a1c01",
    "remote_id": "5001",
    "name": "Senior Backend Engineer",
    "status": "OPEN",
    "confidential": False,
}
JOB_CONFIDENTIAL: Payload = {
    "id": "018f3c2c-0002-7a00-8c3e-2f7d9e0a1c02",
    "remote_id": "5002",
    "name": "VP Engineering (replacement, do not share)",
    "status": "OPEN",
    "confidential": True,
}
JOB_UNCLEAR: Payload = {
    "id": "018f3c2c-0003-7a00-8c3e-2f7d9e0a1c03",
    "remote_id": "5003",
    "name": "Head of Data (unflagged)",
    "status": "OPEN",
    "confidential": None,
}
STAGE_ONSITE: Payload = {
    "id": "018f3c2c-0101-7a00-8c3e-2f7d9e0a1c11",
    "name": "Onsite",
    "stage_order": 3,
    "job": JOB_OPEN["id"],
}
STAGE_SCREEN: Payload = {
    "id": "018f3c2c-0102-7a00-8c3e-2f7d9e0a1c12",
    "name": "Phone screen",
    "stage_order": 1,
    "job": JOB_OPEN["id"],
}
REASON_FIT: Payload = {"id": "018f3c2c-0201-7a00-8c3e-2f7d9e0a1c21", "name": "Not a good fit"}

JOBS = (JOB_OPEN, JOB_CONFIDENTIAL, JOB_UNCLEAR)
STAGES = (STAGE_ONSITE, STAGE_SCREEN)
REASONS = (REASON_FIT,)


def application(
    candidate_id: str,
    index: int,
    job: Payload = JOB_OPEN,
    stage: Payload = STAGE_ONSITE,
    **fields: Any,
) -> Payload:
    """An active application of `candidate_id` to `job`, with bare ids, as Bindbee sends it."""
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{candidate_id}/{index}")),
        "remote_id": f"app-{index}",
        "candidate": candidate_id,
        "job": job["id"],
        "current_stage": stage["id"],
        "applied_at": f"2024-05-{10 + index:02d}T09:00:00Z",
        "rejected_at": None,
        "source": "LinkedIn",
        "credited_to": None,
        "reject_reason": None,
        **fields,
    }


def applications(candidate_id: str) -> list[Payload]:
    """Two applications: an active one, and a rejected one (with a date and a reason)."""
    return [
        application(candidate_id, 1),
        application(
            candidate_id,
            0,
            job=JOB_CONFIDENTIAL,
            stage=STAGE_SCREEN,
            source="Referral",
            rejected_at="2024-05-20T12:00:00Z",
            reject_reason=REASON_FIT["id"],
        ),
    ]


def expanded(application: Payload) -> Payload:
    """An application as Bindbee sends it when `expand` works: objects instead of ids."""
    known = {record["id"]: record for record in (*JOBS, *STAGES, *REASONS)}
    fields = ("job", "current_stage", "reject_reason")
    return application | {f: known.get(application[f], application[f]) for f in fields}
