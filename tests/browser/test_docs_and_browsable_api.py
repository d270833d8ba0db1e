"""What a developer sees in a browser: the docs of both APIs, and the browsable API."""

import pytest

from tests.factories import CampaignConversationFactory, CampaignMemberFactory

pytestmark = pytest.mark.browser


def test_swagger_ui_shows_operations_of_both_apis_from_local_assets(page, live_server, screenshot):
    foreign = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else foreign.append(request.url)
        ),
    )

    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()

    assert any(p.startswith("/api/1.0/campaigns/") for p in paths), paths
    assert any(p.startswith("/api/v1/conversations/") for p in paths), paths
    assert any(p.startswith("/api/v1/conversation_messages/") for p in paths), paths
    assert foreign == []
    # The first screen: the whole page is thousands of pixels of schemas.
    screenshot(page, "api-docs.png", full_page=False)


def test_browsable_api_shows_a_campaigns_conversations_after_login(page, log_in, screenshot):
    member = CampaignMemberFactory(user__username="player")
    conversation = CampaignConversationFactory(campaign=member.campaign, title="Into the mines")
    url = f"/api/1.0/campaigns/{member.campaign_id}/conversations"

    log_in(page, "player", url=f"/api-auth/login/?next={url}")
    page.goto(url)

    assert page.locator(".response-info").count() == 1
    body = page.locator(".response-info").inner_text()
    assert "Into the mines" in body
    assert f'"id": {conversation.pk}' in body
    screenshot(page, "browsable-api.png")
