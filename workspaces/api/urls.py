"""Twist's RPC paths, with no trailing slash; mounted at /api/v1/ and /api/v3/."""

from django.urls import path, re_path

from workspaces.api import attachments, batch, reactions, reports, search, views
from workspaces.api.base import UnknownMethodView

METHODS = {
    "conversations/getone": views.ConversationGetOne,
    "conversations/get": views.ConversationGet,
    "conversations/get_or_create": views.ConversationGetOrCreate,
    "conversations/update": views.ConversationUpdate,
    "conversations/add_user": views.ConversationAddUser,
    "conversations/add_users": views.ConversationAddUsers,
    "conversations/remove_user": views.ConversationRemoveUser,
    "conversations/remove_users": views.ConversationRemoveUsers,
    "conversations/archive": views.ConversationArchive,
    "conversations/unarchive": views.ConversationUnarchive,
    "conversations/get_unread": views.ConversationGetUnread,
    "conversations/mark_read": views.ConversationMarkRead,
    "conversations/mark_unread": views.ConversationMarkUnread,
    "conversations/mute": views.ConversationMute,
    "conversations/unmute": views.ConversationUnmute,
    "conversation_messages/getone": views.MessageGetOne,
    "conversation_messages/get": views.MessageGet,
    "conversation_messages/add": views.MessageAdd,
    "conversation_messages/update": views.MessageUpdate,
    "conversation_messages/remove": views.MessageRemove,
    "reactions/add": reactions.ReactionAdd,
    "reactions/get": reactions.ReactionGet,
    "reactions/remove": reactions.ReactionRemove,
    "attachments/upload": attachments.AttachmentUpload,
    "batch": batch.Batch,
    "search": search.Search,
    "search/conversation": search.SearchConversation,
    "search/thread": search.SearchThread,
    "workspaces/get": views.WorkspaceGet,
    "workspaces/getone": views.WorkspaceGetOne,
    "users/get_session_user": views.SessionUser,
    **reports.METHODS,
}

urlpatterns = [path(route, view.as_view()) for route, view in METHODS.items()] + [
    # Anything else under the prefix is Twist's "Resource not found", not HTML.
    re_path(r"", UnknownMethodView.as_view()),
]
