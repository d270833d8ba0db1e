"""Participant.unread: get_unread reads only the unread rows (issue 14).

Existing rows get the flag from the comparison it stands for.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def fill_unread(apps, schema_editor):
    Conversation = apps.get_model("conversations", "Conversation")
    Participant = apps.get_model("conversations", "Participant")
    last = Conversation.objects.filter(pk=OuterRef("conversation_id")).values("last_obj_index")
    Participant.objects.filter(user__isnull=False).annotate(last=Subquery(last)).filter(
        last__gt=F("last_read_obj_index")
    ).update(unread=True)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("conversations", "0002_moderators_group"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="unread",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="A user row's conversation.last_obj_index > last_read_obj_index.",
            ),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                condition=models.Q(("unread", True)),
                fields=["user", "conversation"],
                name="participant_unread",
            ),
        ),
        migrations.RunPython(fill_unread, migrations.RunPython.noop),
    ]
