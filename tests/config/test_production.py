"""The production recipe: `bin/serve` (collectstatic, then gunicorn), JSON logs, Sentry, metrics.

`bin/serve` runs for real (tests/servers.py), with production settings (DEBUG
off) on a throwaway SQLite file and static folder.
"""

import json
import re
import subprocess
import sys
import time

import pytest

from tests.servers import ROOT, Gunicorn, production_env

ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    server = Gunicorn(tmp_path_factory.mktemp("bin-serve"))
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


def test_the_docs_have_their_scripts_and_styles_under_gunicorn(gunicorn):
    status, html = gunicorn.get("/api/docs/")
    assets = ASSET.findall(html.decode())

    assert status == 200
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        assert gunicorn.get(asset)[0] == 200, asset


def test_readyz_answers_under_gunicorn(gunicorn):
    status, body = gunicorn.get("/readyz")

    assert (status, json.loads(body)) == (200, {"status": "ok", "checks": {"database": "ok"}})


def test_every_log_line_is_json_and_requests_carry_their_id(gunicorn):
    gunicorn.get("/healthz", **{"X-Request-ID": "lb-trace-7"})
    deadline = time.monotonic() + 10
    while not any(line.get("request_id") == "lb-trace-7" for line in gunicorn.json_lines()):
        assert time.monotonic() < deadline, gunicorn.lines
        time.sleep(0.1)

    assert gunicorn.lines
    assert all(line.startswith("{") for line in gunicorn.lines), gunicorn.lines
    [access] = [line for line in gunicorn.json_lines() if line.get("request_id") == "lb-trace-7"]
    assert (access["logger"], access["path"], access["status"]) == (
        "parley.request",
        "/healthz",
        200,
    )
    assert any(line["logger"] == "gunicorn.error" for line in gunicorn.json_lines())


def _in_process(tmp_path, code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=production_env(tmp_path, LOG_LEVEL="ERROR", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


SENTRY_STATE = (
    "import sentry_sdk; client = sentry_sdk.get_client(); "
    "print(client.is_active(), client.options['release'], client.options['send_default_pii'])"
)


def test_sentry_is_off_by_default(tmp_path):
    result = _in_process(tmp_path, SENTRY_STATE)

    assert result.stdout.split()[0] == "False", result.stderr


def test_sentry_is_on_with_a_dsn_and_sends_no_personal_data(tmp_path):
    from config.settings.base import VERSION

    result = _in_process(tmp_path, SENTRY_STATE, SENTRY_DSN="http://key@127.0.0.1:9/1")

    assert result.stdout.split() == ["True", f"parley@{VERSION}", "False"], result.stderr


def test_a_sentry_event_is_tagged_with_the_request_id(rf):
    from config.logs import current_request
    from config.sentry import tag_request_id

    request = rf.get("/")
    request.request_id = "rid-9"
    token = current_request.set(request)
    try:
        event = tag_request_id({"tags": {"kind": "x"}}, {})
    finally:
        current_request.reset(token)

    assert event["tags"] == {"kind": "x", "request_id": "rid-9"}
    assert tag_request_id({}, {}) == {}


METRICS = (
    "from django.test import Client; c = Client(); c.get('/healthz'); r = c.get('/metrics'); "
    "print(r.status_code); print(r.content.decode())"
)


def test_prometheus_metrics_are_off_by_default(tmp_path):
    result = _in_process(tmp_path, METRICS, ALLOWED_HOSTS="testserver")

    assert result.stdout.split("\n")[0] == "404", result.stderr


def test_prometheus_metrics_count_requests_when_switched_on(tmp_path):
    result = _in_process(tmp_path, METRICS, ALLOWED_HOSTS="testserver", PROMETHEUS_METRICS="1")
    status, metrics = result.stdout.split("\n", 1)

    assert status == "200", result.stderr
    assert 'django_http_requests_total_by_method_total{method="GET"}' in metrics
