"""Fixtures of the campaign-API tests: a campaign with an admin, a player and strangers."""

import json
from urllib.parse import urlencode

import pytest
from django.test.client import encode_multipart

from campaigns.models import CampaignMember
from conversations import services
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    CampaignFactory,
    CampaignMemberFactory,
    UserFactory,
)

BOUNDARY = "BoUnDaRy"


@pytest.fixture(autouse=True)
def _api_settings(settings, tmp_path):
    """Images go to a temporary MEDIA_ROOT; the rate limit stays out of the way unless set."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAMPAIGN_API_RATE_LIMIT = 10_000
    settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT = 10_000
    settings.CAMPAIGN_API_DATETIME_FORMAT = "seed"


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Tavern tales")


@pytest.fixture
def admin(campaign):
    return CampaignMemberFactory(campaign=campaign, role=CampaignMember.Role.ADMIN).user


@pytest.fixture
def player(campaign):
    return CampaignMemberFactory(campaign=campaign, role=CampaignMember.Role.PLAYER).user


@pytest.fixture
def stranger(db):
    """Not a member of `campaign` (a visitor when the campaign is public)."""
    return UserFactory()


@pytest.fixture
def conversation(campaign, admin):
    return CampaignConversationFactory(campaign=campaign, created_by=admin, updated_by=admin)


class Api:
    """`api("get", "campaigns/1/conversations", user)`: the campaign API as a client sees it."""

    def __init__(self, client, bearer):
        self.client = client
        self.bearer = bearer
        self.headers = {}

    def auth(self, user) -> dict:
        if user is None:
            return {}
        if user.pk not in self.headers:
            self.headers[user.pk] = self.bearer(user)
        return self.headers[user.pk]

    def __call__(self, method, path, user=None, data=None, *, form=None, multipart=None, **extra):
        url = path if path.startswith("/") else f"/api/1.0/{path}"
        kwargs = {}
        if method.lower() in ("get", "head"):
            data = None  # a body on a read would be ignored anyway
        if data is not None:
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        elif form is not None:
            kwargs = {
                "data": urlencode(form, doseq=True),
                "content_type": "application/x-www-form-urlencoded",
            }
        elif multipart is not None:
            kwargs = {
                "data": encode_multipart(BOUNDARY, multipart),
                "content_type": f"multipart/form-data; boundary={BOUNDARY}",
            }
        return getattr(self.client, method.lower())(url, **kwargs, **self.auth(user), **extra)


@pytest.fixture
def api(client, bearer):
    return Api(client, bearer)


def nested_url(resource, conversation, pk=None):
    """A conversation's `conversation_messages` or `conversation_participants`, or one of them."""
    base = f"campaigns/{conversation.campaign_id}/conversations/{conversation.pk}/{resource}"
    return base if pk is None else f"{base}/{pk}"


def add_message(conversation, user, content="Hello", **kwargs):
    """A message through the domain service, so counters agree with rows."""
    return services.message_add(
        actor=user, role=Role.ADMIN, conversation=conversation, content=content, **kwargs
    )


# Headers that differ between any two requests, whatever the method.
PER_REQUEST_HEADERS = {"X-Request-ID", "X-RateLimit-Remaining"}


def assert_head_matches_get(api, path, user):
    """HEAD answers as GET does: same status and headers, Content-Length included, no body.

    Django's test client drops a HEAD response's body itself (as a server would), so an
    empty body proves nothing here; GET's Content-Length shows HEAD built the same answer.
    """
    get = api("get", path, user)
    head = api("head", path, user)

    assert (head.status_code, get.status_code) == (200, 200)
    assert head.content == b""
    assert {k: v for k, v in head.items() if k not in PER_REQUEST_HEADERS} == {
        k: v for k, v in get.items() if k not in PER_REQUEST_HEADERS
    }
