"""The lock file pins every dependency pyproject.toml names, so installs are reproducible."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement such as `httpx[http2]>=0.28,<1`."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_the_lock_file_pins_every_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    pinned = {
        _name(line.split("==")[0])
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert wanted - pinned == set(), "regenerate requirements.lock (see its header)"


def test_the_readme_module_map_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## How it is built", 1)[1].split("```", 2)[1]
    bot = ROOT / "bot"
    missing = [
        path.relative_to(bot).as_posix()
        for path in bot.rglob("*.py")
        if path.name != "__init__.py"
        and not (path.name in tree or path.name.removesuffix(".py") in tree)
    ]
    missing += [
        f"{path.relative_to(bot).as_posix()}/"
        for path in bot.iterdir()
        if path.is_dir() and path.name != "__pycache__" and f"{path.name}/" not in tree
    ]
    assert missing == [], "add these to the module map in README.md"
