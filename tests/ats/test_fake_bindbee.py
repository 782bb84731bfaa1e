"""The fake Bindbee itself: what other tests and the benchmark rely on it to do."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.fakes import payloads
from tests.fakes.bindbee import UNLIMITED, FakeBindbee, bench_id, bench_payload

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "Authorization": f"Bearer {FakeBindbee.API_KEY}",
    "x-connector-token": FakeBindbee.CONNECTOR_TOKEN,
}
FULL_PATH = f"/api/ats/v1/candidates/{payloads.FULL['id']}"


@pytest.fixture
def http(fake: FakeBindbee) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.url, headers=AUTH, timeout=5) as client:
        yield client


def test_serves_a_candidate_with_rate_limit_headers(fake: FakeBindbee, http: httpx.Client) -> None:
    response = http.get(FULL_PATH)
    assert response.status_code == 200
    assert response.json() == payloads.FULL
    assert response.headers["X-RateLimit-Limit"] == str(UNLIMITED)
    assert response.headers["X-RateLimit-Remaining"] == str(UNLIMITED - 1)
    assert int(response.headers["X-RateLimit-Reset"]) > time.time()


def test_answers_like_bindbee_to_bad_credentials(fake: FakeBindbee) -> None:
    with httpx.Client(base_url=fake.url) as http:
        missing = http.get(FULL_PATH)
        wrong_key = http.get(FULL_PATH, headers={**AUTH, "Authorization": "Bearer nope"})
        no_token = http.get(FULL_PATH, headers={"Authorization": AUTH["Authorization"]})
        wrong_token = http.get(FULL_PATH, headers={**AUTH, "x-connector-token": "hris"})
    assert (missing.status_code, missing.json()) == (401, {"detail": "Invalid API key"})
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert wrong_key.status_code == 401
    assert no_token.status_code == 422
    assert no_token.json()["detail"][0]["loc"] == ["header", "x-connector-token"]
    assert wrong_token.status_code == 403
    assert "X-RateLimit-Remaining" in wrong_token.headers


def test_unknown_ids_paths_and_methods(fake: FakeBindbee, http: httpx.Client) -> None:
    unknown = http.get("/api/ats/v1/candidates/018f3c2a-0000-7000-8000-000000000000")
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not Found"})
    not_uuid = http.get("/api/ats/v1/candidates/abc")
    assert not_uuid.status_code == 422
    assert not_uuid.json()["detail"][0]["type"] == "uuid_parsing"
    assert http.get("/api/ats/v1/offers").status_code == 404
    assert http.get(FULL_PATH + "/extra").status_code == 404
    assert http.post(FULL_PATH).status_code == 405


def test_ids_are_looked_up_as_uuids(fake: FakeBindbee, http: httpx.Client) -> None:
    upper = http.get(f"/api/ats/v1/candidates/{payloads.FULL['id'].upper()}")
    assert upper.json()["id"] == payloads.FULL["id"]


def test_records_the_raw_path_before_routing(fake: FakeBindbee) -> None:
    with httpx.Client(base_url=fake.url) as http:
        http.get("/api/ats/v1/candidates/%2e%2e%2Fadmin?x=%20y")
    [request] = fake.requests  # recorded although refused (401)
    assert request.raw_path == "/api/ats/v1/candidates/%2e%2e%2Fadmin?x=%20y"
    assert request.path == "/api/ats/v1/candidates/../admin"
    assert request.query == {"x": " y"}
    assert request.method == "GET"
    assert request.finished >= request.started > 0
    assert fake.paths() == [request.raw_path]
    fake.clear()
    assert fake.requests == []


def test_lists_with_remote_id_page_size_and_cursor(fake: FakeBindbee, http: httpx.Client) -> None:
    twins = http.get("/api/ats/v1/candidates", params={"remote_id": payloads.TWIN_REMOTE_ID}).json()
    assert twins["cursor"] is None
    assert twins["page_size"] == 2
    assert {item["id"] for item in twins["items"]} == {payloads.TWIN_A["id"], payloads.TWIN_B["id"]}
    seen: list[str] = []
    params = {"page_size": "4"}
    while True:
        page = http.get("/api/ats/v1/candidates", params=params).json()
        seen += [item["id"] for item in page["items"]]
        if page["cursor"] is None:
            break
        params["cursor"] = page["cursor"]
    assert seen == [payload["id"] for payload in payloads.ALL]
    too_big = http.get("/api/ats/v1/candidates", params={"page_size": "201"})
    assert too_big.status_code == 422


def test_lists_with_email_and_name_filters(fake: FakeBindbee, http: httpx.Client) -> None:
    def ids(params: list[tuple[str, str]]) -> set[str]:
        page = http.get("/api/ats/v1/candidates", params=urlencode(params)).json()
        return {item["id"] for item in page["items"]}

    amara, priya = payloads.FULL["id"], payloads.OBJECT_EMAILS["id"]
    assert ids([("email_addresses", "AMARA@northwind.example")]) == {amara}  # a {value} too
    both = [
        ("email_addresses", "amara@northwind.example"),
        ("email_addresses", "p.raman@contoso.example"),
    ]
    assert ids(both) == {amara, priya}  # repeated keys, as FastAPI reads an array
    assert ids([("first_name", "amara"), ("last_name", "OKAFOR")]) == {amara}
    assert ids([("first_name", "Amar")]) == set()
    fake.name_match = "partial"
    assert ids([("first_name", "Amar")]) == {amara}
    assert ids([("first_name", "Amar"), ("last_name", "Raman")]) == set()
    assert fake.query_strings()[-1] == "first_name=Amar&last_name=Raman"


def test_changes_to_the_data_show_at_once(fake: FakeBindbee, http: httpx.Client) -> None:
    fake.set_private(payloads.FULL["id"])
    assert http.get(FULL_PATH).json()["is_private"] is True
    assert payloads.FULL["is_private"] is False  # the fixture itself is untouched


def test_faults_apply_in_order_to_matching_requests(fake: FakeBindbee, http: httpx.Client) -> None:
    fake.fail(1, 500, path_contains="remote_id")
    fake.fail(2, 503, retry_after=4)
    fake.body({"hello": "world"})
    fake.html(status=502)
    fake.invalid_json()
    statuses = [http.get(FULL_PATH) for _ in range(5)] + [http.get(FULL_PATH)]
    assert [response.status_code for response in statuses] == [503, 503, 200, 502, 200, 200]
    assert statuses[0].headers["Retry-After"] == "4"
    assert statuses[2].json() == {"hello": "world"}
    assert statuses[3].headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        statuses[4].json()
    assert statuses[5].json()["id"] == payloads.FULL["id"]
    # The first fault waited for a request that matches it.
    listed = http.get("/api/ats/v1/candidates", params={"remote_id": "1"})
    assert listed.status_code == 500


def test_a_scripted_429_says_when(fake: FakeBindbee, http: httpx.Client) -> None:
    fake.fail(1, 429, retry_after=1)
    response = http.get(FULL_PATH)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) <= time.time() + 2
    assert fake.count_429 == 0  # scripted, not enforced


def test_reset_drops_the_connection(fake: FakeBindbee, http: httpx.Client) -> None:
    fake.reset()
    with pytest.raises(httpx.TransportError):
        http.get(FULL_PATH)
    assert http.get(FULL_PATH).status_code == 200
    assert len(fake.requests) == 2


def test_latency_and_delay_hold_answers(fake: FakeBindbee, http: httpx.Client) -> None:
    fake.latency = 0.2
    fake.delay(0.3)
    http.get(FULL_PATH)
    http.get(FULL_PATH)
    slow, slower = (request.finished - request.started for request in fake.requests)
    assert slow >= 0.45
    assert slower >= 0.15


def test_enforces_a_fixed_window() -> None:
    with FakeBindbee(rate_limit=2) as fake, httpx.Client(base_url=fake.url, headers=AUTH) as http:
        fake.add(payloads.FULL)
        answers = [http.get(FULL_PATH) for _ in range(4)]
        stats = http.get("/_stats").json()
    assert [answer.status_code for answer in answers] == [200, 200, 429, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["1", "0", "0", "0"]
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    assert fake.count_429 == 2
    assert stats == {"requests": 4, "count_429": 2}
    assert len(fake.requests) == 4  # /_stats is neither recorded nor counted


def test_stop_is_bounded_with_an_answer_in_flight() -> None:
    fake = FakeBindbee()
    fake.start()
    fake.delay(30)

    def ask() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(fake.url + FULL_PATH, headers=AUTH, timeout=10)

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    while not fake.requests:
        time.sleep(0.01)
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 6  # the join timeout, not the 30 s delay
    asker.join(timeout=10)
    fake.stop()  # harmless twice


def test_bench_ids_are_deterministic_uuids() -> None:
    assert bench_id(7) == "01900000-0000-7000-8000-000000000007"
    assert bench_payload(7)["id"] == bench_id(7)
    assert bench_payload(7) == bench_payload(7)


def test_runs_as_its_own_process() -> None:
    command = [sys.executable, "-m", "tests.fakes.bindbee", "--port", "0", "--seed-count", "3"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{url}/api/ats/v1/candidates/{bench_id(2)}", headers=AUTH)
        assert response.json() == bench_payload(2)
        assert httpx.get(f"{url}{FULL_PATH}", headers=AUTH).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        if process.stdout is not None:
            process.stdout.close()
