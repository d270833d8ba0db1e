"""Settings come from the environment; the defaults are safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings(**env):
    """Load config.settings.base in a clean process; return (exit code, stdout+stderr)."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.base'; "
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['ENGINE'], "
        "settings.CACHES['default']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL"}}
    clean.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_development_key_is_refused_when_debug_is_off():
    code, output = _settings()
    assert code != 0
    assert "Set SECRET_KEY" in output


def test_safe_defaults_with_a_real_key():
    code, output = _settings(SECRET_KEY="x" * 50)
    assert code == 0, output
    assert output.split("\n")[0] == (
        "False ['localhost', '127.0.0.1'] django.db.backends.sqlite3 "
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_database_and_redis_come_from_the_environment():
    code, output = _settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u@db:5432/parley",
        REDIS_URL="redis://cache:6379/0",
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert code == 0, output
    assert output.split("\n")[0] == (
        "False ['a.example', 'b.example'] django.db.backends.postgresql "
        "django.core.cache.backends.redis.RedisCache"
    )


@pytest.mark.parametrize("value", ["seed", "iso"])
def test_campaign_datetime_format_accepts_seed_and_iso(value):
    assert _settings(SECRET_KEY="x" * 50, CAMPAIGN_API_DATETIME_FORMAT=value)[0] == 0


def test_an_env_file_is_read_so_commands_need_no_exported_variables(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nALLOWED_HOSTS=from.file\n")

    code, output = _settings(ENV_FILE=str(env_file))

    assert code == 0, output
    assert output.startswith("True ['from.file'] ")


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nALLOWED_HOSTS=from.file\n")

    code, output = _settings(ENV_FILE=str(env_file), ALLOWED_HOSTS="from.env")

    assert code == 0, output
    assert output.startswith("True ['from.env'] ")


def test_a_missing_env_file_is_no_error():
    code, output = _settings(SECRET_KEY="x" * 50, ENV_FILE="/nonexistent/.env")

    assert code == 0, output


def test_campaign_datetime_format_refuses_anything_else():
    code, output = _settings(SECRET_KEY="x" * 50, CAMPAIGN_API_DATETIME_FORMAT="unix")
    assert code != 0
    assert "CAMPAIGN_API_DATETIME_FORMAT" in output
