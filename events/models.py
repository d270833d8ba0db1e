"""The transactional outbox (events.md §1): one row per observable change.

Rows are written in the change's own transaction (`events.outbox.record`), so
a rollback leaves none, and read by the stream hubs (and, later, webhook
deliveries). No foreign keys: an event outlives what it describes (a removed
message's event is its tombstone) and must never cascade or block a delete.
"""

from django.db import models
from django.utils import timezone


class Event(models.Model):
    class RoleFilter(models.TextChoices):
        ADMINS = "admins", "Admins only"
        NON_ADMINS = "non_admins", "Everyone but admins"

    created_at = models.DateTimeField(default=timezone.now)
    type = models.CharField(max_length=64)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    workspace_id = models.BigIntegerField(null=True, blank=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    object_id = models.BigIntegerField(
        null=True, blank=True, help_text="The message or participant the event is about."
    )
    actor_id = models.BigIntegerField(null=True, blank=True)
    audience = models.JSONField(
        null=True, blank=True, help_text="User ids; null: every reader of the campaign."
    )
    role_filter = models.CharField(  # noqa: DJ001 (null = no filter, not a blank filter)
        max_length=16, choices=RoleFilter.choices, null=True, blank=True
    )
    snapshot = models.JSONField(
        default=dict, blank=True, help_text="Tombstone ids, changed fields, reason; never text."
    )
    # PostgreSQL only: the writing transaction's id (pg_current_xact_id). Readers
    # deliver rows below the oldest running transaction, in (xact_id, id) order,
    # so a late commit of a lower id is never skipped (events.md §1.2).
    xact_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(campaign_id__isnull=False, workspace_id__isnull=True)
                    | models.Q(campaign_id__isnull=True, workspace_id__isnull=False)
                ),
                name="event_in_exactly_one_scope",
            ),
        ]
        indexes = [
            # The hub's read of everything after its cursor (PostgreSQL order).
            models.Index(fields=["xact_id", "id"], name="event_xact_order"),
            # A stream's replay: one scope's events after its cursor.
            models.Index(fields=["campaign_id", "id"], name="event_campaign_order"),
            models.Index(fields=["workspace_id", "id"], name="event_workspace_order"),
            # events_maintenance: everything older than the retention window.
            models.Index(fields=["created_at"], name="event_created"),
        ]

    def __str__(self):
        return f"{self.type} #{self.pk}"


class OutboxState(models.Model):
    """One row: the newest event id pruned; a cursor at or below it gets `stream.reset`."""

    pruned_through = models.BigIntegerField(default=0)
    pruned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"pruned through #{self.pruned_through}"


class Webhook(models.Model):
    """An admin's registered URL for some event types of one campaign or workspace."""

    class DisabledReason(models.TextChoices):
        FAILURES = "failures", "Failed deliveries in a row"
        GONE = "gone", "The receiver answered 410 Gone"
        OWNER_LOST_ACCESS = "owner_lost_access", "The owner is no longer an admin"

    campaign_id = models.BigIntegerField(null=True, blank=True)
    workspace_id = models.BigIntegerField(null=True, blank=True)
    conversation_id = models.BigIntegerField(
        null=True, blank=True, help_text="Workspace hooks: only this conversation's events."
    )
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(  # noqa: DJ001 (null while active)
        max_length=32, choices=DisabledReason.choices, null=True, blank=True
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", help_text="The owner."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # outbox.record: the scope's active webhooks.
            models.Index(fields=["campaign_id", "is_active"], name="webhook_campaign_active"),
            models.Index(fields=["workspace_id", "is_active"], name="webhook_workspace_active"),
        ]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event to one webhook: its state is here; the task only triggers an attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField(null=True, blank=True)
    event_cursor = models.CharField(max_length=48)
    event_type = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)
    attempt_log = models.JSONField(default=list, blank=True)
    body = models.TextField(blank=True, help_text="Rendered once as the owner; resent unchanged.")
    thin = models.BooleanField(
        default=False,
        help_text="The rendering was over the size cap: ids only (parley-payload: thin).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The delivery log: a webhook's deliveries, newest first.
            models.Index(fields=["webhook", "-id"], name="delivery_by_webhook"),
            # events_maintenance: pending deliveries overdue.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.webhook_id} ({self.status})"
