"""Authorization matrix of the campaign API: every route by every kind of caller.

Admin, player, public-campaign visitor and non-member are tests/campaigns/
test_roles.py's table; here the callers no role covers: a member of another
campaign, an expired, a revoked or no token, and a browser session without
the CSRF token. A refused request changes no row. Ids of another campaign's
rows are Kanka's not-found: 404 in the URL, 422 on the field in a body.
"""

import json

import pytest
from django.test import Client

from accounts.tokens import personal_token_create, personal_tokens_revoke
from campaigns.models import CampaignMember
from conversations import services
from conversations.policy import Role
from tests.dbstate import database_snapshot
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    CharacterFactory,
    ParticipantFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

BROWSER = "application/json, text/html"

# (route, method, path under the campaign, body)
ROUTES = [
    ("list conversations", "get", "conversations", None),
    ("create conversation", "post", "conversations", {"name": "N"}),
    ("show conversation", "get", "conversations/{conv}", None),
    ("update conversation", "put", "conversations/{conv}", {"name": "N"}),
    ("patch conversation", "patch", "conversations/{conv}", {"name": "N"}),
    ("delete conversation", "delete", "conversations/{conv}", None),
    ("list participants", "get", "conversations/{conv}/conversation_participants", None),
    ("add participant", "post", "conversations/{conv}/conversation_participants",
     {"character_id": "{char}"}),
    ("show participant", "get", "conversations/{conv}/conversation_participants/{part}", None),
    ("update participant", "put", "conversations/{conv}/conversation_participants/{part}",
     {"character_id": "{char}"}),
    ("patch participant", "patch", "conversations/{conv}/conversation_participants/{part}",
     {"character_id": "{char}"}),
    ("remove participant", "delete", "conversations/{conv}/conversation_participants/{part}",
     None),
    ("list messages", "get", "conversations/{conv}/conversation_messages", None),
    ("post message", "post", "conversations/{conv}/conversation_messages", {"message": "m"}),
    ("show message", "get", "conversations/{conv}/conversation_messages/{msg}", None),
    ("update message", "put", "conversations/{conv}/conversation_messages/{msg}",
     {"message": "m"}),
    ("patch message", "patch", "conversations/{conv}/conversation_messages/{msg}",
     {"message": "m"}),
    ("delete message", "delete", "conversations/{conv}/conversation_messages/{msg}", None),
    ("list characters", "get", "characters", None),
    ("create character", "post", "characters", {"name": "C"}),
    ("show character", "get", "characters/{char}", None),
    ("update character", "put", "characters/{char}", {"name": "C"}),
    ("patch character", "patch", "characters/{char}", {"name": "C"}),
    ("delete character", "delete", "characters/{char}", None),
    ("list tags", "get", "tags", None),
    ("create tag", "post", "tags", {"name": "T"}),
    ("show tag", "get", "tags/{tag}", None),
    ("update tag", "put", "tags/{tag}", {"name": "T"}),
    ("patch tag", "patch", "tags/{tag}", {"name": "T"}),
    ("delete tag", "delete", "tags/{tag}", None),
    ("show campaign", "get", "", None),
]  # fmt: skip
ROUTE_PARAMS = [pytest.param(*row[1:], id=row[0]) for row in ROUTES]
# Routes outside any campaign: the caller's own profile and campaigns.
OWN = ["/api/1.0/profile", "/api/1.0/campaigns"]


def _campaign_rows(admin_member):
    campaign, admin = admin_member.campaign, admin_member.user
    conversation = CampaignConversationFactory(campaign=campaign, created_by=admin)
    character = CharacterFactory(campaign=campaign, entity__created_by=admin)
    participant = ParticipantFactory(conversation=conversation, character=character)
    message = services.message_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, content="hi"
    )
    tag = TagFactory(campaign=campaign, entity__created_by=admin)
    return {
        "campaign": campaign.pk,
        "conv": conversation.pk,
        "part": participant.pk,
        "msg": message.pk,
        "char": CharacterFactory(campaign=campaign).pk,  # not yet taking part
        "tag": tag.pk,
    }


