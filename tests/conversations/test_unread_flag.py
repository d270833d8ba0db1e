"""`Participant.unread` always equals the comparison it stands for (issue 14).

get_unread reads the flag off a partial index, so every write that moves a
read marker or a conversation's `last_obj_index` must keep it in step.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import selectors, services
from conversations.models import Conversation, Participant
from conversations.policy import Role
from tests.factories import (
    CharacterFactory,
    MessageFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db

# PostgreSQL writes a post's counters and participants in one statement.
POSTGRES = int(connection.vendor == "postgresql")


def _flags_agree():
    rows = Participant.objects.select_related("conversation")
    wrong = [
        (p.pk, p.unread)
        for p in rows
        if p.unread
        != (p.user_id is not None and p.conversation.last_obj_index > p.last_read_obj_index)
    ]
    assert wrong == []


def test_every_write_that_moves_a_marker_keeps_the_flag(workspace_world):
    a, b, c = workspace_world["a"], workspace_world["b"], workspace_world["c"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[b.pk]
    )
    _flags_agree()
    first = services.message_add(actor=a, role=Role.MEMBER, conversation=conversation, content="1")
    _flags_agree()
    assert Participant.objects.get(conversation=conversation, user=b).unread
    services.conversation_mark_read(actor=b, conversation=conversation)
    _flags_agree()
    services.message_add(actor=b, role=Role.MEMBER, conversation=conversation, content="2")
    _flags_agree()
    conversation.refresh_from_db()
    services.conversation_mark_unread(actor=a, conversation=conversation, obj_index=first.obj_index)
    _flags_agree()
    services.conversation_mark_read(actor=a, conversation=conversation, obj_index=0)
    _flags_agree()
    services.participants_add_missing(
        actor=a, role=Role.MEMBER, conversation=conversation, user_ids=[c.pk]
    )
    _flags_agree()
    assert Participant.objects.get(conversation=conversation, user=c).unread


def test_a_new_participant_of_an_empty_conversation_has_nothing_unread(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[]
    )
    services.participants_add_missing(
        actor=a, role=Role.MEMBER, conversation=conversation, user_ids=[b.pk]
    )
    _flags_agree()
    assert selectors.unread_of_user(user=b, workspace=workspace_world["workspace"]) == []


def test_campaign_participants_added_or_repointed_keep_the_flag(campaign_world):
    conversation, admin = campaign_world["conversation"], campaign_world["admin"]
    MessageFactory(conversation=conversation, created_by=admin)
    services.participant_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, user_id=campaign_world["player"].pk
    )
    character = CharacterFactory(campaign=campaign_world["campaign"])
    row = services.participant_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, character_id=character.pk
    )
    _flags_agree()
    services.participant_update(
        actor=admin, role=Role.ADMIN, participant=row, user_id=campaign_world["other_player"].pk
    )
    _flags_agree()
    assert Participant.objects.get(pk=row.pk).unread


def test_posting_writes_once_and_returns_a_message_ready_to_render(
    workspace_world, django_assert_num_queries
):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[b.pk]
    )
    services.message_add(actor=b, role=Role.MEMBER, conversation=conversation, content="0")

    # lock, insert, counters, participants (one statement on PostgreSQL), then the
    # outbox's one INSERT (the audience, the event row, the webhooks that want it);
    # inside the test's transaction the atomic block is a savepoint and its release
    # (BEGIN/COMMIT over HTTP)
    with django_assert_num_queries(7 - POSTGRES):
        message = services.message_add(
            actor=a, role=Role.MEMBER, conversation=conversation, content="1"
        )
    # + the mention rows (one INSERT … SELECT of the mentioned participants)
    with django_assert_num_queries(8 - POSTGRES):
        mentioning = services.message_add(
            actor=a,
            role=Role.MEMBER,
            conversation=conversation,
            content="2",
            mentioned_user_ids=[b.pk],
        )

    with django_assert_num_queries(0):
        rendered = (
            message.conversation.workspace_id,
            message.conversation.last_obj_index,
            message.created_by.name,
            [m.user_id for m in mentioning.mentions.all()],
        )
    assert rendered == (workspace_world["workspace"].pk, 1, a.name, [b.pk])


@pytest.mark.postgres
def test_get_unread_walks_only_the_unread_rows_of_the_partial_index():
    """Many read conversations, two unread: the plan starts from `participant_unread`."""
    me = WorkspaceMemberFactory().user
    workspace = me.workspace_memberships.get().workspace
    conversations = WorkspaceConversationFactory.create_batch(50, workspace=workspace)
    for conversation in conversations:
        ParticipantFactory(conversation=conversation, user=me)
    for conversation in conversations[:2]:
        MessageFactory(conversation=conversation)
    with connection.cursor() as cursor:
        for model in (Participant, Conversation):
            cursor.execute(f"ANALYZE {model._meta.db_table}")

    with CaptureQueriesContext(connection) as captured:
        unread = selectors.unread_of_user(user=me, workspace=workspace)
    assert [row["conversation_id"] for row in unread] == [c.pk for c in conversations[1::-1]]
    with connection.cursor() as cursor:
        # A test's tables fit a page or two; only forbidding a sequential scan
        # shows which index the planner would walk.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {captured.captured_queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "participant_unread" in plan, plan
    assert "Seq Scan on conversations_participant" not in plan, plan
