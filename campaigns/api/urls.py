"""The campaign API, mounted at /api/1.0/ (Kanka's `1.0` prefix). No trailing slashes, as in Kanka.

Ids are matched as any path segment, so a malformed id reaches the view and
gets the model's 404 body (never a routing 404 or a 500).
"""

from django.urls import path, re_path

from campaigns.api import reports
from campaigns.api.errors import page_not_found
from campaigns.api.views.campaigns import CampaignReadViewSet, ProfileView
from campaigns.api.views.characters import CharacterViewSet
from campaigns.api.views.conversations import ConversationViewSet
from campaigns.api.views.messages import MessageViewSet
from campaigns.api.views.participants import ParticipantViewSet
from campaigns.api.views.tags import TagViewSet

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}

CAMPAIGN = "campaigns/<str:campaign_id>"
CONVERSATION = f"{CAMPAIGN}/conversations/<str:conversation_id>"


def resource(prefix: str, viewset, name: str, plural: str) -> list:
    """The list route (`prefix`) and the detail route (`prefix/<pk>`) of one viewset."""
    return [
        path(prefix, viewset.as_view(LIST), name=f"kanka-{plural}"),
        path(f"{prefix}/<str:pk>", viewset.as_view(DETAIL), name=f"kanka-{name}"),
    ]


urlpatterns = [
    path("profile", ProfileView.as_view(), name="kanka-profile"),
    path("campaigns", CampaignReadViewSet.as_view({"get": "list"}), name="kanka-campaigns"),
    path(CAMPAIGN, CampaignReadViewSet.as_view({"get": "retrieve"}), name="kanka-campaign"),
    *resource(f"{CAMPAIGN}/conversations", ConversationViewSet, "conversation", "conversations"),
    *resource(
        f"{CONVERSATION}/conversation_participants",
        ParticipantViewSet,
        "participant",
        "participants",
    ),
    *resource(f"{CONVERSATION}/conversation_messages", MessageViewSet, "message", "messages"),
    *resource(f"{CAMPAIGN}/characters", CharacterViewSet, "character", "characters"),
    *resource(f"{CAMPAIGN}/tags", TagViewSet, "tag", "tags"),
    path(
        f"{CONVERSATION}/conversation_messages/<str:message_id>/report",
        reports.MessageReportView.as_view({"post": "create"}),
        name="kanka-message-report",
    ),
    path(
        f"{CAMPAIGN}/reports",
        reports.ReportListView.as_view({"get": "list"}),
        name="kanka-reports",
    ),
    re_path(r"^.*$", page_not_found),
]
