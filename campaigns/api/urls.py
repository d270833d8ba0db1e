"""The campaign API, mounted at /api/1.0/ (Kanka's `1.0` prefix). No trailing slashes, as in Kanka.

Ids are matched as any path segment, so a malformed id reaches the view and
gets the model's 404 body (never a routing 404 or a 500).
"""

from django.urls import path, re_path

from campaigns.api import views
from campaigns.api.errors import page_not_found

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}

CAMPAIGN = "campaigns/<str:campaign_id>"
CONVERSATION = f"{CAMPAIGN}/conversations/<str:conversation_id>"

urlpatterns = [
    path("profile", views.ProfileView.as_view(), name="kanka-profile"),
    path("campaigns", views.CampaignListViewSet.as_view({"get": "list"}), name="kanka-campaigns"),
    path(
        CAMPAIGN,
        views.CampaignListViewSet.as_view({"get": "retrieve"}),
        name="kanka-campaign",
    ),
    path(
        f"{CAMPAIGN}/conversations",
        views.ConversationViewSet.as_view(LIST),
        name="kanka-conversations",
    ),
    path(
        f"{CAMPAIGN}/conversations/<str:pk>",
        views.ConversationViewSet.as_view(DETAIL),
        name="kanka-conversation",
    ),
    path(
        f"{CONVERSATION}/conversation_participants",
        views.ParticipantViewSet.as_view(LIST),
        name="kanka-participants",
    ),
    path(
        f"{CONVERSATION}/conversation_participants/<str:pk>",
        views.ParticipantViewSet.as_view(DETAIL),
        name="kanka-participant",
    ),
    path(
        f"{CONVERSATION}/conversation_messages",
        views.MessageViewSet.as_view(LIST),
        name="kanka-messages",
    ),
    path(
        f"{CONVERSATION}/conversation_messages/<str:pk>",
        views.MessageViewSet.as_view(DETAIL),
        name="kanka-message",
    ),
    path(f"{CAMPAIGN}/characters", views.CharacterViewSet.as_view(LIST), name="kanka-characters"),
    path(
        f"{CAMPAIGN}/characters/<str:pk>",
        views.CharacterViewSet.as_view(DETAIL),
        name="kanka-character",
    ),
    path(f"{CAMPAIGN}/tags", views.TagViewSet.as_view(LIST), name="kanka-tags"),
    path(f"{CAMPAIGN}/tags/<str:pk>", views.TagViewSet.as_view(DETAIL), name="kanka-tag"),
    re_path(r"^.*$", page_not_found),
]
