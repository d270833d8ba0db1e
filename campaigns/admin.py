from django.contrib import admin

from campaigns.models import Campaign, CampaignMember, Character, Entity, Tag
from conversations.admin import LiveConversationsColumn


class CampaignMemberInline(admin.TabularInline):
    model = CampaignMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Campaign)
class CampaignAdmin(LiveConversationsColumn, admin.ModelAdmin):
    conversations_lookup = "campaign__id__exact"
    list_display = ("name", "is_public", "conversations", "created_at")
    list_filter = ("is_public",)
    search_fields = ("name",)
    inlines = [CampaignMemberInline]


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "campaign", "role")
    list_filter = ("role",)
    list_select_related = ("user", "campaign")
    search_fields = ("user__username", "user__display_name", "campaign__name")
    autocomplete_fields = ("user", "campaign")


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "campaign", "is_private", "updated_at")
    list_filter = ("kind", "is_private")
    list_select_related = ("campaign",)
    search_fields = ("name", "type")
    autocomplete_fields = ("campaign", "tags", "created_by", "updated_by")


@admin.register(Character)
class CharacterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "title", "is_dead")
    list_filter = ("is_dead",)
    list_select_related = ("entity", "campaign")
    search_fields = ("entity__name", "title")
    autocomplete_fields = ("campaign", "entity")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "colour")
    list_select_related = ("entity", "campaign")
    search_fields = ("entity__name",)
    autocomplete_fields = ("campaign", "entity", "parent")
