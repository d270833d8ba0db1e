"""Outgoing webhooks (events.md §4): registration rules, signing, one delivery attempt.

Deliveries are at least once: a `WebhookDelivery` row is written with its
event in the change's transaction (`outbox.record`); the task queued on
commit (`events.tasks.deliver_webhook`) makes one attempt and, on failure,
queues the next one by the retry schedule. The row holds all state, so a
lost task only delays a delivery until `events_maintenance` re-queues it.
"""

import base64
import hashlib
import hmac
import json
import random
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from config.outbound import FetchError, public_fetch
from conversations.services import UNSET
from events.models import Event, Webhook, WebhookDelivery

SECRET_PREFIX = "whsec_"
USER_AGENT = "Parley-Webhooks/1"
EXCERPT_BYTES = 1024
ROTATION_OVERLAP = timedelta(hours=24)


class InvalidWebhook(Exception):
    """A registration refused; `field` and `message` for the dialect's error body."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signatures(webhook: Webhook, msg_id: str, timestamp: int, body: bytes) -> str:
    """Space-separated: the new secret's, and the old one's for 24 h after a rotation."""
    values = [signature(webhook.secret, msg_id, timestamp, body)]
    if webhook.previous_secret and webhook.previous_secret_until > timezone.now():
        values.append(signature(webhook.previous_secret, msg_id, timestamp, body))
    return " ".join(values)


def check_url(url: str) -> None:
    """https only, no userinfo; the address check itself runs at each attempt."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    allowed = ("https", "http") if settings.PARLEY_WEBHOOK_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in allowed or not parts.hostname or parts.username or parts.password:
        raise InvalidWebhook("url", "The url must be an https URL.")
    if not settings.PARLEY_WEBHOOK_ALLOW_PRIVATE:
        import ipaddress

        from config.outbound import is_public_address

        try:
            ipaddress.ip_address(parts.hostname)
        except ValueError:
            return  # a name: resolved and checked at each attempt
        if not is_public_address(parts.hostname):
            raise InvalidWebhook("url", "The url must point to a public address.")


def check_events(events) -> list[str]:
    from events.outbox import HOOK_TYPES

    for index, name in enumerate(events):
        if name not in HOOK_TYPES:
            raise InvalidWebhook(f"events.{index}", f"The selected events.{index} is invalid.")
    return list(dict.fromkeys(events))


def check_conversation(workspace_id, conversation_id):
    """A workspace hook's filter: one conversation of its workspace, or None for all."""
    from conversations.models import Conversation

    known = Conversation.objects.filter(pk=conversation_id, workspace_id=workspace_id)
    if conversation_id is not None and not known.exists():
        raise InvalidWebhook("conversation_id", "The selected conversation_id is invalid.")
    return conversation_id


@transaction.atomic
def webhook_create(
    *, actor, url: str, events, campaign_id=None, workspace_id=None, conversation_id=None
) -> Webhook:
    check_url(url)
    events = check_events(events)
    conversation_id = check_conversation(workspace_id, conversation_id) if workspace_id else None
    scope = {"campaign_id": campaign_id} if campaign_id else {"workspace_id": workspace_id}
    if Webhook.objects.filter(**scope).count() >= settings.PARLEY_WEBHOOK_MAX_PER_SCOPE:
        where = "campaign" if campaign_id else "workspace"
        limit = settings.PARLEY_WEBHOOK_MAX_PER_SCOPE
        raise InvalidWebhook("url", f"A {where} has at most {limit} webhooks.")
    return Webhook.objects.create(
        url=url,
        events=events,
        secret=new_secret(),
        created_by=actor,
        conversation_id=conversation_id,
        **scope,
    )


@transaction.atomic
def webhook_update(
    *, webhook: Webhook, url=None, events=None, is_active=None, conversation_id=UNSET
) -> Webhook:
    """Change what is given; `conversation_id` (workspace hooks) may be set back to None."""
    if conversation_id is not UNSET:
        webhook.conversation_id = check_conversation(webhook.workspace_id, conversation_id)
    if url is not None:
        check_url(url)
        webhook.url = url
    if events is not None:
        webhook.events = check_events(events)
    if is_active is True:
        webhook.is_active, webhook.disabled_reason, webhook.consecutive_failures = True, None, 0
    elif is_active is False:
        webhook.is_active = False
    webhook.updated_at = timezone.now()
    webhook.save()
    return webhook


