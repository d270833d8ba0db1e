from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from workspaces.models import Workspace, WorkspaceMember


class WorkspaceMemberInline(admin.TabularInline):
    model = WorkspaceMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "creator", "conversations", "created_at")
    list_select_related = ("creator",)
    search_fields = ("name",)
    autocomplete_fields = ("creator",)
    inlines = [WorkspaceMemberInline]

    def get_queryset(self, request):
        # Counted in the list's own query, not once per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                conversation_total=Count(
                    "conversations", filter=Q(conversations__deleted_at__isnull=True)
                )
            )
        )

    @admin.display(description="conversations", ordering="conversation_total")
    def conversations(self, obj):
        """The live conversation count, linking to the moderators' list of them."""
        url = reverse("admin:conversations_conversation_changelist")
        return format_html(
            '<a href="{}?workspace__id__exact={}">{}</a>', url, obj.pk, obj.conversation_total
        )


@admin.register(WorkspaceMember)
class WorkspaceMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "role")
    list_filter = ("role",)
    list_select_related = ("user", "workspace")
    search_fields = ("user__username", "user__display_name", "workspace__name")
    autocomplete_fields = ("user", "workspace")
