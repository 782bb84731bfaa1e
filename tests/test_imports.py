"""Each mode loads only the libraries it uses: one workspace alone needs no SQLAlchemy, no
redis-py, no cryptography and no RE2 (together about 50 MB of memory in every process)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "redis", "cryptography", "re2")

# Builds the app as `python -m bot` does, then says which heavy libraries got loaded.
_PROBE = """
import json, sys
from bot.app import build_app, build_context
from bot.config import load_serve_settings
settings = load_serve_settings()
build_app(settings, build_context(settings))
loaded = {m.split(".")[0] for m in sys.modules}
print(json.dumps(sorted(set(sys.argv[1:]) & loaded)))
"""

ONE_WORKSPACE = {
    "SLACK_BOT_TOKEN": "xoxb-probe",
    "SLACK_SIGNING_SECRET": "probe-secret",
    "BINDBEE_API_KEY": "probe-key",
    "BINDBEE_CONNECTOR_TOKEN": "probe-connector",
}


def _loaded(env: dict[str, str], tmp_path: Path) -> list[str]:
    """The heavy libraries a fresh process loads to build the app with `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BINDBEE_"))}
    clean.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *HEAVY],
        env={**clean, **env},
        cwd=tmp_path,  # no .env file here
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_one_workspace_loads_none_of_them(tmp_path: Path) -> None:
    assert _loaded(ONE_WORKSPACE, tmp_path) == []


def test_redis_is_loaded_when_redis_url_is_set(tmp_path: Path) -> None:
    env = {**ONE_WORKSPACE, "REDIS_URL": "redis://127.0.0.1:6379/0"}  # nothing connects yet
    loaded = _loaded(env, tmp_path)
    assert "redis" in loaded  # redis-py itself loads cryptography, when it is installed
    assert "sqlalchemy" not in loaded


def test_re2_is_loaded_for_an_operators_own_patterns(tmp_path: Path) -> None:
    env = {**ONE_WORKSPACE, "UNFURL_PATTERNS": r"https://ats\.example\.com/c/(?P<id>\w+)"}
    assert _loaded(env, tmp_path) == ["re2"]


@pytest.mark.parametrize("database", ["sqlite"])
def test_oauth_mode_loads_what_it_uses(tmp_path: Path, database: str) -> None:
    env = {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "probe-client-secret",
        "SLACK_SIGNING_SECRET": "probe-secret",
        "BINDBEE_API_KEY": "probe-key",
        "DATABASE_URL": f"{database}:///{tmp_path / 'probe.db'}",
        "CONNECTOR_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"k" * 32).decode(),
    }
    assert _loaded(env, tmp_path) == ["cryptography", "sqlalchemy"]
