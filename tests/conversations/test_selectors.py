import pytest

from conversations import exceptions, selectors, services
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db


def test_private_and_deleted_conversations_are_hidden_from_non_admins(campaign_world):
    campaign = campaign_world["campaign"]
    private = CampaignConversationFactory(campaign=campaign, is_private=True)
    deleted = CampaignConversationFactory(campaign=campaign)
    services.conversation_delete(
        actor=campaign_world["admin"], role=Role.ADMIN, conversation=deleted
    )
    visible_to_player = selectors.conversations_visible_in_campaign(
        campaign=campaign, role=Role.PLAYER
    )
    visible_to_admin = selectors.conversations_visible_in_campaign(
        campaign=campaign, role=Role.ADMIN
    )

    assert list(visible_to_player) == [campaign_world["conversation"]]
    assert list(visible_to_admin) == [campaign_world["conversation"], private]
    with pytest.raises(exceptions.ConversationNotFound):
        selectors.conversation_in_campaign(
            campaign=campaign, role=Role.VISITOR, conversation_id=private.pk
        )


def test_another_campaigns_conversation_is_not_found(campaign_world):
    elsewhere = CampaignConversationFactory()
    with pytest.raises(exceptions.ConversationNotFound):
        selectors.conversation_in_campaign(
            campaign=campaign_world["campaign"], role=Role.ADMIN, conversation_id=elsewhere.pk
        )


def _workspace_with_conversations(count):
    """One user in `count` two-person conversations, each with one unread message."""
    me = WorkspaceMemberFactory().user
    workspace = me.workspace_memberships.get().workspace
    for n in range(count):
        other = WorkspaceMemberFactory(workspace=workspace).user
        conversation, _ = services.conversation_get_or_create(
            actor=other, role=Role.MEMBER, workspace=workspace, user_ids=[me.pk]
        )
        services.message_add(
            actor=other,
            role=Role.MEMBER,
            conversation=conversation,
            content="hi",
            mentioned_user_ids=[me.pk] if n % 2 else [],
        )
    return me, workspace


@pytest.mark.parametrize("count", [2, 50])
def test_unread_state_is_one_query_whatever_the_number_of_conversations(
    count, django_assert_num_queries
):
    me, workspace = _workspace_with_conversations(count)
    with django_assert_num_queries(1):
        unread = selectors.unread_of_user(user=me, workspace=workspace)
    assert len(unread) == count
    assert sum(row["direct_mention"] for row in unread) == count // 2
    assert all(row["obj_index"] == 0 for row in unread)


@pytest.mark.parametrize("count", [2, 50])
def test_a_users_conversations_load_in_constant_queries(count, django_assert_num_queries):
    me, workspace = _workspace_with_conversations(count)
    # The caller's state and the last message with its creator are joins; the workspace
    # API loads participants, mentions and reactions in one batch
    # (tests/workspaces/test_selectors.py).
    with django_assert_num_queries(1):
        conversations = list(selectors.conversations_of_user(user=me, workspace=workspace))
        for conversation in conversations:
            assert not conversation.my_archived
            assert conversation.last_message.created_by.pk != me.pk
    assert len(conversations) == count


def test_a_users_state_is_their_own(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[b.pk]
    )
    services.conversation_set_archived(actor=a, conversation=conversation, archived=True)
    mine = selectors.conversations_of_user(user=a, workspace=workspace_world["workspace"]).get()
    theirs = selectors.conversations_of_user(user=b, workspace=workspace_world["workspace"]).get()
    assert (mine.my_archived, theirs.my_archived) == (True, False)
    assert not selectors.conversations_of_user(
        user=workspace_world["c"], workspace=workspace_world["workspace"]
    ).exists()


def test_non_participants_do_not_find_a_conversation_or_its_messages(workspace_world):
    a, b, c = workspace_world["a"], workspace_world["b"], workspace_world["c"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[b.pk]
    )
    message = services.message_add(
        actor=a, role=Role.MEMBER, conversation=conversation, content="x"
    )
    with pytest.raises(exceptions.ConversationNotFound):
        selectors.access_workspace_conversation(user=c, conversation_id=conversation.pk)
    with pytest.raises(exceptions.MessageNotFound):
        selectors.access_workspace_message(user=c, message_id=message.pk)
    assert selectors.access_workspace_message(user=b, message_id=message.pk)[0] == message


def test_a_participant_who_left_the_workspace_loses_access(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[b.pk]
    )
    b.workspace_memberships.all().delete()
    with pytest.raises(exceptions.ConversationNotFound):
        selectors.access_workspace_conversation(user=b, conversation_id=conversation.pk)


def test_posting_access_answers_what_the_access_check_answers(workspace_world):
    """The posting check's written SQL states `visible_workspace_conversation`'s rule again."""
    from django.db import transaction
    from django.utils import timezone

    from conversations.models import Conversation

    world = workspace_world
    a, b, c, admin = world["a"], world["b"], world["c"], world["admin"]

    def conversation(*others):
        made, _ = services.conversation_get_or_create(
            actor=a, role=Role.MEMBER, workspace=world["workspace"], user_ids=[u.pk for u in others]
        )
        return made.pk

    live, with_admin, deleted = conversation(b), conversation(b, admin), conversation(c)
    Conversation.objects.filter(pk=deleted).update(deleted_at=timezone.now())
    left = conversation(b, c)
    c.workspace_memberships.all().delete()
    campaign = CampaignConversationFactory().pk

    def answer(access, user, conversation_id):
        try:
            found, role = access(user=user, conversation_id=conversation_id)
        except exceptions.ConversationNotFound:
            return None
        return found.pk, role

    cases = [
        (a, live), (b, live), (c, live), (admin, with_admin), (admin, live), (a, deleted),
        (c, left), (b, left), (a, campaign), (a, "x"), (a, 10**9),
    ]  # fmt: skip
    with transaction.atomic():
        for user, conversation_id in cases:
            expected = answer(selectors.access_workspace_conversation, user, conversation_id)
            posting = answer(selectors.access_workspace_conversation_to_post, user, conversation_id)
            assert posting == expected, (user, conversation_id)
    assert answer(selectors.access_workspace_conversation, admin, with_admin)[1] == Role.ADMIN
    assert answer(selectors.access_workspace_conversation, c, left) is None


def test_history_pages_by_obj_index_range(workspace_world):
    a, b = workspace_world["a"], workspace_world["b"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=workspace_world["workspace"], user_ids=[b.pk]
    )
    for n in range(10):
        services.message_add(actor=a, role=Role.MEMBER, conversation=conversation, content=str(n))

    newest = selectors.messages_page(conversation=conversation, limit=3)
    forward = selectors.messages_page(
        conversation=conversation, from_obj_index=4, descending=False, limit=3
    )
    window = selectors.messages_page(
        conversation=conversation, from_obj_index=2, to_obj_index=4, limit=10
    )
    assert [m.obj_index for m in newest] == [9, 8, 7]
    assert [m.obj_index for m in forward] == [4, 5, 6]
    assert [m.obj_index for m in window] == [4, 3, 2]
