"""`python -m bot doctor` against a local fake Slack and fake Bindbee: every check, no secret."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from tests.fakes.bindbee import FakeBindbee
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
SECRETS = [BOT_TOKEN, SIGNING_SECRET, FakeBindbee.API_KEY, FakeBindbee.CONNECTOR_TOKEN]
WRONG_KEY = "wrong-bindbee-key-7f3a9c"
WRONG_CONNECTOR = "wrong-connector-token-51be"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """The repository's manifest.yml, copied into the working directory (tmp_path)."""
    path = tmp_path / "manifest.yml"
    shutil.copy(ROOT / "manifest.yml", path)
    return path


@pytest.fixture
def configured(
    monkeypatch: pytest.MonkeyPatch, slack: FakeSlack, bindbee: FakeBindbee, manifest: Path
) -> None:
    """Settings that point at the fakes, as an operator would set them."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("BINDBEE_API_KEY", FakeBindbee.API_KEY)
    monkeypatch.setenv("BINDBEE_CONNECTOR_TOKEN", FakeBindbee.CONNECTOR_TOKEN)
    monkeypatch.setenv("BINDBEE_BASE_URL", bindbee.url)
    monkeypatch.setenv("ATS_PROFILE_URL", "https://app.greenhouse.io/people/{remote_id}")


def _doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["doctor"])
    out, err = capsys.readouterr()
    _assert_no_secret(out + err, [*SECRETS, WRONG_KEY, WRONG_CONNECTOR])
    assert "Traceback" not in out + err
    return status, out.splitlines()


def _assert_no_secret(text: str, secrets: list[str]) -> None:
    """No secret, nor any 8 characters in a row of one.

    Only runs that hold a digit or punctuation count: the test secrets are made of plain words
    ("connector", "token") that doctor's own sentences use too.
    """
    for secret in secrets:
        assert secret not in text
        for start in range(len(secret) - 7):
            part = secret[start : start + 8]
            if not part.isalpha():
                assert part not in text, f"part of a secret: {part!r}"


def _line(lines: list[str], start: str) -> str:
    """The one line that starts with `start`, and check that a fix hint follows a failure."""
    found = [index for index, line in enumerate(lines) if line.startswith(start)]
    assert len(found) == 1, f"{start!r} in {lines}"
    index = found[0]
    if start.startswith("✗"):
        assert lines[index + 1].startswith("    → "), "a failure says how to fix it"
    return lines[index]


def _marked(lines: list[str], mark: str) -> list[str]:
    return [line for line in lines if line.startswith(mark + " ")]


@pytest.mark.usefixtures("configured")
def test_everything_passes_against_working_fakes(
    capsys: pytest.CaptureFixture[str], slack: FakeSlack, bindbee: FakeBindbee
) -> None:
    status, lines = _doctor(capsys)
    assert status == 0
    assert _marked(lines, "✗") == []
    assert _marked(lines, "–") == []
    for name in ("SLACK_BOT_TOKEN", "BINDBEE_API_KEY", "BINDBEE_CONNECTOR_TOKEN"):
        _line(lines, f"✓ {name} is set")
    _line(lines, "✓ SLACK_SIGNING_SECRET is set (HTTP mode)")
    _line(lines, "✓ Slack accepts SLACK_BOT_TOKEN: team “Test Team”, bot “candidate-bot”")
    scopes = _line(lines, "✓ the bot token has the scopes manifest.yml asks for")
    assert scopes.endswith(
        "commands, links:read, links:write, channels:read, groups:read, im:read, mpim:read"
    )
    _line(lines, "✓ Bindbee accepts BINDBEE_API_KEY and BINDBEE_CONNECTOR_TOKEN")
    _line(lines, "✓ 3 link pattern(s) compile")
    _line(lines, "✓ every link domain is in manifest.yml")
    _line(
        lines,
        "✓ ATS_PROFILE_URL is a valid https template: "
        "Open in ATS → https://app.greenhouse.io/people/12345",
    )
    assert lines[-1] == "All checks passed."
    assert len(slack.calls_to("/api/auth.test")) == 1
    assert len(bindbee.requests) == 1


@pytest.mark.usefixtures("configured")
def test_a_bad_slack_token_fails_and_the_rest_is_still_checked(
    capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    slack.token = "xoxb-other"  # the configured token is no longer the valid one
    status, lines = _doctor(capsys)
    assert status == 1
    _line(lines, "✗ Slack refused SLACK_BOT_TOKEN (invalid_auth)")
    _line(lines, "– scopes not checked")
    _line(lines, "✓ Bindbee accepts")
    assert lines[-1] == "1 check(s) failed."


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda env, fake: env.setenv("BINDBEE_API_KEY", WRONG_KEY), "refused the API key (401)"),
        (
            lambda env, fake: env.setenv("BINDBEE_CONNECTOR_TOKEN", WRONG_CONNECTOR),
            "refused the connector token (403)",
        ),
        (lambda env, fake: fake.fail(5, 503), "Bindbee did not answer at 127.0.0.1"),
        (lambda env, fake: fake.fail(1, 429, retry_after=60), "rate-limiting us"),
    ],
    ids=["bad-key", "bad-connector", "down", "rate-limited"],
)
@pytest.mark.usefixtures("configured")
def test_each_bindbee_failure_is_reported_in_clear_words(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bindbee: FakeBindbee,
    setup: Callable[[pytest.MonkeyPatch, FakeBindbee], None],
    expected: str,
) -> None:
    monkeypatch.setenv("BINDBEE_MAX_ATTEMPTS", "1")  # one answer is enough to judge
    setup(monkeypatch, bindbee)
    status, lines = _doctor(capsys)
    assert status == 1
    failures = _marked(lines, "✗")
    assert len(failures) == 1
    assert expected in failures[0]
    _line(lines, "✓ Slack accepts")


@pytest.mark.usefixtures("configured")
def test_a_pattern_that_does_not_compile_fails_without_stopping_other_checks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNFURL_PATTERNS", "(x")
    status, lines = _doctor(capsys)
    assert status == 1
    _line(lines, "✗ UNFURL_PATTERNS: line 1 is not a valid regular expression")
    _line(lines, "– link patterns not checked: UNFURL_PATTERNS not usable")
    _line(lines, "✓ Slack accepts")
    _line(lines, "✓ Bindbee accepts")


@pytest.mark.usefixtures("configured")
def test_a_custom_domain_missing_from_the_manifest_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, manifest: Path
) -> None:
    monkeypatch.setenv("UNFURL_PATTERNS", r"https://ats\.acme\.test/c/(?P<id>[\w-]+)")
    status, lines = _doctor(capsys)
    assert status == 1
    missing = _line(lines, "✗ link pattern “custom 1” is for ats.acme.test")
    assert "unfurl_domains" in missing
    assert "add ats.acme.test under features.unfurl_domains" in lines[lines.index(missing) + 1]

    data = yaml.safe_load(manifest.read_text())
    data["features"]["unfurl_domains"].append("acme.test")  # a parent domain covers it
    manifest.write_text(yaml.safe_dump(data))
    status, lines = _doctor(capsys)
    assert status == 0
    _line(lines, "✓ 4 link pattern(s) compile: 3 built-in, 1 custom")
    _line(lines, "✓ every link domain is in manifest.yml")


@pytest.mark.usefixtures("configured")
def test_a_pattern_whose_domain_cannot_be_told_is_noted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNFURL_PATTERNS", r"(?:https?://)?ats\.acme\.test/(?P<remote_id>\d+)")
    status, lines = _doctor(capsys)
    assert status == 0
    _line(lines, "– link pattern “custom 1”: its domain cannot be told from the regex")


@pytest.mark.usefixtures("configured")
def test_missing_scopes_fail(capsys: pytest.CaptureFixture[str], manifest: Path) -> None:
    data = yaml.safe_load(manifest.read_text())
    data["oauth_config"]["scopes"]["bot"].append("chat:write")
    manifest.write_text(yaml.safe_dump(data))
    status, lines = _doctor(capsys)
    assert status == 1
    _line(lines, "✗ the bot token lacks scopes manifest.yml asks for: chat:write")


@pytest.mark.usefixtures("configured")
def test_without_a_manifest_or_pyyaml_those_checks_are_skipped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, manifest: Path
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # `import yaml` now fails
    status, lines = _doctor(capsys)
    assert status == 0
    _line(lines, "– PyYAML is not installed")
    monkeypatch.delitem(sys.modules, "yaml")
    manifest.unlink()
    status, lines = _doctor(capsys)
    assert status == 0
    _line(lines, "– no manifest.yml in")
    _line(lines, "– scopes not compared: no manifest.yml")
    _line(lines, "– link domains not compared: no manifest.yml")


@pytest.mark.usefixtures("configured")
def test_a_broken_manifest_fails(capsys: pytest.CaptureFixture[str], manifest: Path) -> None:
    manifest.write_text("features: [unclosed\n")
    status, lines = _doctor(capsys)
    assert status == 1
    _line(lines, "✗ manifest.yml could not be read")


@pytest.mark.usefixtures("configured")
def test_an_unreachable_slack_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{port}/api/")
    status, lines = _doctor(capsys)
    assert status == 1
    _line(lines, f"✗ Slack could not be reached at 127.0.0.1:{port}")


def test_with_nothing_configured_it_reports_instead_of_crashing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xapp-not-a-bot-token-3c9d")
    status, lines = _doctor(capsys)
    assert status == 1
    _assert_no_secret("\n".join(lines), ["xapp-not-a-bot-token-3c9d"])
    _line(lines, "✗ SLACK_BOT_TOKEN: must start with xoxb-")
    _line(lines, "✗ BINDBEE_API_KEY: required but not set")
    _line(lines, "✗ BINDBEE_CONNECTOR_TOKEN: required but not set")
    _line(lines, "✗ SLACK_SIGNING_SECRET: required in HTTP mode")
    _line(lines, "– Slack not checked: SLACK_BOT_TOKEN not usable")
    _line(lines, "– Bindbee not checked: BINDBEE_API_KEY and BINDBEE_CONNECTOR_TOKEN not usable")
    _line(lines, "✓ 3 link pattern(s) compile")
    assert lines[-1] == "4 check(s) failed."


@pytest.mark.usefixtures("configured")
def test_the_command_runs_as_a_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith("All checks passed.")
    assert "✓ Slack accepts SLACK_BOT_TOKEN" in result.stdout
    _assert_no_secret(result.stdout + result.stderr, SECRETS)


def test_redis_is_checked_when_redis_url_is_set(
    configured: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    redis_url: str,
) -> None:
    host_and_port = redis_url.removeprefix("redis://").split("/")[0]
    monkeypatch.setenv("REDIS_URL", redis_url.replace("redis://", "redis://:s3cret-pass@"))
    status, lines = _doctor(capsys)
    line = _line(lines, "✓ Redis")
    assert re.search(r"✓ Redis \d+\.\d+\.\d+ at redis://" + re.escape(host_and_port), line)
    assert re.search(r"answers in \d+\.\d ms", line)
    assert "s3cret-pass" not in "\n".join(lines)
    assert status == 0


def test_redis_that_does_not_answer_is_a_failure_with_a_fix(
    configured: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("REDIS_URL", f"redis://:s3cret-pass@127.0.0.1:{port}/2")
    status, lines = _doctor(capsys)
    line = _line(lines, "✗ Redis")
    assert f"127.0.0.1:{port}/2 does not answer" in line
    assert "s3cret-pass" not in "\n".join(lines)
    assert status == 1


def test_without_redis_url_redis_is_not_checked(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _, lines = _doctor(capsys)
    assert not [line for line in lines if "Redis" in line]


@pytest.mark.usefixtures("configured")
def test_without_ats_profile_url_doctor_says_there_is_no_button(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATS_PROFILE_URL")
    status, lines = _doctor(capsys)
    assert status == 0
    _line(lines, "– ATS_PROFILE_URL is not set, so cards have no Open in ATS button")
    _line(lines, "    → to add one, set it, e.g. https://app.greenhouse.io/people/{remote_id}")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("http://app.greenhouse.io/people/{remote_id}", "must be an https:// URL with a host"),
        ("https://app.greenhouse.io/people/", "{remote_id} exactly once"),
    ],
)
@pytest.mark.usefixtures("configured")
def test_a_bad_ats_profile_url_fails_with_a_fix(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    problem: str,
) -> None:
    monkeypatch.setenv("ATS_PROFILE_URL", template)
    status, lines = _doctor(capsys)
    assert status == 1
    [failure] = _marked(lines, "✗")
    assert failure.startswith("✗ ATS_PROFILE_URL:")
    assert problem in failure
    _line(lines, "    → an https URL with {remote_id}")
    _line(lines, "– Open in ATS not checked: ATS_PROFILE_URL not usable")
    _line(lines, "✓ Slack accepts")
    _line(lines, "✓ Bindbee accepts")
