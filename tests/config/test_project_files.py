"""What a newcomer and an operator read: every setting in the README, one version, a licence."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def configuration_table() -> set[str]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    settings = (ROOT / "config" / "settings" / "base.py").read_text()
    gunicorn = (ROOT / "gunicorn.conf.py").read_text()
    read = set(re.findall(r'env\.\w+\("([A-Z0-9_]+)"', settings))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', gunicorn))

    assert read, "no settings found: the pattern no longer matches settings/base.py"
    assert read - configuration_table() == set()


def test_the_changelog_has_a_section_for_the_version_in_pyproject():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text()

    assert changelog.startswith("# Changelog")
    assert "## [Unreleased]" in changelog
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d\d-\d\d$", changelog, re.M)


def test_the_licence_is_mit():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
