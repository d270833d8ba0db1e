from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from campaigns.models import Campaign, CampaignMember, Character, Entity, Tag


class CampaignMemberInline(admin.TabularInline):
    model = CampaignMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "is_public", "conversations", "created_at")
    list_filter = ("is_public",)
    search_fields = ("name",)
    inlines = [CampaignMemberInline]

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
            '<a href="{}?campaign__id__exact={}">{}</a>', url, obj.pk, obj.conversation_total
        )


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
