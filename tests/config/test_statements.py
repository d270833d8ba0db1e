"""A compiled `Statement` gives the rows `.values()` gives, from one query, on every database."""

from datetime import timedelta

import pytest
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from config.statements import Statement
from conversations.models import Conversation, Participant
from tests.factories import (
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db


def _conversation_with_role(*, conversation_id, user_id):
    """A row with a datetime, a nullable datetime, a joined column and a subquery using an id."""
    role = WorkspaceMember.objects.filter(workspace=OuterRef("workspace_id"), user_id=user_id)
    return Conversation.objects.filter(pk=conversation_id, participants__user_id=user_id).values(
        "pk",
        "updated_at",
        "deleted_at",
        "workspace__name",
        my_role=Subquery(role.values("role")[:1]),
    )


CONVERSATION_WITH_ROLE = Statement(_conversation_with_role, "conversation_id", "user_id")


@pytest.fixture
def conversation():
    conversation = WorkspaceConversationFactory()
    ParticipantFactory(conversation=conversation)
    return conversation


def test_rows_are_the_orms_from_one_query(conversation, django_assert_num_queries):
    user_id = conversation.participants.get().user_id
    expected = list(_conversation_with_role(conversation_id=conversation.pk, user_id=user_id))

    with django_assert_num_queries(1):
        rows = CONVERSATION_WITH_ROLE.rows(conversation_id=conversation.pk, user_id=user_id)

    assert rows == expected
    assert rows[0]["my_role"] == "member"
    assert rows[0]["updated_at"].tzinfo is not None  # converted on SQLite too


def test_new_ids_reach_every_place_they_go(conversation):
    other = WorkspaceMemberFactory(workspace=conversation.workspace, role="admin").user
    assert CONVERSATION_WITH_ROLE.first(conversation_id=conversation.pk, user_id=other.pk) is None

    ParticipantFactory(conversation=conversation, user=other)
    row = CONVERSATION_WITH_ROLE.first(conversation_id=conversation.pk, user_id=other.pk)
    assert row["my_role"] == "admin"  # the subquery's id was substituted too


def test_each_shape_compiles_its_own_sql(conversation):
    def participants(*, conversation_id, descending):
        order = "-user_id" if descending else "user_id"
        return (
            Participant.objects.filter(conversation_id=conversation_id)
            .order_by(order)
            .values("user_id")
        )

    ParticipantFactory(conversation=conversation)
    statement = Statement(participants, "conversation_id")
    ids = {"conversation_id": conversation.pk}
    ascending = statement.rows(shape={"descending": False}, **ids)
    descending = statement.rows(shape={"descending": True}, **ids)

    assert descending == ascending[::-1]
    assert len(ascending) == 2
    assert len(statement.compiled) == 2


def test_arguments_are_ids_only():
    with pytest.raises(TypeError):
        CONVERSATION_WITH_ROLE.rows(conversation_id="1", user_id=1)
    with pytest.raises(TypeError):
        CONVERSATION_WITH_ROLE.rows(conversation_id=True, user_id=1)
    with pytest.raises(TypeError):
        CONVERSATION_WITH_ROLE.rows(conversation_id=1)


def test_an_argument_the_sql_never_takes_is_refused():
    unused = Statement(lambda *, conversation_id, since: Conversation.objects.values("pk"), "since")
    with pytest.raises(ValueError, match="since"):
        unused.rows(since=1, shape={"conversation_id": 1})


def test_only_values_querysets_compile():
    instances = Statement(lambda *, user_id: Conversation.objects.filter(pk=user_id), "user_id")
    with pytest.raises(TypeError, match="values"):
        instances.rows(user_id=1)


def test_datetimes_compared_in_the_sql_stay_literal(conversation):
    """A shape value that is not an id (here a datetime) is baked into the compiled SQL."""

    def recent(*, user_id, since):
        return Conversation.objects.filter(
            participants__user_id=user_id, updated_at__gte=since
        ).values("pk")

    statement = Statement(recent, "user_id")
    user_id = UserFactory().pk
    past = timezone.now() - timedelta(days=1)
    ParticipantFactory(conversation=conversation, user_id=user_id)
    assert statement.rows(user_id=user_id, shape={"since": past}) == [{"pk": conversation.pk}]
