import pytest

from conversations import services
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    ParticipantFactory,
    UserFactory,
    moderators_group,
)


@pytest.fixture
def moderator(db):
    """A staff user in the Moderators group the data migration creates."""
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def conversation_with_messages(db):
    """A campaign conversation with two members taking part and three messages."""

    def make(*, messages=3, title="Tavern talk"):
        conversation = CampaignConversationFactory(title=title)
        author = CampaignMemberFactory(campaign=conversation.campaign).user
        ParticipantFactory(conversation=conversation, user=author)
        for n in range(messages):
            services.message_add(
                actor=author,
                role=Role.PLAYER,
                conversation=conversation,
                content=f"line {n}",
                author_user_id=author.pk,
            )
        conversation.refresh_from_db()
        return conversation

    return make


@pytest.fixture
def run_action():
    """Post an admin action; with `reason`, also confirm it on the intermediate page."""

    def run(client, url, action, ids, reason=None, **extra):
        data = {"action": action, "_selected_action": [str(pk) for pk in ids], **extra}
        if reason is None:
            return client.post(url, {**data, "index": "0"})
        return client.post(url, {**data, "confirm": "yes", "reason": reason})

    return run
