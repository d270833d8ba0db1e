"""`manage.py events_maintenance`: run each minute; idempotent (events.md §1.4)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events import webhooks
from events.models import Event, OutboxState, WebhookDelivery


class Command(BaseCommand):
    help = (
        "Drop events past PARLEY_EVENTS_RETENTION_DAYS (older cursors get stream.reset), "
        "delivery logs past PARLEY_WEBHOOK_LOG_DAYS and finished task rows; re-queue "
        "deliveries more than 60 s overdue."
    )

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=settings.PARLEY_EVENTS_RETENTION_DAYS)
        with transaction.atomic():
            state, _ = OutboxState.objects.select_for_update().get_or_create(pk=1)
            old = Event.objects.filter(created_at__lt=cutoff)
            newest = old.aggregate(newest=Max("id"))["newest"]
            deleted = 0
            if newest is not None:
                deleted, _ = old.delete()
                state.pruned_through = max(state.pruned_through, newest)
                state.pruned_at = timezone.now()
                state.save()
        log_cutoff = timezone.now() - timedelta(days=settings.PARLEY_WEBHOOK_LOG_DAYS)
        logs, _ = WebhookDelivery.objects.filter(finished_at__lt=log_cutoff).delete()
        tasks, _ = DBTaskResult.objects.finished().delete()
        requeued = webhooks.requeue_overdue()
        if options["verbosity"]:
            self.stdout.write(
                f"events: {deleted} pruned, pruned through #{state.pruned_through}; "
                f"{logs} delivery logs and {tasks} finished tasks dropped; {requeued} re-queued"
            )
