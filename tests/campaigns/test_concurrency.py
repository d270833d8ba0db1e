"""PostgreSQL only: concurrent API posts to one conversation keep the counters exact."""

import pytest
from django.test import Client

from campaigns.models import CampaignMember
from conversations.models import Conversation
from tests.factories import CampaignConversationFactory, CampaignMemberFactory
from tests.threads import together


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_through_the_api_number_messages_without_gaps(bearer, settings):
    settings.CAMPAIGN_API_RATE_LIMIT = 10_000
    member = CampaignMemberFactory(role=CampaignMember.Role.ADMIN)
    conversation = CampaignConversationFactory(campaign=member.campaign)
    headers = bearer(member.user)
    url = (
        f"/api/1.0/campaigns/{member.campaign_id}/conversations/{conversation.pk}"
        "/conversation_messages"
    )

    def post(n):
        return [
            Client()
            .post(url, {"message": f"{n}-{i}"}, content_type="application/json", **headers)
            .status_code
            for i in range(5)
        ]

    statuses = together(post, threads=4)

    conversation = Conversation.objects.get(pk=conversation.pk)
    assert statuses == [[200] * 5] * 4
    assert conversation.message_count == 20
    assert sorted(conversation.messages.values_list("obj_index", flat=True)) == list(range(20))
