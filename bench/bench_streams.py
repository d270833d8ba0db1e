"""Event streams at scale on one uvicorn process (events.md §6.10). Run by hand (bench/README.md).

Opens BENCH_STREAMS (default 1,000) streams on one server process over a
throwaway SQLite file (or DATABASE_URL), then prints: the server's resident
memory and threads before and after (per stream), the time from a post's answer
to the last stream's delivery, and posting throughput with and without the
listeners.
"""

import asyncio
import http.client
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREAMS = int(os.environ.get("BENCH_STREAMS", 1000))
POSTS = int(os.environ.get("BENCH_POSTS", 50))
PORT = int(os.environ.get("BENCH_PORT", 18890))
# campaign: /api/1.0/campaigns/{c}/events; workspace: /api/v1/events (rendered per process).
DIALECT = os.environ.get("BENCH_DIALECT", "campaign")


def _proc(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


SEED = {
    "campaign": """
import json
from accounts.tokens import personal_token_create
from campaigns.models import CampaignMember
from tests.factories import CampaignConversationFactory, CampaignMemberFactory
admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN).user
campaign = admin.campaign_memberships.get().campaign
conversation = CampaignConversationFactory(campaign=campaign, created_by=admin)
print(json.dumps([personal_token_create(user=admin), campaign.pk, conversation.pk]))
""",
    "workspace": """
import json
from accounts.tokens import personal_token_create
from tests.factories import ParticipantFactory, WorkspaceConversationFactory
conversation = WorkspaceConversationFactory()
user = ParticipantFactory(conversation=conversation).user
print(json.dumps([personal_token_create(user=user), conversation.workspace_id, conversation.pk]))
""",
}


def _setup(env: dict) -> tuple[str, int, int]:
    """Migrate and seed with the server's settings: a token, a campaign or workspace, a
    conversation of the token's user."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = SEED[DIALECT]
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token, campaign, conversation = json.loads(out.stdout.strip().splitlines()[-1])
    return token, campaign, conversation


def _post(token, scope, conversation, text="bench") -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    if DIALECT == "campaign":
        path = f"/api/1.0/campaigns/{scope}/conversations/{conversation}/conversation_messages"
        body = {"message": text}
    else:
        path = "/api/v1/conversation_messages/add"
        body = {"conversation_id": conversation, "content": text}
    conn.request(
        "POST",
        path,
        json.dumps(body),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status


def _wait_until_up() -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def _open(token, scope):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    path = (
        f"/api/1.0/campaigns/{scope}/events"
        if DIALECT == "campaign"
        else f"/api/v1/events?workspace_id={scope}"
    )
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    await writer.drain()
    while b"stream.ready" not in await reader.readline():
        pass
    return reader, writer


async def _until(reader, marker: bytes):
    while marker not in await reader.readline():
        pass


def _throughput(token, campaign, conversation) -> float:
    start = time.perf_counter()
    for n in range(POSTS):
        _post(token, campaign, conversation, f"p{n}")
    return POSTS / (time.perf_counter() - start)


async def main():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 4096 and STREAMS >= 1000:
        print(f"skipped: the file limit is {hard}, under 4,096")
        return
    tmp = tempfile.mkdtemp(prefix="parley-bench-")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ENV_FILE": "",
        "SECRET_KEY": "parley-bench",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
        "PARLEY_EVENTS_MAX_STREAMS_PER_USER": str(STREAMS + 10),
        "CAMPAIGN_API_RATE_LIMIT": "1000000",
        "WORKSPACE_API_RATE_LIMIT": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    token, campaign, conversation = _setup(env)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--port",
            str(PORT),
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up()
        alone = _throughput(token, campaign, conversation)
        rss0, threads0 = _proc(server.pid, "VmRSS"), _proc(server.pid, "Threads")
        streams = []
        for start in range(0, STREAMS, 100):
            streams += await asyncio.gather(
                *(_open(token, campaign) for _ in range(start, min(start + 100, STREAMS)))
            )
        rss1, threads1 = _proc(server.pid, "VmRSS"), _proc(server.pid, "Threads")
        waiters = [
            asyncio.create_task(_until(r, b"conversation_message.added")) for r, _ in streams
        ]
        await asyncio.sleep(0.5)
        posted = time.perf_counter()
        await asyncio.to_thread(_post, token, campaign, conversation, "fan-out")
        answered = time.perf_counter()
        await asyncio.gather(*waiters)
        fanout = time.perf_counter() - answered
        listened = await asyncio.to_thread(_throughput, token, campaign, conversation)
        print(f"dialect:                      {DIALECT}")
        print(f"streams open:                 {len(streams)}")
        print(
            f"server RSS:                   {rss0 / 1024:.1f} MiB -> {rss1 / 1024:.1f} MiB "
            f"({(rss1 - rss0) / len(streams):.1f} KiB a stream)"
        )
        print(f"server threads:               {threads0} -> {threads1}")
        print(f"post answered in:             {(answered - posted) * 1000:.0f} ms")
        print(f"answer to last of {len(streams)} deliveries: {fanout * 1000:.0f} ms")
        print(f"posting, no listeners:        {alone:.1f} messages/s")
        print(f"posting, {len(streams)} listeners:      {listened:.1f} messages/s")
        for _, writer in streams:
            writer.close()
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    asyncio.run(main())
