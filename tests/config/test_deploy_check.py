"""The README's production settings pass `check --deploy`, and each HTTPS variable is documented."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
HTTPS_VARIABLES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
]


def production_environment() -> dict[str, str]:
    """The `export …` of the README's fenced block that runs `check --deploy`."""
    block = next(b for b in re.findall(r"```sh\n(.*?)```", README, re.S) if "check --deploy" in b)
    export = block.split(".venv/bin/python manage.py check --deploy")[0]
    words = shlex.split(export.replace("\\\n", " "))
    assert words[0] == "export"
    return dict(word.split("=", 1) for word in words[1:])


def test_the_readme_production_settings_pass_check_deploy():
    environment = production_environment()
    assert set(HTTPS_VARIABLES) - {"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"} <= set(
        environment
    )
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)  # stands for the secret store's
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYTHONPATH"}
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**inherited, **environment, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("variable", HTTPS_VARIABLES)
def test_every_https_variable_is_in_the_configuration_table(variable):
    table_rows = [line for line in README.splitlines() if line.startswith("| `")]

    assert any(f"`{variable}`" in row.split("|")[1] for row in table_rows)
