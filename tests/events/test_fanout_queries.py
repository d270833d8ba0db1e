"""events.md §6.9: what one event costs the hub of a process, whatever its local recipients.

The hub renders a batch of outbox rows for all its streams at once
(`events.render.render`, run on its ORM threads); the query count is asserted
here, in-process, since a server's threads are out of the test's reach.
"""

import pytest

from campaigns.models import CampaignMember
from conversations import services
from conversations.policy import Role
from events import render
from events.models import Event
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db
RECIPIENTS = 50


def _new_events(after: int) -> list[Event]:
    # The test's own transaction has not committed: read the rows, not events_after.
    return list(Event.objects.filter(id__gt=after).order_by("id"))


def _last_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def workspace_conversation():
    conversation = WorkspaceConversationFactory()
    users = [ParticipantFactory(conversation=conversation).user for _ in range(RECIPIENTS)]
    outsider = WorkspaceMemberFactory(workspace=conversation.workspace).user
    return conversation, users, outsider


def _workspace_audiences(conversation, users):
    return [render.Audience("workspace", u, conversation.workspace_id, Role.MEMBER) for u in users]


def test_one_workspace_message_for_50_recipients_costs_at_most_8_queries(
    workspace_conversation, django_assert_max_num_queries
):
    conversation, users, outsider = workspace_conversation
    start = _last_id()
    services.message_add(actor=users[0], role=Role.MEMBER, conversation=conversation, content="hi")
    events = _new_events(start)
    audiences = _workspace_audiences(conversation, [*users, outsider])

    with django_assert_max_num_queries(8):
        batches = render.render(audiences, events)

    texts = {frames[-1][2] for frames in batches[:RECIPIENTS]}
    assert [frames[-1][1] for frames in batches[:RECIPIENTS]] == ["conversation_message.added"] * 50
    assert len(texts) == 1  # serialised once for all
    assert '"content":"hi"' in texts.pop()
    assert [frame[1] for frame in batches[-1]] == [None] * len(events)  # not a participant


def test_a_workspace_conversation_event_keeps_each_recipients_own_state(
    workspace_conversation, django_assert_max_num_queries
):
    conversation, users, _ = workspace_conversation
    services.conversation_set_archived(actor=users[1], conversation=conversation, archived=True)
    start = _last_id()
    newcomer = WorkspaceMemberFactory(workspace=conversation.workspace).user
    services.participants_add_missing(
        actor=users[0], role=Role.MEMBER, conversation=conversation, user_ids=[newcomer.pk]
    )
    events = _new_events(start)
    audiences = _workspace_audiences(conversation, [*users, newcomer])

    with django_assert_max_num_queries(8):
        batches = render.render(audiences, events)

    added = [frames[-1] for frames in batches]
    assert {frame[1] for frame in added} == {"conversation_participant.added"}
    assert ['"archived":true' in frame[2] for frame in added] == [
        user == users[1] for user in [*users, newcomer]
    ]
    assert all(f",{newcomer.pk}]" in frame[2].split('"title"')[0] for frame in added)


def test_one_campaign_message_for_50_recipients_costs_at_most_8_queries(
    django_assert_max_num_queries,
):
    admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN)
    campaign = admin.campaign
    conversation = CampaignConversationFactory(campaign=campaign, created_by=admin.user)
    players = [
        CampaignMemberFactory(campaign=campaign, user=UserFactory()) for _ in range(RECIPIENTS - 1)
    ]
    start = _last_id()
    services.message_add(
        actor=admin.user,
        role=Role.ADMIN,
        conversation=conversation,
        content="hi",
        author_user_id=admin.user.pk,
    )
    events = _new_events(start)
    audiences = [
        render.Audience("campaign", member.user, campaign.pk, Role(member.role), campaign=campaign)
        for member in [admin, *players]
    ]

    with django_assert_max_num_queries(8):
        batches = render.render(audiences, events)

    assert {frames[-1][1] for frames in batches} == {"conversation_message.added"}
    assert len({frames[-1][2] for frames in batches}) <= 2  # one text per role class
