"""`/healthz` and `/readyz`: no auth, no rate limit, no host or HTTPS redirect in the way."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access an error here.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_and_redis_when_configured(client, settings):
    response = client.get("/readyz")

    checks = {"database": "ok"} | ({"redis": "ok"} if settings.REDIS_URL else {})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": checks}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_probes_need_no_token_count_against_no_rate_limit_and_ignore_the_host(
    client, settings, bearer, url
):
    settings.CAMPAIGN_API_RATE_LIMIT = 1
    settings.SECURE_SSL_REDIRECT = True
    headers = bearer(UserFactory())

    answers = [client.get(url, HTTP_HOST="10.1.2.3:8000", **headers) for _ in range(3)]

    assert [response.status_code for response in answers] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in answers[0]


def _readyz(**env) -> tuple[int, dict]:
    """GET /readyz in a fresh process with production settings and these backends."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "x" * 50,
        "LOG_LEVEL": "CRITICAL",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    return int(status), json.loads(body)


def test_readyz_is_503_naming_a_database_that_does_not_answer():
    # The pool's wait for a connection, shortened from its 10 s default.
    status, body = _readyz(
        DATABASE_URL="postgres://postgres@127.0.0.1:9/parley",
        DATABASE_POOL_TIMEOUT="0.5",
        REDIS_URL="",
    )

    assert status == 503
    assert body == {"status": "unavailable", "checks": {"database": "failed"}}


def test_readyz_is_503_naming_a_redis_that_does_not_answer(tmp_path):
    status, body = _readyz(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="redis://127.0.0.1:9/0"
    )

    assert status == 503
    assert body == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
