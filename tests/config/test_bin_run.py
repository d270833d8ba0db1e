"""`./bin/run`, the README's first command: one line per phase, the port checked first.

The full start runs the real script on a throwaway SQLite database, env file
and media folder (so a developer's own `.env` and demo tokens are untouched),
then stops the server it started.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PHASES = ["[1/4] install", "[2/4] migrate", "[3/4] seed", "[4/4] serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_env(tmp_path, port) -> dict:
    keep = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL"}}
    return {
        **keep,
        "PORT": str(port),
        "ENV_FILE": str(tmp_path / ".env"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }


def test_a_busy_port_is_reported_before_anything_is_installed_or_written(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = subprocess.run(
            ["bin/run"], cwd=ROOT, env=run_env(tmp_path, port), capture_output=True, text=True
        )

    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=8001 ./bin/run" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / ".env").exists()


@pytest.mark.parametrize("port", ["http", "0", "70000"])
def test_a_port_that_is_no_port_is_refused(tmp_path, port):
    env = run_env(tmp_path, 0) | {"PORT": port}

    result = subprocess.run(["bin/run"], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 2
    assert "PORT must be a TCP port number" in result.stderr


class Server:
    """bin/run in its own process group, its output collected line by line."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.port = free_port()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            ["bin/run"],
            cwd=ROOT,
            env=run_env(tmp_path, self.port),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def get(self, path: str, **headers) -> tuple[int, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()

    def wait_until_serving(self, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("bin/run stopped:\n" + "\n".join(self.lines))
            try:
                return self.get("/healthz")
            except OSError:
                time.sleep(0.5)
        raise AssertionError("bin/run did not serve in time:\n" + "\n".join(self.lines))

    def wait_for_line(self, pattern: str, timeout=10) -> None:
        deadline = time.monotonic() + timeout
        while not any(re.search(pattern, line) for line in self.lines):
            assert time.monotonic() < deadline, f"no line matches {pattern!r}: {self.lines}"
            time.sleep(0.1)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = Server(tmp_path_factory.mktemp("bin-run"))
    try:
        started.wait_until_serving()
        yield started
    finally:
        started.stop()


def test_each_phase_says_what_it_does_in_one_line_in_order(server):
    phases = [line for line in server.lines if line.startswith("[")]

    assert [phase.split(":")[0] for phase in phases] == PHASES
    assert phases[3] == f"[4/4] serve: http://127.0.0.1:{server.port}/ (Ctrl-C stops it)"
    assert any(line.startswith("  alice ") and "parley_" in line for line in server.lines)


def test_the_first_start_writes_an_env_file_for_development(server):
    env_file = (server.tmp_path / ".env").read_text()
    values = dict(line.split("=", 1) for line in env_file.splitlines() if "=" in line)

    assert values["DEBUG"] == "1"
    assert len(values["SECRET_KEY"]) >= 50
    assert f"bin/run: wrote {server.tmp_path / '.env'}" in server.lines[0]


def test_the_server_answers_and_logs_each_request_once(server):
    status, _ = server.get("/healthz", **{"X-Request-ID": "once-1"})
    server.wait_for_line(r"\[once-1\] GET /healthz 200")

    assert status == 200
    assert len([line for line in server.lines if "[once-1]" in line]) == 1
