from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import PersonalAccessToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "is_subscriber",
        "is_staff",
        "conversations",
    )
    list_filter = ("is_subscriber", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Parley", {"fields": ("display_name", "is_subscriber")}),
    )

    @admin.display(description="conversations")
    def conversations(self, obj):
        """Where a moderator looks up what someone takes part in (a link, no query)."""
        url = reverse("admin:conversations_participant_changelist")
        return format_html('<a href="{}?user__id__exact={}">participations</a>', url, obj.pk)


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username")
    autocomplete_fields = ("user",)
    readonly_fields = ("access_token", "created_at")
