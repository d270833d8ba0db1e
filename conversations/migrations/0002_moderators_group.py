"""The "Moderators" group: staff who moderate conversations in the admin.

Exactly what moderation needs: `moderate_conversation` (the moderation
actions, see conversations/admin.py) and view access to conversations, their
participants and messages, and to the users, campaigns, characters and
workspaces a moderator must look up to judge them. No add, change or delete
permission: every change is a moderation action through the domain services.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("conversations", "moderate_conversation"),
    ("conversations", "view_conversation"),
    ("conversations", "view_participant"),
    ("conversations", "view_message"),
    ("accounts", "view_user"),
    ("campaigns", "view_campaign"),
    ("campaigns", "view_character"),
    ("workspaces", "view_workspace"),
]


def create_moderators(apps, schema_editor):
    # Permissions are normally created after `migrate` (post_migrate); create
    # them now so that a fresh database gets a complete group.
    for app_label in {app for app, _ in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]
    group.permissions.set(wanted)


def delete_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_personalaccesstoken"),
        ("campaigns", "0001_initial"),
        ("workspaces", "0001_initial"),
        ("conversations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_moderators, delete_moderators)]
