"""The README's commands work as printed, and its sessions are what the server answers.

The curl sessions run for real (curl against the live server, the demo data
seeded first), in the README's order: each answer must match the README's,
where `…` stands for anything and timestamps, ids of errors and tokens may
differ. The manage.py one-liners run in a fresh process that reads an env
file like the one bin/run writes, on a throwaway database.
"""

import json
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
HOST = "http://127.0.0.1:8000"

# What may differ between the README and a run: timestamps and error ids.
VOLATILE = {
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}",
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
    r'"error_uuid":"[0-9a-f]{32}"': r'"error_uuid":"[0-9a-f]{32}"',
    r'_ts":\d{10}': r'_ts":\d{10}',
}


def console_blocks(markdown: str) -> list[list[tuple[str, str]]]:
    """Each ```console block as (command, expected answer) pairs; continuations joined."""
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", markdown, re.S):
        pairs, lines = [], body.splitlines()
        while lines:
            line = lines.pop(0)
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + " " + lines.pop(0).strip()
            answer = []
            while lines and not lines[0].startswith("$ "):
                answer.append(lines.pop(0).strip())
            pairs.append((command, "".join(answer)))
        blocks.append(pairs)
    return blocks


def answer_pattern(expected: str) -> re.Pattern:
    parts = re.split("(" + "|".join(VOLATILE) + ")", expected)
    regex = ""
    for index, part in enumerate(parts):
        if index % 2:
            regex += next(v for k, v in VOLATILE.items() if re.fullmatch(k, part))
        else:
            regex += ".*?".join(re.escape(piece) for piece in part.split("…"))
    return re.compile(regex, re.S)


MANAGE_COMMAND = re.compile(r"\.venv/bin/python manage\.py [a-z_]+[^`\n|]*")


def _development_env(tmp_path) -> dict:
    """What bin/run leaves behind: an env file with DEBUG=1 and a key; here on a fresh database."""
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=" + "k" * 50 + "\n")
    keep = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL"}}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ENV_FILE": str(env_file),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


def _bash(command: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_readmes_manage_py_commands_and_token_one_liner_work_as_printed(tmp_path):
    commands = list(dict.fromkeys(m.strip() for m in MANAGE_COMMAND.findall(README)))
    [one_liner] = [line for line in README.splitlines() if line.startswith("TOKEN=$(")]
    # check --deploy wants production settings: tests/config/test_production.py runs it.
    runnable = [c for c in commands if "check --deploy" not in c]
    # As on a fresh machine after bin/run: the database migrated, then the demo users.
    first = ("manage.py migrate", "manage.py seed_demo")
    runnable.sort(key=lambda c: next((i for i, f in enumerate(first) if f in c), len(first)))
    env = _development_env(tmp_path)

    assert {c.split()[2] for c in runnable} == {
        "migrate",
        "seed_demo",
        "create_token",
        "purge_removed_messages",
    }, commands
    for command in runnable:
        result = _bash(command, env)
        assert result.returncode == 0, (command, result.stderr)
    token = _bash(one_liner + ' && echo "$TOKEN"', env)

    assert token.returncode == 0, token.stderr
    assert re.fullmatch(r"parley_[\w-]{43}\n", token.stdout), token.stdout


def test_the_readme_has_sessions_for_both_apis():
    blocks = console_blocks(README)

    assert len(blocks) == 2
    assert all(len(block) >= 8 for block in blocks)


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's sessions use curl")
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_readme_sessions_are_what_the_server_answers_in_order(live_server, settings):
    settings.CAMPAIGN_API_DATETIME_FORMAT = "seed"
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    tokens = {name: user["token"] for name, user in json.loads(out.getvalue())["users"].items()}
    env = {"PATH": os.environ["PATH"]}

    for block in console_blocks(README):
        for command, expected in block:
            if command.startswith("bin/run"):
                continue
            token = re.fullmatch(r"TOKEN=parley_…\s+# (\w+)'s token.*", command)
            if token:
                env["TOKEN"] = tokens[token.group(1)]
                continue
            command = command.replace(HOST, live_server.url)
            variable = re.fullmatch(r"(\w+)=(\S+)", command)
            if variable:
                env[variable.group(1)] = variable.group(2)
                continue
            result = subprocess.run(
                ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30
            )
            assert result.returncode == 0, (command, result.stderr)
            if expected:
                answer_expected = expected.replace(HOST, live_server.url)
                assert answer_pattern(answer_expected).fullmatch(result.stdout), (
                    f"$ {command}\nREADME: {expected}\nserver: {result.stdout}"
                )
