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
    ascending = statement.rows(descending=False, **ids)
    descending = statement.rows(descending=True, **ids)

    assert descending == ascending[::-1]
    assert len(ascending) == 2
    assert len(statement.compiled) == 2


def test_arguments_are_ids_or_datetimes():
    with pytest.raises(TypeError):
        CONVERSATION_WITH_ROLE.rows(conversation_id="1", user_id=1)
    with pytest.raises(TypeError):
        CONVERSATION_WITH_ROLE.rows(conversation_id=True, user_id=1)
    with pytest.raises(TypeError):
        CONVERSATION_WITH_ROLE.rows(conversation_id=2**63, user_id=1)


def test_an_argument_the_sql_never_takes_is_refused():
    unused = Statement(lambda *, since: Conversation.objects.values("pk"), "since")
    with pytest.raises(ValueError, match="since"):
        unused.rows(since=1)


def test_only_values_querysets_compile():
    instances = Statement(lambda *, user_id: Conversation.objects.filter(pk=user_id), "user_id")
    with pytest.raises(TypeError, match="values"):
        instances.rows(user_id=1)


def _recent(*, user_id, since):
    queryset = Conversation.objects.filter(participants__user_id=user_id)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    return queryset.values("pk")


def test_datetime_arguments_are_substituted_and_none_is_a_shape(conversation):
    statement = Statement(_recent, "user_id", "since")
    user_id = UserFactory().pk
    ParticipantFactory(conversation=conversation, user_id=user_id)
    past, future = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)

    assert statement.rows(user_id=user_id, since=past) == [{"pk": conversation.pk}]
    assert statement.rows(user_id=user_id, since=future) == []
    assert statement.rows(user_id=user_id, since=None) == [{"pk": conversation.pk}]
    assert len(statement.compiled) == 2  # with and without the bound


def test_an_argument_on_a_32_bit_column_and_a_constant_like_a_placeholder(conversation):
    """The placeholders fit every integer column (an out-of-range one would make the ORM
    drop the condition); a constant that equals one is left as it is."""

    def counted(*, conversation_id, at_least):
        return Conversation.objects.filter(
            pk=conversation_id, message_count__gte=at_least, last_obj_index__lt=10_001
        ).values("pk")

    statement = Statement(counted, "conversation_id", "at_least")
    Conversation.objects.filter(pk=conversation.pk).update(message_count=3, last_obj_index=3)

    assert statement.rows(conversation_id=conversation.pk, at_least=3) == [{"pk": conversation.pk}]
    assert statement.rows(conversation_id=conversation.pk, at_least=4) == []
    Conversation.objects.filter(pk=conversation.pk).update(last_obj_index=10_001)
    assert statement.rows(conversation_id=conversation.pk, at_least=3) == []
