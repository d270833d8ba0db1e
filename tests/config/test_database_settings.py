"""PostgreSQL connections: a pool per process with health checks, JIT off (issue 14)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database(**env) -> dict:
    """DATABASES["default"] as config.settings.base builds it in a clean process."""
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.base'; "
        "from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({k: d.get(k) for k in "
        "('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'DISABLE_SERVER_SIDE_CURSORS', 'OPTIONS')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DEBUG"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "ENV_FILE": "", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_connections_come_from_a_checked_pool_without_jit():
    database = _database(DATABASE_URL="postgres://u@db:5432/parley")

    assert database == {
        # Not persistent per thread: under ASGI that would leave one open per request.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": False,
        "OPTIONS": {
            "pool": {"min_size": 1, "max_size": 8, "timeout": 10.0},
            "options": "-c jit=off",
        },
    }


def test_the_connection_settings_come_from_the_environment():
    database = _database(
        DATABASE_URL="postgres://u@db:5432/parley?options=-c%20statement_timeout%3D5000",
        DATABASE_POOL_MAX_SIZE="0",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="1",
    )

    assert "pool" not in database["OPTIONS"]
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    # The URL's own startup options are kept, JIT off is added.
    assert database["OPTIONS"] == {"options": "-c statement_timeout=5000 -c jit=off"}


def test_the_pool_is_sized_from_the_environment():
    database = _database(
        DATABASE_URL="postgres://u@db:5432/parley",
        DATABASE_POOL_MAX_SIZE="4",
        DATABASE_POOL_TIMEOUT="2.5",
    )

    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 2.5}


def test_jit_can_be_left_to_the_server_for_a_proxy_that_refuses_startup_options():
    database = _database(DATABASE_URL="postgres://u@db:5432/parley", DATABASE_JIT_OFF="0")

    assert "options" not in (database["OPTIONS"] or {})


@pytest.mark.postgres
@pytest.mark.django_db
def test_parley_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
