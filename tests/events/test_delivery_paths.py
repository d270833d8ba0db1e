"""How an event gets out of one process: the embedded default, and a Redis wake-up alone.

Both run the suite's in-thread uvicorn server (tests/events/conftest.py), no
subprocess: one process is what the embedded default is (events.md §6.17),
and the Redis test takes this process's own commit hook out of the way so
that only the PUBLISH can wake the hub before its 30 s poll.
"""

import http.client
import json
import os
import time
import uuid

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from events import wakeup
from tests.events.conftest import bearer_header
from tests.events.test_webhooks import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def _request(port, method, path, user, body) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = bearer_header(user) | {"Content-Type": "application/json"}
    conn.request(method, path, json.dumps(body), headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read())


@pytest.fixture
def embedded(settings):
    """The embedded default's worker (on with SQLite), started by the server's lifespan."""
    settings.PARLEY_INPROCESS_WORKER = True
    settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver([200])
    yield receiver
    receiver.close()


def test_one_process_streams_and_delivers_a_webhook_with_no_worker_process(
    embedded, server, campaign_setup
):
    campaign, conversation, admin = campaign_setup
    base = f"/api/1.0/campaigns/{campaign.pk}"
    status, hook = _request(
        server.port,
        "POST",
        f"{base}/webhooks",
        admin,
        {"url": embedded.url, "events": ["conversation_message.added"]},
    )
    assert status == 200
    stream = server.open(f"{base}/events", bearer_header(admin))
    stream.events_until("stream.ready")

    status, posted = _request(
        server.port,
        "POST",
        f"{base}/conversations/{conversation.pk}/conversation_messages",
        admin,
        {"message": "embedded"},
    )
    assert status == 200
    event = stream.next_event()
    deadline = time.monotonic() + 15  # the in-process worker polls its queue each second
    while not embedded.requests and time.monotonic() < deadline:
        time.sleep(0.05)

    assert (event["event"], event["data"]["id"]) == (
        "conversation_message.added",
        posted["data"]["id"],
    )
    assert len(embedded.requests) == 1
    headers, body = embedded.requests[0]
    StandardWebhook(hook["data"]["secret"]).verify(body, {k.lower(): v for k, v in headers.items()})
    assert json.loads(body)["data"]["message"] == "embedded"


@pytest.fixture
def redis_only(settings, monkeypatch):
    """The hub listens on a channel of this test's own (other sessions may PUBLISH on the
    shared one), and no poll comes before the stream's read times out."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL")
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.PARLEY_EVENTS_WAKEUP = "redis"
    settings.PARLEY_EVENTS_POLL_SECONDS = 30
    monkeypatch.setattr(wakeup, "REDIS_CHANNEL", f"parley_events_test_{uuid.uuid4().hex}")


def test_a_redis_wake_up_alone_wakes_the_stream(
    redis_only, server, monkeypatch, client, campaign_setup
):
    campaign, conversation, admin = campaign_setup
    stream = server.open(f"/api/1.0/campaigns/{campaign.pk}/events", bearer_header(admin))
    stream.events_until("stream.ready")
    # As if the post came through another server: this process's hub is not poked.
    monkeypatch.setattr(wakeup, "_local_hubs", [])

    response = client.post(
        f"/api/1.0/campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages",
        json.dumps({"message": "over redis"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer_header(admin)["Authorization"],
    )
    assert response.status_code == 200
    event = stream.next_event(within=10)

    assert event["event"] == "conversation_message.added"
    assert event["data"]["message"] == "over redis"
