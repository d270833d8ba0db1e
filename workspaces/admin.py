from django.contrib import admin

from conversations.admin import LiveConversationsColumn
from workspaces.models import Workspace, WorkspaceMember


class WorkspaceMemberInline(admin.TabularInline):
    model = WorkspaceMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(LiveConversationsColumn, admin.ModelAdmin):
    conversations_lookup = "workspace__id__exact"
    list_display = ("name", "creator", "conversations", "created_at")
    list_select_related = ("creator",)
    search_fields = ("name",)
    autocomplete_fields = ("creator",)
    inlines = [WorkspaceMemberInline]


@admin.register(WorkspaceMember)
class WorkspaceMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "role")
    list_filter = ("role",)
    list_select_related = ("user", "workspace")
    search_fields = ("user__username", "user__display_name", "workspace__name")
    autocomplete_fields = ("user", "workspace")
