"""Delete for good the messages moderators removed longer ago than the retention period."""

from django.core.management.base import BaseCommand

from conversations.services.removal import messages_purge


class Command(BaseCommand):
    help = (
        "Delete for good the messages moderators removed more than "
        "MODERATION_RETENTION_DAYS ago (run it daily, e.g. from cron)."
    )

    def handle(self, *args, **options):
        purged = messages_purge()
        self.stdout.write(f"Purged {purged} removed message(s).")
