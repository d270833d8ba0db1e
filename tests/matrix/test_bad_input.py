"""Bad-input matrix: every write endpoint of both dialects by every kind of bad input.

Wrong types, missing fields, over-long strings, deep JSON, invalid UTF-8, NUL
bytes, negative and 2^70 integers, malformed JSON and multipart, huge id
lists: each is a 4xx in the dialect's error format, and no row changes.
"""

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.tokens import personal_token_create
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
    WorkspaceMemberFactory,
)
from tests.workspaces.twist import conversation as twist_conversation
from tests.workspaces.twist import post

pytestmark = pytest.mark.django_db

STRING = "@@string@@"  # where a raw body puts its bad bytes

# Kanka's writes: (name, method, path, a valid body, its string, integer and id-list fields)
KANKA = [
    ("create conversation", "post", "conversations", {"name": "N"}, "name", "target_id", "tags"),
    ("update conversation", "put", "conversations/{conv}", {"name": "N"}, "name", "target_id",
     "tags"),
    ("patch conversation", "patch", "conversations/{conv}", {"name": "N"}, "name", "target_id",
     "tags"),
    ("add participant", "post", "conversations/{conv}/conversation_participants",
     {"character_id": "{char}"}, None, "character_id", None),
    ("update participant", "put", "conversations/{conv}/conversation_participants/{part}",
     {"character_id": "{char}"}, None, "character_id", None),
    ("patch participant", "patch", "conversations/{conv}/conversation_participants/{part}",
     {"character_id": "{char}"}, None, "character_id", None),
    ("post message", "post", "conversations/{conv}/conversation_messages", {"message": "m"},
     "message", "character_id", None),
    ("update message", "put", "conversations/{conv}/conversation_messages/{msg}",
     {"message": "m"}, "message", "character_id", None),
    ("patch message", "patch", "conversations/{conv}/conversation_messages/{msg}",
     {"message": "m"}, "message", "character_id", None),
    ("create character", "post", "characters", {"name": "C"}, "name", None, "tags"),
    ("update character", "put", "characters/{char}", {"name": "C"}, "name", None, "tags"),
    ("patch character", "patch", "characters/{char}", {"name": "C"}, "name", None, "tags"),
    ("create tag", "post", "tags", {"name": "T"}, "name", None, None),
    ("update tag", "put", "tags/{tag}", {"name": "T"}, "name", None, None),
    ("patch tag", "patch", "tags/{tag}", {"name": "T"}, "name", None, None),
]  # fmt: skip

# Twist's writes: (method, a valid body, its string, integer and id-list fields)
TWIST = [
    ("conversations/get_or_create", {"workspace_id": "{ws}", "user_ids": ["{carol}"]}, None,
     "workspace_id", "user_ids"),
    ("conversations/update", {"id": "{conv}", "title": "T"}, "title", "id", None),
    ("conversations/add_user", {"id": "{conv}", "user_id": "{carol}"}, None, "user_id", None),
    ("conversations/add_users", {"id": "{conv}", "user_ids": ["{carol}"]}, None, "id",
     "user_ids"),
    ("conversations/remove_user", {"id": "{conv}", "user_id": "{bob}"}, None, "user_id", None),
    ("conversations/remove_users", {"id": "{conv}", "user_ids": ["{bob}"]}, None, "id",
     "user_ids"),
    ("conversations/archive", {"id": "{conv}"}, None, "id", None),
    ("conversations/unarchive", {"id": "{conv}"}, None, "id", None),
    ("conversations/mark_read", {"id": "{conv}", "obj_index": 0}, None, "obj_index", None),
    ("conversations/mark_unread", {"id": "{conv}", "obj_index": 0}, None, "obj_index", None),
    ("conversations/mute", {"id": "{conv}", "minutes": 5}, None, "minutes", None),
    ("conversations/unmute", {"id": "{conv}"}, None, "id", None),
    ("conversation_messages/add", {"conversation_id": "{conv}", "content": "x"}, "content",
     "conversation_id", None),
    ("conversation_messages/update", {"id": "{msg}", "content": "y"}, "content", "id", None),
    ("conversation_messages/remove", {"id": "{msg}"}, None, "id", None),
]  # fmt: skip
PARTIAL = {"put", "patch"}  # Kanka's PUT is partial too: an empty body changes nothing, a 200
MESSAGE_FIELDS = {"message", "content"}


def _bad_inputs(method, body, text, integer, id_list):
    """(kind, what to send) for one endpoint: a JSON value, or raw bytes with a content type."""
    field = text or integer
    rows = [
        ("malformed JSON", (b'{"name": ', "application/json")),
        ("malformed multipart", (b"--x\r\nbroken", "multipart/form-data")),
        ("deep JSON", _raw(body, field, "[" * 10_000 + "]" * 10_000)),
        ("invalid UTF-8", _raw(body, field, None, b'"\xff\xfe"')),
        ("wrong type", {**body, field: {"a": [1]}}),
    ]
    if method not in PARTIAL:
        rows.append(("missing fields", {}))
    if text:
        rows.append(("NUL byte", {**body, text: "a\x00b"}))
        long = "x" * (django_settings.MESSAGE_MAX_LENGTH + 1 if text in MESSAGE_FIELDS else 10**5)
        rows.append(("over-long string", {**body, text: long}))
    if integer:
        rows += [("negative integer", {**body, integer: -5}), ("2^70", {**body, integer: 2**70})]
    if id_list:
        rows.append(("huge id list", {**body, id_list: "{many}"}))
    return rows


