"""Production logs are JSON lines carrying the request id; development logs are readable text."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REQUEST = (
    "import django; django.setup(); from django.test import Client; "
    "Client().get('/healthz', HTTP_X_REQUEST_ID='probe-1', HTTP_HOST='localhost')"
)


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_FORMAT", "LOG_LEVEL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "x" * 50,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_logs_one_json_object_per_line_with_the_request_fields():
    result = _run(REQUEST)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    [access] = [line for line in lines if line["logger"] == "parley.request"]
    assert set(access) == {
        "time",
        "level",
        "logger",
        "message",
        "method",
        "path",
        "route",
        "status",
        "duration_ms",
        "user_id",
        "request_id",
    }
    assert (access["level"], access["request_id"], access["user_id"]) == ("INFO", "probe-1", None)
    assert (access["method"], access["path"], access["status"]) == ("GET", "/healthz", 200)
    assert access["message"].startswith("GET /healthz 200 ")
    assert isinstance(access["duration_ms"], float)


def test_development_logs_readable_lines_each_once():
    django_warning = "; import logging; logging.getLogger('django').warning('once')"
    result = _run(REQUEST + django_warning, DEBUG="1")

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len([line for line in lines if "parley.request [probe-1] GET /healthz 200" in line]) == 1
    assert len([line for line in lines if line.endswith("django [-] once")]) == 1


def test_an_unknown_log_format_stops_the_start():
    result = _run("import django; django.setup()", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be one of json, text" in result.stderr
