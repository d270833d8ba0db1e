import pytest

from tests.factories import (
    CampaignConversationFactory,
    CampaignFactory,
    WorkspaceConversationFactory,
)

pytestmark = pytest.mark.django_db


def test_campaign_list_links_its_live_conversations(admin_client):
    campaign = CampaignFactory()
    CampaignConversationFactory.create_batch(2, campaign=campaign)
    CampaignConversationFactory(campaign=campaign, deleted_at="2024-01-01T00:00:00Z")

    html = admin_client.get("/admin/campaigns/campaign/").content.decode()

    link = f'/admin/conversations/conversation/?campaign__id__exact={campaign.pk}">2</a>'
    assert link in html


def test_workspace_list_links_its_conversations(admin_client):
    conversation = WorkspaceConversationFactory()

    html = admin_client.get("/admin/workspaces/workspace/").content.decode()
    listed = admin_client.get(
        "/admin/conversations/conversation/",
        {"workspace__id__exact": conversation.workspace_id},
    )

    assert f"?workspace__id__exact={conversation.workspace_id}" in html
    assert [c.pk for c in listed.context["cl"].result_list] == [conversation.pk]


def test_campaign_list_query_count_does_not_grow_with_rows(
    admin_client, django_assert_max_num_queries
):
    CampaignConversationFactory()
    with django_assert_max_num_queries(8) as small:
        admin_client.get("/admin/campaigns/campaign/")

    CampaignConversationFactory.create_batch(49)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get("/admin/campaigns/campaign/")
