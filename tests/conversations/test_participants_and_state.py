import pytest

from conversations import exceptions, services
from conversations.models import Participant
from conversations.policy import Role
from tests.factories import CharacterFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(workspace_world):
    conversation, _ = services.conversation_get_or_create(
        actor=workspace_world["a"],
        role=Role.MEMBER,
        workspace=workspace_world["workspace"],
        user_ids=[workspace_world["b"].pk],
    )
    for text in ("zero", "one", "two"):
        services.message_add(
            actor=workspace_world["a"], role=Role.MEMBER, conversation=conversation, content=text
        )
    conversation.refresh_from_db()
    return conversation


def _row(conversation, user):
    return Participant.objects.get(conversation=conversation, user=user)


def test_adding_a_participant_twice_is_refused(campaign_world):
    conversation, admin = campaign_world["conversation"], campaign_world["admin"]
    player = campaign_world["player"]
    services.participant_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, user_id=player.pk
    )
    with pytest.raises(exceptions.AlreadyParticipant):
        services.participant_add(
            actor=admin, role=Role.ADMIN, conversation=conversation, user_id=player.pk
        )
    assert conversation.participants.count() == 1


def test_participants_are_campaign_members_or_campaign_characters(campaign_world):
    conversation, admin = campaign_world["conversation"], campaign_world["admin"]
    with pytest.raises(exceptions.UserNotFound):
        services.participant_add(
            actor=admin,
            role=Role.ADMIN,
            conversation=conversation,
            user_id=campaign_world["outsider"].pk,
        )
    with pytest.raises(exceptions.CharacterNotFound):
        services.participant_add(
            actor=admin,
            role=Role.ADMIN,
            conversation=conversation,
            character_id=CharacterFactory().pk,
        )
    own = CharacterFactory(campaign=campaign_world["campaign"])
    participant = services.participant_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, character_id=own.pk
    )
    assert participant.character == own
    assert participant.user is None


def test_exactly_one_of_user_and_character(campaign_world):
    conversation, admin = campaign_world["conversation"], campaign_world["admin"]
    own = CharacterFactory(campaign=campaign_world["campaign"])
    with pytest.raises(exceptions.InvalidArgument):
        services.participant_add(actor=admin, role=Role.ADMIN, conversation=conversation)
    with pytest.raises(exceptions.InvalidArgument):
        services.participant_add(
            actor=admin,
            role=Role.ADMIN,
            conversation=conversation,
            user_id=admin.pk,
            character_id=own.pk,
        )


def test_closed_conversations_refuse_participant_changes_from_players(campaign_world):
    conversation = campaign_world["conversation"]
    conversation.is_closed = True
    conversation.save()
    with pytest.raises(exceptions.ConversationClosed):
        services.participant_add(
            actor=campaign_world["player"],
            role=Role.PLAYER,
            conversation=conversation,
            user_id=campaign_world["player"].pk,
        )


def test_participant_changes_bump_updated_at(campaign_world):
    conversation, admin = campaign_world["conversation"], campaign_world["admin"]
    before = conversation.updated_at
    services.participant_add(
        actor=admin, role=Role.ADMIN, conversation=conversation, user_id=admin.pk
    )
    conversation.refresh_from_db()
    assert conversation.updated_at > before


def test_adding_many_checks_every_id_before_adding_any(workspace_world, pair):
    with pytest.raises(exceptions.UserNotFound):
        services.participants_add_missing(
            actor=workspace_world["a"],
            role=Role.MEMBER,
            conversation=pair,
            user_ids=[workspace_world["c"].pk, UserFactory().pk],
        )
    assert pair.participants.count() == 2


def test_adding_present_users_is_a_no_op(workspace_world, pair):
    services.participants_add_missing(
        actor=workspace_world["a"],
        role=Role.MEMBER,
        conversation=pair,
        user_ids=[workspace_world["a"].pk, workspace_world["b"].pk],
    )
    assert pair.participants.count() == 2


def test_removing_users_keeps_at_least_one(workspace_world, pair):
    a, b = workspace_world["a"], workspace_world["b"]
    services.participants_remove(actor=a, role=Role.MEMBER, conversation=pair, user_ids=[b.pk])
    with pytest.raises(exceptions.InvalidArgument):
        services.participants_remove(actor=a, role=Role.MEMBER, conversation=pair, user_ids=[a.pk])
    assert list(pair.participants.values_list("user_id", flat=True)) == [a.pk]


def test_mark_read_sets_the_marker_exactly(workspace_world, pair):
    b = workspace_world["b"]
    services.conversation_mark_read(actor=b, conversation=pair, obj_index=2)
    services.conversation_mark_read(actor=b, conversation=pair, obj_index=1)
    assert _row(pair, b).last_read_obj_index == 1


def test_mark_unread_makes_that_message_and_later_ones_unread(workspace_world, pair):
    a = workspace_world["a"]
    services.conversation_mark_unread(actor=a, conversation=pair, obj_index=0)
    assert _row(pair, a).last_read_obj_index == -1


@pytest.mark.parametrize("obj_index", [-1, 3, 100])
def test_markers_only_point_at_messages_of_the_conversation(workspace_world, pair, obj_index):
    with pytest.raises(exceptions.InvalidArgument):
        services.conversation_mark_read(
            actor=workspace_world["b"], conversation=pair, obj_index=obj_index
        )
    assert _row(pair, workspace_world["b"]).last_read_obj_index == -1


def test_personal_state_needs_a_participant(workspace_world, pair):
    with pytest.raises(exceptions.ConversationNotFound):
        services.conversation_set_archived(
            actor=workspace_world["c"], conversation=pair, archived=True
        )


def test_archive_and_mute_are_per_user(workspace_world, pair):
    a, b = workspace_world["a"], workspace_world["b"]
    services.conversation_set_archived(actor=a, conversation=pair, archived=True)
    services.conversation_mute(actor=a, conversation=pair, minutes=30)
    mine, theirs = _row(pair, a), _row(pair, b)
    assert mine.archived
    assert mine.muted_until is not None
    assert not theirs.archived
    assert theirs.muted_until is None

    services.conversation_unmute(actor=a, conversation=pair)
    assert _row(pair, a).muted_until is None


@pytest.mark.parametrize("minutes", [0, -5])
def test_mute_needs_positive_minutes(workspace_world, pair, minutes):
    with pytest.raises(exceptions.InvalidArgument):
        services.conversation_mute(actor=workspace_world["a"], conversation=pair, minutes=minutes)
