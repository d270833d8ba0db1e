"""What a developer sees in a browser: the docs of both APIs, and the browsable API."""

import pytest

from tests.factories import CampaignConversationFactory, CampaignMemberFactory

pytestmark = pytest.mark.browser


def test_docs_show_operations_of_both_apis_from_local_assets(page, live_server, screenshot):
    foreign, blocked = [], []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "blob:"))
            else foreign.append(request.url)
        ),
    )
    # Refused by the page's Content-Security-Policy: never left the browser.
    page.on(
        "requestfailed",
        lambda request: blocked.append(request.url) if request.failure == "csp" else None,
    )

    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()

    assert any(p.startswith("/api/1.0/campaigns/") for p in paths), paths
    assert any(p.startswith("/api/v1/conversations/") for p in paths), paths
    assert any(p.startswith("/api/v1/conversation_messages/") for p in paths), paths
    # The first screen: the whole page is thousands of pixels of schemas.
    screenshot(page, "api-docs.png", full_page=False)

    page.goto("/api/redoc/")
    page.wait_for_selector("text=Workspace API (Twist dialect)")
    # ReDoc's sidebar footer asks a CDN for Redocly's logo unless the page forbids it.
    page.wait_for_load_state("networkidle")
    assert [url for url in foreign if url not in blocked] == []


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
