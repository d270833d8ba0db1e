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
