"""The role matrix: admin, player, visitor of a public campaign, non-member; private and closed."""

import pytest

from conversations.models import Conversation, Message
from tests.campaigns.conftest import add_message
from tests.dbstate import database_snapshot
from tests.factories import (
    CampaignConversationFactory,
    CharacterFactory,
    EntityFactory,
    ParticipantFactory,
    TagFactory,
)

ROLES = ["admin", "player", "visitor", "outsider"]

# (action, method, path template, body, expected status for admin, player, visitor, outsider).
# The conversation, its message, the character and the tag were all created by the admin.
MATRIX = [
    ("list conversations", "get", "conversations", None, (200, 200, 200, 404)),
    ("show conversation", "get", "conversations/{conv}", None, (200, 200, 200, 404)),
    ("create conversation", "post", "conversations", {"name": "N"}, (200, 200, 403, 404)),
    ("update conversation", "patch", "conversations/{conv}", {"name": "N"}, (200, 403, 403, 404)),
    ("delete conversation", "delete", "conversations/{conv}", None, (200, 403, 403, 404)),
    ("list participants", "get", "conversations/{conv}/conversation_participants", None,
     (200, 200, 200, 404)),
    ("show participant", "get", "conversations/{conv}/conversation_participants/{part}", None,
     (200, 200, 200, 404)),
    ("add participant", "post", "conversations/{conv}/conversation_participants",
     {"character_id": "{char}"}, (200, 200, 403, 404)),
    ("update participant", "put", "conversations/{conv}/conversation_participants/{part}",
     {"character_id": "{char}"}, (200, 200, 403, 404)),
    ("remove participant", "delete", "conversations/{conv}/conversation_participants/{part}",
     None, (200, 200, 403, 404)),
    ("list messages", "get", "conversations/{conv}/conversation_messages", None,
     (200, 200, 200, 404)),
    ("show message", "get", "conversations/{conv}/conversation_messages/{msg}", None,
     (200, 200, 200, 404)),
    ("post message", "post", "conversations/{conv}/conversation_messages", {"message": "m"},
     (200, 200, 403, 404)),
    ("edit admin's message", "patch", "conversations/{conv}/conversation_messages/{msg}",
     {"message": "m"}, (200, 403, 403, 404)),
    ("delete admin's message", "delete", "conversations/{conv}/conversation_messages/{msg}",
     None, (200, 403, 403, 404)),
    ("list characters", "get", "characters", None, (200, 200, 200, 404)),
    ("show character", "get", "characters/{char}", None, (200, 200, 200, 404)),
    ("create character", "post", "characters", {"name": "C"}, (200, 200, 403, 404)),
    ("update character", "patch", "characters/{char}", {"name": "C"}, (200, 403, 403, 404)),
    ("delete character", "delete", "characters/{char}", None, (200, 403, 403, 404)),
    ("list tags", "get", "tags", None, (200, 200, 200, 404)),
    ("show tag", "get", "tags/{tag}", None, (200, 200, 200, 404)),
    ("create tag", "post", "tags", {"name": "T"}, (200, 200, 403, 404)),
    ("update tag", "patch", "tags/{tag}", {"name": "T"}, (200, 403, 403, 404)),
    ("delete tag", "delete", "tags/{tag}", None, (200, 403, 403, 404)),
    ("show campaign", "get", "", None, (200, 200, 200, 404)),
]  # fmt: skip


@pytest.fixture
def world(campaign, admin, player, stranger):
    conversation = CampaignConversationFactory(campaign=campaign, created_by=admin)
    participant = ParticipantFactory(conversation=conversation, user=player)
    message = add_message(conversation, admin)
    character = CharacterFactory(campaign=campaign, entity__created_by=admin)
    tag = TagFactory(campaign=campaign, entity__created_by=admin)
    ids = {
        "conv": conversation.pk,
        "part": participant.pk,
        "msg": message.pk,
        "char": character.pk,
        "tag": tag.pk,
    }
    return ids


def actor_for(role, campaign, admin, player, stranger):
    if role == "visitor":
        campaign.is_public = True
        campaign.save()
    return {"admin": admin, "player": player, "visitor": stranger, "outsider": stranger}[role]


def fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    ("method", "template", "body", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in MATRIX],
)
def test_role_matrix(
    api, world, campaign, admin, player, stranger, role_index, method, template, body, expected
):
    actor = actor_for(ROLES[role_index], campaign, admin, player, stranger)
    path = f"campaigns/{campaign.pk}" + (f"/{fill(template, world)}" if template else "")

    api.auth(actor)  # the token row exists before the snapshot
    before = database_snapshot()

    response = api(method, path, actor, fill(body, world))

    assert response.status_code == expected[role_index], response.json()
    if method == "get" or expected[role_index] != 200:
        assert database_snapshot() == before
    else:
        assert database_snapshot() != before


def test_player_updates_and_deletes_own_conversation(api, campaign, player):
    own = CampaignConversationFactory(campaign=campaign, created_by=player)
    path = f"campaigns/{campaign.pk}/conversations/{own.pk}"

    assert api("patch", path, player, {"name": "Mine"}).status_code == 200
    assert api("get", path, player).json()["data"]["name"] == "Mine"
    assert api("delete", path, player).status_code == 200
    assert api("get", path, player).status_code == 404


def test_player_edits_and_deletes_own_message(api, campaign, player, conversation):
    message = add_message(conversation, player, "mine")
    path = (
        f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages/"
        f"{message.pk}"
    )

    assert api("patch", path, player, {"message": "edited"}).status_code == 200
    assert api("get", path, player).json()["data"]["message"] == "edited"
    assert api("delete", path, player).status_code == 200
    assert api("get", path, player).status_code == 404
    assert not Message.objects.filter(pk=message.pk).exists()


def test_private_conversations_are_invisible_to_non_admins(api, campaign, admin, player, stranger):
    campaign.is_public = True
    campaign.save()
    private = CampaignConversationFactory(campaign=campaign, is_private=True)
    base = f"campaigns/{campaign.pk}/conversations"
    for user in (admin, player, stranger):
        api.auth(user)
    before = database_snapshot()

    assert [c["id"] for c in api("get", base, admin).json()["data"]] == [private.pk]
    for user in (player, stranger):
        assert api("get", base, user).json()["data"] == []
        assert api("get", f"{base}/{private.pk}", user).status_code == 404
        assert api("get", f"{base}/{private.pk}/conversation_messages", user).status_code == 404
        assert api("post", f"{base}/{private.pk}/conversation_messages", user, {"message": "x"}
                   ).status_code == 404  # fmt: skip
    assert database_snapshot() == before


def test_only_admins_make_a_conversation_private(api, campaign, admin, player):
    base = f"campaigns/{campaign.pk}/conversations"
    api.auth(player)
    before = database_snapshot()

    refused = api("post", base, player, {"name": "P", "is_private": True})
    unchanged = database_snapshot() == before
    allowed = api("post", base, admin, {"name": "P", "is_private": True})

    assert refused.status_code == 403
    assert unchanged
    assert allowed.status_code == 200
    assert Conversation.objects.get().is_private
    assert api("get", f"{base}/{allowed.json()['data']['id']}", admin).json() == allowed.json()


def test_closed_conversation_refuses_messages_and_participant_changes(
    api, campaign, admin, player, conversation
):
    conversation.is_closed = True
    conversation.save()
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    participant = ParticipantFactory(conversation=conversation, user=admin)
    api.auth(player)
    before = database_snapshot()

    post = api("post", f"{base}/conversation_messages", player, {"message": "x"})
    add = api("post", f"{base}/conversation_participants", player, {"user_id": player.pk})
    remove = api("delete", f"{base}/conversation_participants/{participant.pk}", player)
    unchanged = database_snapshot() == before
    by_admin = api("post", f"{base}/conversation_messages", admin, {"message": "x"})

    assert [post.status_code, add.status_code, remove.status_code] == [403, 403, 403]
    assert post.json() == {"code": 403, "error": "The conversation is closed."}
    assert unchanged
    assert by_admin.status_code == 200
    assert Message.objects.count() == 1


def test_private_characters_are_invisible_to_non_admins(api, campaign, admin, player):
    secret = CharacterFactory(
        campaign=campaign, entity=EntityFactory(campaign=campaign, is_private=True)
    )
    path = f"campaigns/{campaign.pk}/characters"

    assert [c["id"] for c in api("get", path, admin).json()["data"]] == [secret.pk]
    assert api("get", path, player).json()["data"] == []
    assert api("get", f"{path}/{secret.pk}", player).status_code == 404