@transaction.atomic
def webhook_rotate_secret(*, webhook: Webhook) -> Webhook:
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    webhook.secret = new_secret()
    webhook.save()
    return webhook


# --- delivering -------------------------------------------------------------------


def _schedule() -> list[int]:
    return [int(s) for s in settings.PARLEY_WEBHOOK_RETRY_SCHEDULE.split(",") if s.strip()]


# What a thin body keeps of the rendered object: its type's tombstone ids (§2), by
# dialect and subject (a workspace participant event carries the conversation).
TOMBSTONE_KEYS = {
    ("campaign", "conversation"): ("id", "entity_id"),
    ("campaign", "conversation_participant"): ("id", "conversation_id", "character_id", "user_id"),
    ("campaign", "conversation_message"): ("id", "conversation_id"),
    ("workspace", "conversation"): ("id", "workspace_id"),
    ("workspace", "conversation_participant"): ("id", "workspace_id"),
    ("workspace", "conversation_message"): ("id", "conversation_id", "workspace_id", "obj_index"),
}


@dataclass(frozen=True)
class Body:
    text: str
    thin: bool = False


def render_body(delivery: WebhookDelivery, event: Event | None) -> Body | None:
    """The body, rendered once as the owner (§4.3); None: the owner may not read it now.

    Over PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES the body keeps only the object's ids (its
    tombstone): flagged `"thin": true` in a campaign envelope, and in both dialects by
    the `parley-payload: thin` header (a workspace body is the bare object).
    """
    from events import render

    webhook = delivery.webhook
    if event is None:  # webhook.ping
        data = {"webhook_id": webhook.pk} if webhook.campaign_id else {"hook_id": webhook.pk}
        type_ = "webhook.ping"
    else:
        audience = owner_audience(webhook)
        if audience is None:
            return None
        frames = render.frames_for(audience, [event])
        if not frames or frames[0][1] is None:
            return None
        _, type_, data = frames[0]
    if webhook.campaign_id:
        envelope = {
            "id": f"evt_{delivery.event_cursor}",
            "type": type_,
            "webhook_id": webhook.pk,
            "timestamp": timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
            "campaign_id": webhook.campaign_id,
        }
        body = {"event": envelope, "data": data}
    else:
        body = data
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode()) <= settings.PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES:
        return Body(text)
    dialect = "campaign" if webhook.campaign_id else "workspace"
    keys = TOMBSTONE_KEYS.get((dialect, type_.split(".")[0]), ("id",))
    ids = {key: data.get(key) for key in keys}
    thin = {"event": envelope | {"thin": True}, "data": ids} if webhook.campaign_id else ids
    return Body(json.dumps(thin, separators=(",", ":")), thin=True)


def owner_audience(webhook: Webhook):
    """What the owner may read now (a campaign admin's view; their workspace conversations)."""
    from conversations import exceptions
    from events.render import Audience

    owner = webhook.created_by
    try:
        if webhook.campaign_id:
            from campaigns.selectors import access_campaign
            from conversations.policy import ADMINS

            campaign, role = access_campaign(user=owner, campaign_id=webhook.campaign_id)
            if role not in ADMINS:
                return None
            return Audience("campaign", owner, campaign.pk, role, campaign=campaign)
        from conversations.policy import Role
        from workspaces.selectors import access_workspace

        workspace, role = access_workspace(user=owner, workspace_id=webhook.workspace_id)
        if role != Role.ADMIN:
            return None
        return Audience("workspace", owner, workspace.pk, role)
    except exceptions.NotFound:
        return None


