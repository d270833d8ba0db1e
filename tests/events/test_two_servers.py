"""Two uvicorn processes on one PostgreSQL: a stream on A sees a post through B within 1 s."""

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.events.conftest import _free_port, bearer_header
from tests.events.sse import Stream
from tests.factories import CampaignConversationFactory, CampaignMemberFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _uvicorn(port: int) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ENV_FILE": "",
        "SECRET_KEY": "parley-two-servers-test",
        "LOG_FORMAT": "text",
        # Only the wake-up crosses servers: the safety-net poll stays out of the measurement.
        "PARLEY_EVENTS_POLL_SECONDS": "30",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("uvicorn did not start")


def test_a_stream_on_a_sees_a_post_through_b_within_a_second():
    from campaigns.models import CampaignMember

    admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN).user
    campaign = admin.campaign_memberships.get().campaign
    conversation = CampaignConversationFactory(campaign=campaign, created_by=admin)
    port_a = _free_port()
    a = _uvicorn(port_a)
    try:
        port_b = _free_port()
        b = _uvicorn(port_b)
        try:
            headers = bearer_header(admin)
            stream = Stream(port_a, f"/api/1.0/campaigns/{campaign.pk}/events", headers)
            stream.events_until("stream.ready")
            conn = http.client.HTTPConnection("127.0.0.1", port_b, timeout=10)
            path = (
                f"/api/1.0/campaigns/{campaign.pk}/conversations/{conversation.pk}"
                "/conversation_messages"
            )
            conn.request(
                "POST",
                path,
                json.dumps({"message": "across"}),
                headers | {"Content-Type": "application/json"},
            )
            assert conn.getresponse().status == 200
            answered = time.monotonic()
            frame = stream.next_event(within=5)
            delay = time.monotonic() - answered
            stream.close()
            assert frame["data"]["message"] == "across"
            assert delay < 1.0
        finally:
            _stop(b)
    finally:
        _stop(a)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