def _raw(body, field, value: str | None, raw: bytes | None = None):
    text = json.dumps({**body, field: STRING})
    encoded = text.encode().replace(f'"{STRING}"'.encode(), raw or value.encode())
    return (encoded, "application/json")


def _params(rows, name_of):
    return [
        pytest.param(*row, kind, bad, id=f"{name_of(row)}: {kind}")
        for row in rows
        for kind, bad in _bad_inputs(row[1] if len(row) == 7 else "post", *row[-4:])
    ]


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _send(client, url, bad, ids, method="post", **headers):
    if isinstance(bad, tuple):
        raw, content_type = bad
        for name, value in ids.items():
            raw = raw.replace(f'"{{{name}}}"'.encode(), str(value).encode())
        return getattr(client, method)(url, raw, content_type=content_type, **headers)
    body = json.dumps(_fill(bad, ids))
    return getattr(client, method)(url, body, content_type="application/json", **headers)


@pytest.fixture
def kanka_world(settings):
    settings.CAMPAIGN_API_RATE_LIMIT = 10_000
    admin_member = CampaignMemberFactory(role=CampaignMember.Role.ADMIN)
    campaign, admin = admin_member.campaign, admin_member.user
    conversation = CampaignConversationFactory(campaign=campaign, created_by=admin)
    character = CharacterFactory(campaign=campaign, entity__created_by=admin)
    participant = ParticipantFactory(conversation=conversation, character=character)
    message = services.message_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, content="hi"
    )
    tag = TagFactory(campaign=campaign, entity__created_by=admin)
    ids = {
        "conv": conversation.pk,
        "part": participant.pk,
        "msg": message.pk,
        "char": CharacterFactory(campaign=campaign).pk,
        "tag": tag.pk,
    }
    # The most ids a list may hold, and one more: the same real row each time.
    ids["many"] = [tag.pk] * (settings.ID_LIST_MAX + 1)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {personal_token_create(user=admin)}"}
    return campaign, ids, headers


@pytest.fixture
def twist_world(settings):
    settings.WORKSPACE_API_RATE_LIMIT = 10_000
    alice = WorkspaceMemberFactory().user
    workspace = alice.workspace_memberships.get().workspace
    bob, carol = (WorkspaceMemberFactory(workspace=workspace).user for _ in range(2))
    conv = twist_conversation(workspace, alice, bob)
    ids = {
        "ws": workspace.pk,
        "conv": conv.pk,
        "msg": post(conv, alice, "hello").pk,
        "bob": bob.pk,
        "carol": carol.pk,
        "many": [carol.pk] * (settings.ID_LIST_MAX + 1),
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {personal_token_create(user=alice)}"}
    return ids, headers


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "text", "integer", "id_list", "kind", "bad"),
    _params(KANKA, lambda row: row[0]),
)
def test_bad_input_to_a_campaign_write_is_a_kanka_4xx_and_changes_nothing(
    client, kanka_world, name, method, path, body, text, integer, id_list, kind, bad
):
    campaign, ids, headers = kanka_world
    url = f"/api/1.0/campaigns/{campaign.pk}/" + path.format(**ids)
    before = database_snapshot()

    response = _send(client, url, bad, ids, method, **headers)

    assert 400 <= response.status_code < 500, response.content[:300]
    error = response.json()
    assert error["code"] == response.status_code, error
    assert isinstance(error["error"], str), error
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("method", "body", "text", "integer", "id_list", "kind", "bad"),
    _params(TWIST, lambda row: row[0]),
)
def test_bad_input_to_a_workspace_write_is_a_twist_4xx_and_changes_nothing(
    twist_world, method, body, text, integer, id_list, kind, bad
):
    ids, headers = twist_world
    before = database_snapshot()

    response = _send(Client(), f"/api/v1/{method}", bad, ids, **headers)

    assert 400 <= response.status_code < 500, response.content[:300]
    error = response.json()
    assert set(error) == {"error_uuid", "error_code", "error_extra", "error_string"}, error
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["conversation_messages/add", "conversation_messages/update"])
@pytest.mark.parametrize("where", ["key", "value"])
def test_a_nul_inside_an_attachment_is_400_code_118_not_a_500(twist_world, method, where):
    """Found by schemathesis on PostgreSQL: jsonb refuses `\\u0000`, which was a 500."""
    ids, headers = twist_world
    nul = {"a\x00b": "x"} if where == "key" else {"title": "a\x00b"}
    target = {"conversation_id": ids["conv"]} if method.endswith("add") else {"id": ids["msg"]}
    body = {**target, "content": "c", "attachments": [{"attachment_id": "1", **nul}]}
    before = database_snapshot()

    response = Client().post(
        f"/api/v1/{method}", json.dumps(body), content_type="application/json", **headers
    )

    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == 118
    assert database_snapshot() == before
