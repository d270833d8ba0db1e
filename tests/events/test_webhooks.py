"""Outgoing webhooks: management in the Kanka dialect, signed deliveries, retries, disabling."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from standardwebhooks.webhooks import Webhook as StandardWebhook

from events.models import Webhook, WebhookDelivery
from tests.factories import CampaignMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """An HTTP server on 127.0.0.1 answering each POST with the next status of `statuses`."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory(settings):
    settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = True
    settings.PARLEY_WEBHOOK_RETRY_SCHEDULE = "0,0"
    settings.CAMPAIGN_API_RATE_LIMIT = 10_000
    settings.CAMPAIGN_API_DATETIME_FORMAT = "seed"
    made = []

    def make(statuses=(200,)):
        receiver = Receiver(statuses)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


def api(client, bearer, user, method, path, body=None):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    args = (json.dumps(body),) if body is not None else ()
    return getattr(client, method)(f"/api/1.0/{path}", *args, **kwargs, **bearer(user))


def drain():
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def register(client, bearer, campaign, admin, url):
    response = api(
        client,
        bearer,
        admin,
        "post",
        f"campaigns/{campaign.pk}/webhooks",
        {"url": url, "events": ["conversation_message.added"]},
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]


def by_hand(secret: str, headers: dict, body: bytes) -> bool:
    """The Standard Webhooks check written out, independent of Parley's code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(value.split(",", 1)[1], expected)
        for value in headers["webhook-signature"].split()
    )


def test_a_posted_message_is_delivered_signed(client, bearer, campaign_setup, receiver_factory):
    campaign, conversation, admin = campaign_setup
    receiver = receiver_factory()
    hook = register(client, bearer, campaign, admin, receiver.url)
    assert hook["secret"].startswith("whsec_")
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    message = api(client, bearer, admin, "post", base, {"message": "Hi"}).json()["data"]
    drain()
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert by_hand(hook["secret"], headers, body)
    StandardWebhook(hook["secret"]).verify(body, headers)  # raises if wrong
    payload = json.loads(body)
    assert payload["event"]["type"] == "conversation_message.added"
    assert payload["event"]["id"] == headers["webhook-id"]
    assert payload["event"]["webhook_id"] == hook["id"]
    assert payload["data"] == message
    assert headers["parley-event-type"] == "conversation_message.added"
    assert headers["user-agent"] == "Parley-Webhooks/1"
    log = api(
        client, bearer, admin, "get", f"campaigns/{campaign.pk}/webhooks/{hook['id']}/deliveries"
    )
    assert [d["status"] for d in log.json()["data"]] == ["succeeded"]


def test_a_body_over_the_size_cap_is_thin_ids_only(
    client, bearer, campaign_setup, receiver_factory, settings
):
    settings.PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES = 300
    campaign, conversation, admin = campaign_setup
    receiver = receiver_factory()
    hook = register(client, bearer, campaign, admin, receiver.url)
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    message = api(client, bearer, admin, "post", base, {"message": "x" * 400}).json()["data"]
    drain()
    headers, body = receiver.requests[0]
    headers = {k.lower(): v for k, v in headers.items()}
    StandardWebhook(hook["secret"]).verify(body, headers)
    payload = json.loads(body)
    assert headers["parley-payload"] == "thin"
    assert payload["event"]["thin"] is True
    assert payload["data"] == {"id": message["id"], "conversation_id": conversation.pk}


def test_a_500_is_retried_with_the_same_id_and_a_new_signature(
    client, bearer, campaign_setup, receiver_factory
):
    campaign, conversation, admin = campaign_setup
    receiver = receiver_factory([500, 200])
    hook = register(client, bearer, campaign, admin, receiver.url)
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    api(client, bearer, admin, "post", base, {"message": "Hi"})
    drain()
    drain()
    assert len(receiver.requests) == 2
    (first, body1), (second, body2) = receiver.requests
    assert first["webhook-id"] == second["webhook-id"]
    assert body1 == body2
    assert second["parley-delivery-attempt"] == "2"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, len(delivery.attempt_log)) == ("succeeded", 2, 2)
    assert Webhook.objects.get(pk=hook["id"]).consecutive_failures == 0


def test_repeated_failure_disables_the_webhook_and_mails_the_owner(
    client, bearer, campaign_setup, receiver_factory
):
    campaign, conversation, admin = campaign_setup
    receiver = receiver_factory([500])
    hook = register(client, bearer, campaign, admin, receiver.url)
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    for n in range(5):
        api(client, bearer, admin, "post", base, {"message": f"m{n}"})
        for _ in range(3):  # the first attempt and two retries ("0,0")
            drain()
    webhook = Webhook.objects.get(pk=hook["id"])
    assert (webhook.is_active, webhook.disabled_reason) == (False, "failures")
    assert len(mail.outbox) == 1
    shown = api(client, bearer, admin, "get", f"campaigns/{campaign.pk}/webhooks/{hook['id']}")
    assert shown.json()["data"]["disabled_reason"] == "failures"
    # Nothing is queued while disabled; re-enabling zeroes the failures.
    api(client, bearer, admin, "post", base, {"message": "while off"})
    assert WebhookDelivery.objects.filter(status="pending").count() == 0
    again = api(
        client,
        bearer,
        admin,
        "patch",
        f"campaigns/{campaign.pk}/webhooks/{hook['id']}",
        {"is_active": True},
    ).json()["data"]
    assert (again["is_active"], again["consecutive_failures"], again["disabled_reason"]) == (
        True,
        0,
        None,
    )


def test_a_410_disables_at_once(client, bearer, campaign_setup, receiver_factory):
    campaign, conversation, admin = campaign_setup
    receiver = receiver_factory([410])
    hook = register(client, bearer, campaign, admin, receiver.url)
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    api(client, bearer, admin, "post", base, {"message": "Hi"})
    drain()
    assert Webhook.objects.get(pk=hook["id"]).disabled_reason == "gone"


def test_rotating_signs_with_both_secrets(client, bearer, campaign_setup, receiver_factory):
    campaign, conversation, admin = campaign_setup
    receiver = receiver_factory()
    hook = register(client, bearer, campaign, admin, receiver.url)
    rotated = api(
        client,
        bearer,
        admin,
        "post",
        f"campaigns/{campaign.pk}/webhooks/{hook['id']}/rotate_secret",
    ).json()["data"]
    assert rotated["secret"] != hook["secret"]
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    api(client, bearer, admin, "post", base, {"message": "Hi"})
    drain()
    headers, body = receiver.requests[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert len(headers["webhook-signature"].split()) == 2
    assert by_hand(hook["secret"], headers, body)
    assert by_hand(rotated["secret"], headers, body)


def test_test_queues_a_ping(client, bearer, campaign_setup, receiver_factory):
    campaign, _, admin = campaign_setup
    receiver = receiver_factory()
    hook = register(client, bearer, campaign, admin, receiver.url)
    response = api(
        client, bearer, admin, "post", f"campaigns/{campaign.pk}/webhooks/{hook['id']}/test"
    )
    assert response.json()["data"]["event_type"] == "webhook.ping"
    drain()
    assert json.loads(receiver.requests[0][1])["data"] == {"webhook_id": hook["id"]}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"url": "http://hooks.example.com/x", "events": ["conversation_message.added"]},
            "url",
            "The url must be an https URL.",
        ),
        (
            {"url": "https://10.0.0.1/x", "events": ["conversation_message.added"]},
            "url",
            "The url must point to a public address.",
        ),
        (
            {"url": "https://hooks.example.com/x", "events": ["nope"]},
            "events.0",
            "The selected events.0 is invalid.",
        ),
    ],
)
def test_bad_registrations_are_422_and_change_nothing(
    client, bearer, campaign_setup, body, field, message
):
    campaign, _, admin = campaign_setup
    response = api(client, bearer, admin, "post", f"campaigns/{campaign.pk}/webhooks", body)
    assert (response.status_code, response.json()) == (
        422,
        {"code": 422, "error": message, "fields": {field: [message]}},
    )
    assert not Webhook.objects.exists()


def test_players_get_403(client, bearer, campaign_setup):
    campaign, _, _ = campaign_setup
    player = CampaignMemberFactory(campaign=campaign).user
    response = api(client, bearer, player, "get", f"campaigns/{campaign.pk}/webhooks")
    assert (response.status_code, response.json()) == (
        403,
        {"code": 403, "error": "This action is unauthorized."},
    )


def test_http_is_refused_at_delivery_without_the_test_relaxation(
    client, bearer, campaign_setup, settings
):
    """The fetcher itself refuses plain http and private addresses (SSRF)."""
    from config.outbound import FetchError, public_fetch

    for url in ("http://127.0.0.1:9/x", "https://127.0.0.1:9/x", "https://[::1]:9/x"):
        with pytest.raises(FetchError):
            public_fetch(
                url,
                method="POST",
                body=b"{}",
                max_bytes=10,
                deadline=2,
                schemes=("https",),
                max_redirects=0,
                any_status=True,
            )


@pytest.mark.parametrize("answer", ["10.0.0.7", "::ffff:169.254.169.254"])
def test_a_host_that_resolves_private_after_registration_is_refused_at_delivery(
    client, bearer, campaign_setup, monkeypatch, answer
):
    """DNS rebinding: the name is accepted at registration; the answer at delivery is checked."""
    import socket

    campaign, conversation, admin = campaign_setup
    hook = register(client, bearer, campaign, admin, "https://hooks.example.com/parley")
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebound(host, port, *args, **kwargs):
        if host != "hooks.example.com":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        family = socket.AF_INET6 if ":" in answer else socket.AF_INET
        address = (answer, port, 0, 0) if family == socket.AF_INET6 else (answer, port)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)]

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    api(client, bearer, admin, "post", base, {"message": "Hi"})
    drain()

    delivery = WebhookDelivery.objects.get(webhook_id=hook["id"])
    assert lookups == ["hooks.example.com"]
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert "resolves to an address that is not public" in delivery.last_error
    assert delivery.status == WebhookDelivery.Status.PENDING  # retried later, checked again
