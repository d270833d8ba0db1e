import pytest
from django.db import IntegrityError

from conversations import exceptions, services
from conversations.models import Conversation
from conversations.policy import Role
from tests.factories import CampaignFactory, EntityFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _get_or_create(world, actor, *others):
    return services.conversation_get_or_create(
        actor=actor, role=Role.MEMBER, workspace=world["workspace"], user_ids=[u.pk for u in others]
    )


def test_a_conversation_lives_in_exactly_one_scope():
    campaign = CampaignFactory()
    with pytest.raises(IntegrityError):
        Conversation.objects.create(
            campaign=campaign,
            workspace=WorkspaceFactory(),
            entity=EntityFactory(campaign=campaign, kind="conversation"),
        )


def test_a_campaign_conversation_needs_its_entity():
    with pytest.raises(IntegrityError):
        Conversation.objects.create(campaign=CampaignFactory())


def test_get_or_create_returns_the_same_conversation_for_the_same_set(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    first, created = _get_or_create(workspace_world, a, b)
    again, created_again = _get_or_create(workspace_world, b, a)
    with_self_listed, _ = _get_or_create(workspace_world, a, a, b)

    assert created
    assert not created_again
    assert again.pk == first.pk == with_self_listed.pk
    assert sorted(first.participants.values_list("user_id", flat=True)) == sorted([a.pk, b.pk])
    assert first.created_by == a


def test_get_or_create_with_another_set_creates_another(workspace_world):
    a, b, c = workspace_world["a"], workspace_world["b"], workspace_world["c"]
    pair, _ = _get_or_create(workspace_world, a, b)
    group, created = _get_or_create(workspace_world, a, b, c)
    alone, _ = _get_or_create(workspace_world, a)
    assert created
    assert len({pair.pk, group.pk, alone.pk}) == 3


def test_get_or_create_refuses_non_members_and_creates_nothing(workspace_world):
    with pytest.raises(exceptions.UserNotFound):
        _get_or_create(workspace_world, workspace_world["a"], UserFactory())
    assert not Conversation.objects.exists()


def test_a_deleted_conversation_is_not_found_again_by_get_or_create(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    old, _ = _get_or_create(workspace_world, a, b)
    services.conversation_delete(actor=a, role=Role.MEMBER, conversation=old)
    new, created = _get_or_create(workspace_world, a, b)
    assert created
    assert new.pk != old.pk


def test_adding_a_user_rekeys_the_conversation_for_its_new_set(workspace_world):
    a, b, c = workspace_world["a"], workspace_world["b"], workspace_world["c"]
    pair, _ = _get_or_create(workspace_world, a, b)
    services.participants_add_missing(actor=a, role=Role.MEMBER, conversation=pair, user_ids=[c.pk])
    found, created = _get_or_create(workspace_world, c, a, b)
    assert not created
    assert found.pk == pair.pk


def test_a_set_that_is_taken_leaves_the_changed_conversation_unkeyed(workspace_world):
    a, b, c = workspace_world["a"], workspace_world["b"], workspace_world["c"]
    group, _ = _get_or_create(workspace_world, a, b, c)
    pair, _ = _get_or_create(workspace_world, a, b)
    services.participants_add_missing(actor=a, role=Role.MEMBER, conversation=pair, user_ids=[c.pk])
    pair.refresh_from_db()
    assert pair.participant_key is None
    assert _get_or_create(workspace_world, a, b, c)[0].pk == group.pk


def test_only_admins_make_a_conversation_private(campaign_world):
    campaign, player = campaign_world["campaign"], campaign_world["player"]
    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_create(
            actor=player,
            role=Role.PLAYER,
            campaign=campaign,
            entity=EntityFactory(campaign=campaign, kind="conversation"),
            title="Mine",
            is_private=True,
        )
    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_update(
            actor=player,
            role=Role.PLAYER,
            conversation=campaign_world["conversation"],
            is_private=True,
        )


def test_players_update_only_the_conversations_they_created(campaign_world):
    conversation = campaign_world["conversation"]  # created by "player"
    services.conversation_update(
        actor=campaign_world["player"], role=Role.PLAYER, conversation=conversation, title="Ok"
    )
    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_update(
            actor=campaign_world["other_player"],
            role=Role.PLAYER,
            conversation=conversation,
            title="No",
        )
    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_delete(
            actor=campaign_world["other_player"], role=Role.PLAYER, conversation=conversation
        )
    conversation.refresh_from_db()
    assert (conversation.title, conversation.deleted_at) == ("Ok", None)


def test_only_admins_close_and_reopen(campaign_world):
    conversation = campaign_world["conversation"]
    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_set_closed(
            actor=campaign_world["player"], role=Role.PLAYER, conversation=conversation, closed=True
        )
    services.conversation_set_closed(
        actor=campaign_world["admin"], role=Role.ADMIN, conversation=conversation, closed=True
    )
    conversation.refresh_from_db()
    assert conversation.is_closed


def test_visitors_create_nothing(campaign_world):
    campaign = campaign_world["campaign"]
    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_create(
            actor=campaign_world["outsider"],
            role=Role.VISITOR,
            campaign=campaign,
            entity=EntityFactory(campaign=campaign, kind="conversation"),
            title="Nope",
        )


def test_soft_delete_keeps_messages_and_a_moderator_restores(campaign_world):
    conversation, admin = campaign_world["conversation"], campaign_world["admin"]
    services.message_add(actor=admin, role=Role.ADMIN, conversation=conversation, content="kept")
    services.conversation_delete(actor=admin, role=Role.ADMIN, conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.deleted_at is not None
    assert conversation.deleted_by == admin
    assert conversation.messages.count() == 1

    with pytest.raises(exceptions.PermissionDenied):
        services.conversation_restore(
            actor=campaign_world["player"], role=Role.PLAYER, conversation=conversation
        )
    services.conversation_restore(actor=admin, role=Role.MODERATOR, conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.deleted_at is None