def attempt(delivery_id: int) -> None:
    """One attempt at a pending delivery; schedules the next on failure (the task's body)."""
    delivery = (
        WebhookDelivery.objects.select_related("webhook__created_by")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return
    webhook = delivery.webhook
    if not webhook.is_active:
        _finish(delivery, WebhookDelivery.Status.CANCELLED)
        return
    if not delivery.body:
        event = Event.objects.filter(pk=delivery.event_id).first() if delivery.event_id else None
        body = render_body(delivery, event)
        if body is None:
            if owner_audience(webhook) is None:
                _disable(webhook, Webhook.DisabledReason.OWNER_LOST_ACCESS)
            _finish(delivery, WebhookDelivery.Status.SKIPPED)
            return
        delivery.body, delivery.thin = body.text, body.thin
    msg_id = f"evt_{delivery.event_cursor}"
    timestamp = int(time.time())
    payload = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures(webhook, msg_id, timestamp, payload),
        "parley-event-type": delivery.event_type,
        "parley-delivery-attempt": str(delivery.attempts + 1),
    }
    if delivery.thin:
        headers["parley-payload"] = "thin"
    status, error, excerpt, retry_after = None, "", "", None
    try:
        answer = public_fetch(
            webhook.url,
            method="POST",
            body=payload,
            headers=headers,
            max_bytes=EXCERPT_BYTES,
            deadline=settings.PARLEY_WEBHOOK_TIMEOUT_SECONDS,
            schemes=("http", "https") if settings.PARLEY_WEBHOOK_ALLOW_PRIVATE else ("https",),
            max_redirects=0,
            allow_private=settings.PARLEY_WEBHOOK_ALLOW_PRIVATE,
            any_status=True,
        )
        status = answer.status
        excerpt = answer.content.decode("utf-8", "replace")
        answer_headers = {k.lower(): v for k, v in answer.headers}
        if 300 <= status < 400:
            error = f"redirect to {answer_headers.get('location', '')} not followed"
        if status in (429, 503) and answer_headers.get("retry-after", "").isdigit():
            retry_after = min(int(answer_headers["retry-after"]), 3600)
    except FetchError as failure:
        error = str(failure)[:500]
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status
    delivery.last_error = error
    delivery.response_excerpt = excerpt
    delivery.attempt_log.append(
        {"at": now.isoformat(), "status": status, "error": error, "signed_at": timestamp}
    )
    if status is not None and 200 <= status < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.finished_at = now
        delivery.save()
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0, last_success_at=now)
        return
    Webhook.objects.filter(pk=webhook.pk).update(last_failure_at=now)
    schedule = _schedule()
    if status == 410:
        delivery.save()
        _finish(delivery, WebhookDelivery.Status.FAILED)
        _disable(webhook, Webhook.DisabledReason.GONE)
        return
    if delivery.attempts > len(schedule):
        delivery.save()
        _finish(delivery, WebhookDelivery.Status.FAILED)
        failures = webhook.consecutive_failures + 1
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=failures)
        if failures >= settings.PARLEY_WEBHOOK_DISABLE_AFTER:
            _disable(webhook, Webhook.DisabledReason.FAILURES)
        return
    wait = schedule[delivery.attempts - 1] * random.uniform(0.8, 1.2)
    if retry_after is not None:
        wait = max(wait, retry_after)
    delivery.next_attempt_at = now + timedelta(seconds=wait)
    delivery.save()
    from events.tasks import enqueue_delivery

    transaction.on_commit(lambda: enqueue_delivery(delivery.pk, run_after=delivery.next_attempt_at))


def _finish(delivery: WebhookDelivery, status: str) -> None:
    delivery.status = status
    delivery.finished_at = timezone.now()
    delivery.save()


def _disable(webhook: Webhook, reason: str) -> None:
    """Disable, cancel what is pending, and tell the owner by mail."""
    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=False, disabled_reason=reason, updated_at=timezone.now()
    )
    WebhookDelivery.objects.filter(webhook=webhook, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.CANCELLED, finished_at=timezone.now()
    )
    if webhook.created_by.email:
        send_mail(
            "Parley: a webhook was disabled",
            f"Your webhook {webhook.url} was disabled ({reason}). Re-enable it once fixed.",
            None,
            [webhook.created_by.email],
            fail_silently=True,
        )


@transaction.atomic
def webhook_ping(*, webhook: Webhook) -> WebhookDelivery:
    """`test`: a `webhook.ping` delivery, queued on commit like any other."""
    from events.tasks import enqueue_delivery

    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event_cursor=f"ping{secrets.token_hex(4)}", event_type="webhook.ping"
    )
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    return delivery


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery) -> None:
    """The admin's redeliver: pending again with a fresh attempt count, the same body and id."""
    from events.tasks import enqueue_delivery

    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.finished_at = None
    delivery.save()
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk))


def requeue_overdue() -> int:
    """Pending deliveries more than 60 s overdue (a task lost between commit and enqueue)."""
    from events.tasks import enqueue_delivery

    cutoff = timezone.now() - timedelta(seconds=60)
    overdue = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).filter(
        models.Q(next_attempt_at__lt=cutoff)
        | models.Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
    )
    ids = list(overdue.values_list("pk", flat=True)[:1000])
    for pk in ids:
        enqueue_delivery(pk)
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    return len(ids)
