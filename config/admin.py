"""Parley's admin site: Parley's name on it, and the reports queue first.

A moderator's index starts with the queue (how many messages wait in it),
then lists only what they may see; the OAuth tables (applications, grants,
raw tokens) are listed for superusers only, since tokens are revoked from
"Personal access tokens".
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

SUPERUSER_ONLY_APPS = {"oauth2_provider"}


class ParleyAdminSite(admin.AdminSite):
    site_header = "Parley moderation"
    site_title = "Parley admin"
    index_title = "Moderation"
    index_template = "admin/parley_index.html"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if not request.user.is_superuser:
            apps = [app for app in apps if app["app_label"] not in SUPERUSER_ONLY_APPS]
        # Conversations (with Reports first in it) before everything else.
        apps.sort(key=lambda app: app["app_label"] != "conversations")
        for app in apps:
            if app["app_label"] == "conversations":
                app["models"].sort(key=lambda model: model["object_name"] != "Report")
        return apps

    def index(self, request, extra_context=None):
        from conversations import moderation, policy

        extra_context = extra_context or {}
        if policy.is_moderator(request.user):
            extra_context["open_reports"] = moderation.open_reports_count()
        return super().index(request, extra_context)


class ParleyAdminConfig(AdminConfig):
    default_site = "config.admin.ParleyAdminSite"
