"""Daily housekeeping: removed messages past their retention, then uploads no message holds."""

from django.core.management.base import BaseCommand

from conversations.attachments import attachments_purge_unreferenced
from conversations.services.removal import messages_purge


class Command(BaseCommand):
    help = (
        "Delete for good the messages moderators removed more than "
        "MODERATION_RETENTION_DAYS ago, then the attachment uploads older than 24 hours "
        "that no message holds (run it daily, e.g. from cron)."
    )

    def handle(self, *args, **options):
        purged = messages_purge()
        self.stdout.write(f"Purged {purged} removed message(s).")
        uploads = attachments_purge_unreferenced()
        self.stdout.write(f"Purged {uploads} unreferenced upload(s).")
