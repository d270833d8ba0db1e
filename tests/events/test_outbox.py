"""The outbox: each write records exactly its events, in its own transaction."""

import json

import pytest
from django.db import connection, transaction

from conversations import services
from conversations.policy import Role
from events.models import Event
from tests.factories import (
    CampaignMemberFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db


def rows():
    return list(
        Event.objects.order_by("id").values_list(
            "type", "object_id", "audience", "role_filter", "snapshot"
        )
    )


def kanka(client, bearer, user, method, path, body=None):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    args = (json.dumps(body),) if body is not None else ()
    return getattr(client, method)(f"/api/1.0/{path}", *args, **kwargs, **bearer(user))


def twist(client, bearer, user, method, **params):
    response = client.post(
        f"/api/v3/{method}", json.dumps(params), content_type="application/json", **bearer(user)
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_campaign_message_lifecycle_records_added_edited_removed(client, bearer, campaign_setup):
    campaign, conversation, admin = campaign_setup
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    message = kanka(client, bearer, admin, "post", base, {"message": "a"}).json()["data"]
    kanka(client, bearer, admin, "put", f"{base}/{message['id']}", {"message": "b"})
    kanka(client, bearer, admin, "delete", f"{base}/{message['id']}")
    assert rows() == [
        ("conversation_message.added", message["id"], None, None, {}),
        ("conversation_message.edited", message["id"], None, None, {}),
        ("conversation_message.removed", message["id"], None, None, {"obj_index": 0}),
    ]


def test_private_campaign_conversation_events_are_for_admins(client, bearer, campaign_setup):
    campaign, conversation, admin = campaign_setup
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    kanka(client, bearer, admin, "put", path, {"is_private": True})
    kanka(client, bearer, admin, "put", path, {"is_private": True})  # no-op: nothing
    assert rows() == [
        ("conversation.updated", None, None, "admins", {"changed": ["is_private"]}),
        (
            "conversation.removed",
            None,
            None,
            "non_admins",
            {"reason": "private", "entity_id": conversation.entity_id},
        ),
    ]


def test_an_entry_or_tag_change_is_one_conversation_updated(client, bearer, campaign_setup):
    """The show endpoint renders the entity's entry and tags: a change of them is an update,
    recorded once with the conversation's own fields; sending them unchanged records nothing."""
    campaign, conversation, admin = campaign_setup
    tag = kanka(client, bearer, admin, "post", f"campaigns/{campaign.pk}/tags", {"name": "Lore"})
    tag_id = tag.json()["data"]["id"]
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    answers = [
        kanka(client, bearer, admin, "patch", path, body)
        for body in (
            {"entry": "<p>Once</p>"},
            {"tags": [tag_id], "name": "Renamed"},
            {"tags": [tag_id], "entry": "<p>Once</p>", "name": "Renamed"},  # no-op
        )
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert rows() == [
        ("conversation.updated", None, None, None, {"changed": ["entry"]}),
        ("conversation.updated", None, None, None, {"changed": ["title", "tags"]}),
    ]


def test_closing_and_reopening_have_their_own_types(campaign_setup):
    _, conversation, admin = campaign_setup
    services.conversation_set_closed(
        actor=admin, role=Role.ADMIN, conversation=conversation, closed=True
    )
    services.conversation_set_closed(
        actor=admin, role=Role.ADMIN, conversation=conversation, closed=False
    )
    assert [r[0] for r in rows()] == ["conversation.closed", "conversation.reopened"]


def test_delete_and_restore(campaign_setup):
    _, conversation, admin = campaign_setup
    services.conversation_delete(actor=admin, role=Role.ADMIN, conversation=conversation)
    services.conversation_restore(actor=admin, role=Role.MODERATOR, conversation=conversation)
    assert rows() == [
        ("conversation.deleted", None, None, None, {"entity_id": conversation.entity_id}),
        ("conversation.restored", None, None, None, {}),
    ]


def test_campaign_participants_added_updated_removed(client, bearer, campaign_setup):
    campaign, conversation, admin = campaign_setup
    player = CampaignMemberFactory(campaign=campaign).user
    other = CampaignMemberFactory(campaign=campaign).user
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_participants"
    part = kanka(client, bearer, admin, "post", base, {"user_id": player.pk}).json()["data"]
    kanka(client, bearer, admin, "put", f"{base}/{part['id']}", {"user_id": other.pk})
    kanka(client, bearer, admin, "delete", f"{base}/{part['id']}")
    assert rows() == [
        ("conversation_participant.added", part["id"], None, None, {}),
        ("conversation_participant.updated", part["id"], None, None, {}),
        (
            "conversation_participant.removed",
            part["id"],
            None,
            None,
            {"user_id": other.pk, "character_id": None},
        ),
    ]


def test_workspace_audience_is_the_participants_after_the_change_plus_the_removed(client, bearer):
    conversation = WorkspaceConversationFactory()
    alice, bob, carol = (ParticipantFactory(conversation=conversation).user for _ in range(3))
    outsider = WorkspaceMemberFactory(workspace=conversation.workspace).user
    twist(
        client,
        bearer,
        alice,
        "conversation_messages/add",
        conversation_id=conversation.pk,
        content="hi",
    )
    twist(
        client, bearer, alice, "conversations/remove_users", id=conversation.pk, user_ids=[carol.pk]
    )
    twist(
        client, bearer, alice, "conversations/add_users", id=conversation.pk, user_ids=[outsider.pk]
    )
    twist(client, bearer, bob, "conversations/mute", id=conversation.pk, minutes=5)
    everyone = sorted([alice.pk, bob.pk, carol.pk])
    after = sorted([alice.pk, bob.pk, outsider.pk])
    got = [(t, a) for t, _, a, _, _ in rows()]
    assert got == [
        ("conversation_message.added", everyone),
        ("conversation_participant.removed", everyone),
        ("conversation_participant.added", after),
        ("conversation.state_updated", [bob.pk]),
    ]


def test_get_or_create_records_created_only_when_it_created(client, bearer):
    conversation = WorkspaceConversationFactory()
    alice = ParticipantFactory(conversation=conversation).user
    bob = WorkspaceMemberFactory(workspace=conversation.workspace).user
    for _ in range(2):
        twist(
            client,
            bearer,
            alice,
            "conversations/get_or_create",
            workspace_id=conversation.workspace_id,
            user_ids=[bob.pk],
        )
    assert [r[0] for r in rows()] == ["conversation.created"]


def test_a_rollback_records_nothing(campaign_setup):
    _, conversation, admin = campaign_setup

    class Abort(Exception):
        pass

    def post_then_fail():
        with transaction.atomic():
            services.message_add(
                actor=admin, role=Role.ADMIN, conversation=conversation, content="x"
            )
            assert Event.objects.count() == 1
            raise Abort

    with pytest.raises(Abort):
        post_then_fail()
    assert Event.objects.count() == 0


def test_a_refused_write_records_nothing(client, bearer, campaign_setup):
    campaign, conversation, _ = campaign_setup
    player = CampaignMemberFactory(campaign=campaign).user
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    assert kanka(client, bearer, player, "put", path, {"is_private": True}).status_code == 403
    assert Event.objects.count() == 0


@pytest.mark.parametrize("participants", [2, 40])
def test_recording_costs_constant_queries(django_assert_max_num_queries, participants):
    conversation = WorkspaceConversationFactory()
    users = [ParticipantFactory(conversation=conversation).user for _ in range(participants)]
    # message_add's own statements (savepoint, lock, insert, counters, participants:
    # one statement with the counters on PostgreSQL, release) plus the outbox's one
    # INSERT (audience, xact id + NOTIFY, webhooks).
    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 7):
        services.message_add(
            actor=users[0], role=Role.MEMBER, conversation=conversation, content="x"
        )
    assert Event.objects.get().audience == sorted(u.pk for u in users)


def test_maintenance_prunes_past_retention_and_records_the_mark(campaign_setup):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from events.models import OutboxState

    _, conversation, admin = campaign_setup
    for _ in range(3):
        services.message_add(actor=admin, role=Role.ADMIN, conversation=conversation, content="x")
    old = list(Event.objects.order_by("id"))[:2]
    Event.objects.filter(pk__in=[e.pk for e in old]).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    call_command("events_maintenance")
    call_command("events_maintenance")  # idempotent
    assert Event.objects.count() == 1
    assert OutboxState.objects.get().pruned_through == old[-1].pk
