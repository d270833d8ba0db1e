"""Parley served for real: `bin/serve` (collectstatic, then gunicorn) with production settings.

Bound to 127.0.0.1 on a free port, with DEBUG off, on a throwaway SQLite file
and static folder unless told otherwise (`production_env`'s keywords), and
stopped afterwards. Used by the production recipe's tests and the scale-out
test (two servers on one database and one Redis).
"""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Not passed on: what the tests set for themselves (the browser tests allow
# async-unsafe ORM calls in this process; a server never does).
NOT_INHERITED = {
    "DEBUG",
    "SECRET_KEY",
    "REDIS_URL",
    "DATABASE_URL",
    "LOG_FORMAT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(tmp_path, **extra) -> dict:
    keep = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "production-like-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        **extra,
    }


class Gunicorn:
    """`bin/serve` with one worker; `env` adds to or overrides `production_env`."""

    def __init__(self, tmp_path, **env):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = production_env(
            tmp_path,
            WEB_CONCURRENCY="1",
            GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{self.port}",
            **env,
        )
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            ["bin/serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def get(self, path: str, **headers):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()

    def post(self, path: str, data: dict, **headers) -> tuple[int, object]:
        """A JSON POST; the status and the decoded body, an error status included."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_until_serving(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "bin/serve stopped:\n" + "\n".join(self.lines)
            try:
                return self.get("/healthz")
            except OSError:
                time.sleep(0.3)
        raise AssertionError("bin/serve did not answer:\n" + "\n".join(self.lines))

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.lines if line.startswith("{")]

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
