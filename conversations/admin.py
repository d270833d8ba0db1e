from django.contrib import admin

from conversations.models import Conversation, Mention, Message, Participant


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "workspace", "message_count", "last_activity_at")
    list_filter = ("is_private", "is_closed")
    list_select_related = ("campaign", "workspace")
    search_fields = ("title",)
    raw_id_fields = ("entity", "created_by", "updated_by", "deleted_by")


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("__str__", "conversation", "last_read_obj_index", "archived")
    list_select_related = ("user", "character__entity", "conversation")
    search_fields = ("user__username", "character__entity__name")
    raw_id_fields = ("conversation", "user", "character", "created_by")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "conversation", "created_by", "created_at")
    list_select_related = ("conversation", "created_by")
    search_fields = ("content", "created_by__username")
    raw_id_fields = ("conversation", "author_user", "author_character", "created_by", "updated_by")


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ("message", "user")
    raw_id_fields = ("message", "user")
