"""The Moderators group gets what the reports queue, suspensions and token revocation need.

`view_report` (the queue; acting on it is `moderate_conversation`, which the
group has), `suspend_user` (suspend and lift) and, to revoke a user's
personal access tokens, `view_personalaccesstoken` and
`revoke_personalaccesstoken`. Still no add, change or delete permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("conversations", "view_report"),
    ("accounts", "suspend_user"),
    ("accounts", "view_personalaccesstoken"),
    ("accounts", "revoke_personalaccesstoken"),
]


def _permissions(apps):
    for app_label in {app for app, _ in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_suspension_and_token_last_used"),
        ("conversations", "0008_message_removal_and_reports"),
        ("conversations", "0002_moderators_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
