"""The browsable API, under Parley's name: HTML for a logged-in browser, JSON for clients."""

import re
from html import unescape

import pytest

from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def campaign_conversation():
    member = CampaignMemberFactory()
    conversation = CampaignConversationFactory(campaign=member.campaign, title="Into the mines")
    url = f"/api/1.0/campaigns/{member.campaign_id}/conversations"
    return member.user, conversation, url


@pytest.fixture
def workspace_conversation():
    member = WorkspaceMemberFactory()
    conversation = WorkspaceConversationFactory(workspace=member.workspace, title="Stand-up")
    ParticipantFactory(conversation=conversation, user=member.user)
    url = f"/api/v1/conversations/get?workspace_id={member.workspace_id}"
    return member.user, conversation, url


@pytest.mark.parametrize(
    ("api", "title"),
    [("campaign_conversation", "Into the mines"), ("workspace_conversation", "Stand-up")],
)
def test_each_api_is_browsable_after_login(client, request, api, title):
    user, _, url = request.getfixturevalue(api)
    client.force_login(user)

    response = client.get(url, HTTP_ACCEPT=BROWSER)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="response-info"' in html
    assert title in html
    assert '<a class="navbar-brand" rel="nofollow" href="/">Parley API</a>' in html
    assert "Django REST framework" not in html


def test_the_browsable_apis_login_page_carries_parleys_name(client):
    html = client.get("/api-auth/login/").content.decode()

    assert "<title>Log in \N{EN DASH} Parley API</title>" in html
    assert "Parley API</h3>" in html
    assert "Django REST framework" not in html


TITLE = re.compile(r"<title>\s*(.*?) \N{EN DASH} Parley API\s*</title>", re.S)
BREADCRUMBS = re.compile(r'<ul class="breadcrumb">(.*?)</ul>', re.S)


def _title_and_breadcrumbs(html: str) -> tuple[str, list[str]]:
    """The page's own part of its <title>, and the names in its breadcrumb bar."""
    title = TITLE.search(html).group(1)
    names = re.findall(r">([^<>]+)</a>", BREADCRUMBS.search(html).group(1))
    return unescape(title), [unescape(name) for name in names]


def test_campaign_page_title_and_breadcrumbs_say_what_each_page_is(client, campaign_conversation):
    user, conversation, url = campaign_conversation
    client.force_login(user)

    html = client.get(f"{url}/{conversation.pk}", HTTP_ACCEPT=BROWSER).content.decode()

    title, breadcrumbs = _title_and_breadcrumbs(html)
    assert title == f"Conversation {conversation.pk}"
    assert breadcrumbs == [
        "Campaigns",
        f"Campaign {conversation.campaign_id}",
        "Conversations",
        f"Conversation {conversation.pk}",
    ]


def test_workspace_page_title_is_the_method_and_no_breadcrumb_is_unknown(
    client, workspace_conversation
):
    user, _, url = workspace_conversation
    client.force_login(user)

    html = client.get(url, HTTP_ACCEPT=BROWSER).content.decode()

    title, breadcrumbs = _title_and_breadcrumbs(html)
    assert title == "conversations/get"
    assert breadcrumbs == ["conversations/get"]


def test_docstring_code_spans_render_as_code_not_backticks(client, campaign_conversation):
    user, _, url = campaign_conversation
    client.force_login(user)

    html = client.get(url, HTTP_ACCEPT=BROWSER).content.decode()

    assert "<p><code>/campaigns/{campaign}/conversations[/{id}]</code>: private ones" in html
    assert "`" not in html.split('<div class="page-header">')[1].split('class="request-info"')[0]


def test_browsable_page_offers_a_raw_body_form_not_generated_forms(client, campaign_conversation):
    user, _, url = campaign_conversation
    client.force_login(user)

    html = client.get(url, HTTP_ACCEPT=BROWSER).content.decode()

    assert 'name="_content"' in html
    assert 'id="post-generic-content-form"' in html
    assert 'id="post-object-form"' not in html


def test_a_session_cookie_does_not_authenticate_a_campaign_api_client(
    client, campaign_conversation
):
    user, _, url = campaign_conversation
    client.force_login(user)

    response = client.get(url, HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "error"}
    assert body["code"] == 401


def test_a_session_cookie_does_not_authenticate_a_workspace_api_client(
    client, workspace_conversation
):
    user, _, url = workspace_conversation
    client.force_login(user)

    response = client.get(url, HTTP_ACCEPT="*/*")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error_uuid", "error_code", "error_extra", "error_string"}
    assert body["error_code"] == 120


def test_bearer_clients_get_the_dialects_json(client, bearer, campaign_conversation):
    user, conversation, url = campaign_conversation

    response = client.get(url, HTTP_ACCEPT="application/json", **bearer(user))

    assert response.status_code == 200
    assert response.json()["data"][0]["id"] == conversation.pk
