import pytest
from django.utils import timezone

from conversations import exceptions, services
from conversations.models import Conversation, Mention, Message, Participant
from conversations.policy import Role
from tests.factories import CharacterFactory

pytestmark = pytest.mark.django_db


def _direct(world, *others):
    conversation, _ = services.conversation_get_or_create(
        actor=world["a"],
        role=Role.MEMBER,
        workspace=world["workspace"],
        user_ids=[u.pk for u in others],
    )
    return conversation


def _post(conversation, actor, content="hello", role=Role.MEMBER, **kwargs):
    return services.message_add(
        actor=actor, role=role, conversation=conversation, content=content, **kwargs
    )


def test_first_message_is_obj_index_zero_and_counters_follow(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    assert conversation.last_obj_index == -1

    first = _post(conversation, a)
    second = _post(conversation, b)

    conversation.refresh_from_db()
    assert (first.obj_index, second.obj_index) == (0, 1)
    assert conversation.message_count == 2
    assert conversation.last_obj_index == 1
    assert conversation.last_message_id == second.pk
    assert conversation.last_activity_at == second.created_at


def test_recent_creators_are_distinct_newest_first_and_at_most_five(workspace_world):
    world = workspace_world
    users = [world["a"], world["b"], world["c"], world["admin"]]
    conversation = _direct(world, *users[1:])
    for user in [*users, users[0]]:
        _post(conversation, user)
    conversation.refresh_from_db()
    expected = [users[0].pk, users[3].pk, users[2].pk, users[1].pk]
    assert conversation.recent_creator_ids == expected


def test_posting_moves_the_senders_marker_and_unarchives_for_the_others(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    Participant.objects.filter(conversation=conversation).update(archived=True)

    message = _post(conversation, a)

    rows = {p.user_id: p for p in Participant.objects.filter(conversation=conversation)}
    assert rows[a.pk].last_read_obj_index == message.obj_index
    assert rows[b.pk].last_read_obj_index == -1
    assert rows[b.pk].archived is False
    assert rows[a.pk].archived is True


def test_a_locked_post_joins_the_callers_transaction_and_skips_the_lock(
    workspace_world, django_assert_num_queries
):
    from django.db import connection, transaction

    from conversations.selectors import access_workspace_conversation_to_post

    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    with transaction.atomic():
        locked, role = access_workspace_conversation_to_post(
            user=a, conversation_id=conversation.pk
        )
        # insert, counters and participants (one on PostgreSQL), outbox: no lock, no savepoint
        with django_assert_num_queries(4 - int(connection.vendor == "postgresql")):
            message = _post(locked, a, role=role, locked=True)
    conversation.refresh_from_db()
    assert (message.obj_index, conversation.message_count) == (0, 1)
    assert conversation.last_message_id == message.pk


def test_only_participants_are_recorded_as_mentioned(workspace_world):
    a, b, c = workspace_world["a"], workspace_world["b"], workspace_world["c"]
    conversation = _direct(workspace_world, b)

    message = _post(conversation, a, "hello", mentioned_user_ids=[b.pk, c.pk])

    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [b.pk]


def test_mentions_are_recorded_in_the_order_given(workspace_world):
    world = workspace_world
    a, b, c, admin = world["a"], world["b"], world["c"], world["admin"]
    conversation = _direct(world, b, c, admin)
    given = sorted([b.pk, c.pk, admin.pk], reverse=True)

    message = _post(conversation, a, "hello", mentioned_user_ids=[*given, given[0], 10**9])

    stored = Mention.objects.filter(message=message).order_by("id")
    assert list(stored.values_list("user_id", flat=True)) == given
    assert [m.user_id for m in message.mentions.all()] == given
    assert [m.pk for m in message.mentions.all()] == [m.pk for m in stored]


def test_the_domain_does_not_read_dialect_markup(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    message = _post(conversation, a, f"[B](twist-mention://{b.pk})")
    assert not Mention.objects.filter(message=message).exists()


def test_closed_conversation_refuses_players_but_not_admins(campaign_world):
    conversation = campaign_world["conversation"]
    conversation.is_closed = True
    conversation.save()

    with pytest.raises(exceptions.ConversationClosed):
        _post(conversation, campaign_world["player"], role=Role.PLAYER)
    _post(conversation, campaign_world["admin"], role=Role.ADMIN)

    conversation.refresh_from_db()
    assert conversation.message_count == 1


def test_visitors_cannot_post(campaign_world):
    with pytest.raises(exceptions.PermissionDenied):
        _post(campaign_world["conversation"], campaign_world["outsider"], role=Role.VISITOR)
    assert campaign_world["conversation"].messages.count() == 0


def test_author_character_must_belong_to_the_campaign(campaign_world):
    foreign = CharacterFactory()
    with pytest.raises(exceptions.CharacterNotFound) as error:
        _post(
            campaign_world["conversation"],
            campaign_world["admin"],
            role=Role.ADMIN,
            author_character_id=foreign.pk,
        )
    assert error.value.field == "character_id"
    assert campaign_world["conversation"].messages.count() == 0


def test_author_user_must_be_a_campaign_member(campaign_world):
    with pytest.raises(exceptions.UserNotFound):
        _post(
            campaign_world["conversation"],
            campaign_world["admin"],
            role=Role.ADMIN,
            author_user_id=campaign_world["outsider"].pk,
        )


def test_editing_bumps_version_and_edited_time(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    message = _post(_direct(workspace_world, b), a, "draft")
    before = timezone.now()

    edited = services.message_update(actor=a, role=Role.MEMBER, message=message, content="final")

    edited.refresh_from_db()
    assert edited.content == "final"
    assert edited.version == 1
    assert edited.edited_at >= before


def test_only_the_poster_or_an_admin_edits_a_message(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    message = _post(_direct(workspace_world, b), a, "mine")

    with pytest.raises(exceptions.PermissionDenied):
        services.message_update(actor=b, role=Role.MEMBER, message=message, content="theirs")
    with pytest.raises(exceptions.PermissionDenied):
        services.message_remove(actor=b, role=Role.MEMBER, message=message)
    services.message_update(
        actor=workspace_world["admin"], role=Role.ADMIN, message=message, content="moderated"
    )
    message.refresh_from_db()
    assert message.content == "moderated"


def test_removing_keeps_last_obj_index_and_recomputes_the_snippet(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    first = _post(conversation, a, "first")
    last = _post(conversation, b, "last")

    services.message_remove(actor=b, role=Role.MEMBER, message=last)

    conversation.refresh_from_db()
    assert conversation.message_count == 1
    assert conversation.last_obj_index == 1
    assert conversation.last_message_id == first.pk
    assert conversation.recent_creator_ids == [a.pk]
    assert conversation.last_activity_at == first.created_at
    assert _post(conversation, a).obj_index == 2


def test_removing_the_only_message_leaves_no_snippet(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    services.message_remove(actor=a, role=Role.MEMBER, message=_post(conversation, a))
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert (conversation.message_count, conversation.last_message_id) == (0, None)
    assert conversation.last_activity_at == conversation.created_at
    assert conversation.recent_creator_ids == []


def test_a_message_removed_meanwhile_is_not_found_for_edit_or_second_removal(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    message = _post(_direct(workspace_world, b), a)
    stale = Message.objects.get(pk=message.pk)
    services.message_remove(actor=a, role=Role.MEMBER, message=message)

    with pytest.raises(exceptions.MessageNotFound):
        services.message_update(actor=a, role=Role.MEMBER, message=stale, content="late")
    with pytest.raises(exceptions.MessageNotFound):
        services.message_remove(actor=a, role=Role.MEMBER, message=stale)
    stale.conversation.refresh_from_db()
    assert stale.conversation.message_count == 0


def test_a_conversation_deleted_meanwhile_takes_no_message(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation = _direct(workspace_world, b)
    stale = Conversation.objects.get(pk=conversation.pk)
    services.conversation_delete(actor=a, role=Role.MEMBER, conversation=conversation)

    with pytest.raises(exceptions.ConversationNotFound):
        _post(stale, a)
    with pytest.raises(exceptions.ConversationNotFound):
        services.participants_add_missing(
            actor=a, role=Role.MEMBER, conversation=stale, user_ids=[workspace_world["c"].pk]
        )
    assert stale.messages.count() == 0
    assert stale.participants.count() == 2
