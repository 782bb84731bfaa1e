"""The benchmark's processes stay apart from the app: same backlog, none of its code loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import BACKLOG
from bot.slack.server import BACKLOG as APP_BACKLOG


def test_the_references_listen_with_the_apps_backlog() -> None:
    assert BACKLOG == APP_BACKLOG


def test_the_references_and_fakes_load_none_of_the_app() -> None:
    probe = (
        "import json, sys\n"
        "import bench.common, bench.fake_slack, bench.ref_bolt_ack, bench.ref_raw_aiohttp\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'bot' or m.startswith('bot.'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