@pytest.fixture
def world(settings):
    settings.CAMPAIGN_API_RATE_LIMIT = 10_000
    admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN, campaign__is_public=False)
    other_admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN)
    return {
        "admin": admin.user,
        "ids": _campaign_rows(admin),
        "other_admin": other_admin.user,
        "other_ids": _campaign_rows(other_admin),
    }


def _fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _request(client, method, template, body, ids, headers):
    url = f"/api/1.0/campaigns/{ids['campaign']}" + (f"/{_fill(template, ids)}" if template else "")
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(_fill(body, ids)), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs, **headers)


def _token(user, **kwargs) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {personal_token_create(user=user, **kwargs)}"}


def _revoked(user) -> dict:
    headers = _token(user, name="to revoke")
    personal_tokens_revoke(users=[user], name="to revoke")
    return headers


# caller: (how to authenticate, the status every campaign route answers)
CALLERS = {
    "admin of another campaign": (lambda w: _token(w["other_admin"]), 404),
    "expired token": (lambda w: _token(w["admin"], expires_days=-1), 401),
    "revoked token": (lambda w: _revoked(w["admin"]), 401),
    "no token": (lambda w: {}, 401),
}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize(("method", "template", "body"), ROUTE_PARAMS)
def test_each_caller_is_refused_in_kankas_format_and_nothing_changes(
    client, world, caller, method, template, body
):
    authenticate, status = CALLERS[caller]
    headers = authenticate(world)
    before = database_snapshot()

    response = _request(client, method, template, body, world["ids"], headers)

    assert response.status_code == status, response.content
    assert response.json()["code"] == status
    assert database_snapshot() == before


@pytest.mark.parametrize(("method", "template", "body"), ROUTE_PARAMS)
def test_a_browser_session_without_the_csrf_token_only_reads(world, method, template, body):
    browser = Client(enforce_csrf_checks=True, headers={"accept": BROWSER})
    browser.force_login(world["admin"])
    before = database_snapshot()

    response = _request(browser, method, template, body, world["ids"], {})

    assert response.status_code == (200 if method == "get" else 403), response.content
    if method != "get":
        assert response.json()["code"] == 403
        assert database_snapshot() == before


@pytest.mark.parametrize("url", OWN)
def test_bad_tokens_are_401_on_the_callers_own_routes(client, world, url):
    for headers in ({}, _token(world["admin"], expires_days=-1), _revoked(world["admin"])):
        assert client.get(url, **headers).status_code == 401


@pytest.mark.parametrize(
    ("method", "template", "body"), [p for p in ROUTE_PARAMS if "{" in p.values[1]]
)
def test_every_id_of_another_campaign_in_the_url_is_404(client, world, method, template, body):
    """The admin's own campaign in the URL, the other campaign's row ids after it."""
    ids = {**world["other_ids"], "campaign": world["ids"]["campaign"]}
    headers = _token(world["admin"])
    before = database_snapshot()

    response = _request(client, method, template, body, ids, headers)

    assert response.status_code == 404, response.content
    assert database_snapshot() == before


FOREIGN_BODY_IDS = [
    ("post", "conversations/{conv}/conversation_participants", {"character_id": "{foreign}"},
     "character_id"),
    ("post", "conversations", {"name": "N", "tags": ["{foreign_tag}"]}, "tags"),
    ("post", "conversations/{conv}/conversation_messages",
     {"message": "m", "character_id": "{foreign}"}, "character_id"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "template", "body", "field"), FOREIGN_BODY_IDS)
def test_an_id_of_another_campaign_in_a_body_is_422_on_the_field(
    client, world, method, template, body, field
):
    ids = {
        **world["ids"],
        "foreign": world["other_ids"]["char"],
        "foreign_tag": world["other_ids"]["tag"],
    }
    headers = _token(world["admin"])
    before = database_snapshot()

    response = _request(client, method, template, body, ids, headers)

    assert response.status_code == 422, response.content
    assert any(key.startswith(field) for key in response.json()["fields"]), response.json()
    assert database_snapshot() == before
