from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import PersonalAccessToken, User
from conversations import moderation, policy
from conversations.admin import SuspendForm, confirm_with_reason


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "is_subscriber",
        "is_staff",
        "suspended",
        "conversations",
    )
    list_filter = ("is_subscriber", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    readonly_fields = ("suspended_at", "suspended_until", "suspension_reason")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Parley", {"fields": ("display_name", "is_subscriber")}),
        ("Suspension", {"fields": ("suspended_at", "suspended_until", "suspension_reason")}),
    )
    actions = ("suspend", "unsuspend")

    @admin.display(description="conversations")
    def conversations(self, obj):
        """Where a moderator looks up what someone takes part in (a link, no query)."""
        url = reverse("admin:conversations_participant_changelist")
        return format_html('<a href="{}?user__id__exact={}">participations</a>', url, obj.pk)

    @admin.display(description="suspended", boolean=True)
    def suspended(self, obj):
        return obj.is_suspended

    def has_suspend_permission(self, request):
        return request.user.has_perm("accounts.suspend_user") and policy.is_moderator(request.user)

    @admin.action(description="Suspend selected users", permissions=["suspend"])
    def suspend(self, request, queryset):
        return confirm_with_reason(
            self,
            request,
            queryset,
            action="suspend",
            question="Suspend these users? Their tokens only read, and their sessions end.",
            done="Suspended {count} user(s).",
            perform=lambda users, reason, until: moderation.users_suspend(
                moderator=request.user, users=users, reason=reason, until=until
            ),
            describe=lambda user: f"{user.name} ({user.username})",
            form_class=SuspendForm,
        )

    @admin.action(description="Lift the suspension of selected users", permissions=["suspend"])
    def unsuspend(self, request, queryset):
        return confirm_with_reason(
            self,
            request,
            queryset,
            action="unsuspend",
            question="Lift these users' suspensions?",
            done="Lifted {count} suspension(s).",
            perform=lambda users, reason: moderation.users_unsuspend(
                moderator=request.user, users=users, reason=reason
            ),
            describe=lambda user: f"{user.name} ({user.username})",
        )


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Personal access tokens: who owns them, what they allow, when they were last used.

    Read-only; the one change is the revoke action (the token is deleted,
    so it stops working on the next request), logged on the owner.
    """

    list_display = ("name", "user", "scopes", "created_at", "expires", "last_used_at", "valid")
    list_select_related = ("user", "access_token")
    search_fields = ("name", "user__username")
    fields = ("name", "user", "scopes", "created_at", "expires", "last_used_at")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.revoke_personalaccesstoken")

    @admin.display(description="scopes")
    def scopes(self, obj):
        return obj.access_token.scope

    @admin.display(description="expires", ordering="access_token__expires")
    def expires(self, obj):
        return obj.access_token.expires

    @admin.display(description="valid", boolean=True)
    def valid(self, obj):
        return obj.access_token.expires > timezone.now()

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.select_related("user", "access_token"):
            with transaction.atomic():
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=[token.user],
                    action_flag=CHANGE,
                    change_message=f"Revoked the personal access token “{token}”.",
                )
                token.access_token.delete()
            revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)
