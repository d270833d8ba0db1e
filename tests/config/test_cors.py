"""CORS for browser clients: only the origins in CORS_ALLOWED_ORIGINS, none by default."""

import pytest

from tests.factories import CampaignMemberFactory

pytestmark = pytest.mark.django_db

APP = "https://app.example"
URL = "/api/1.0/campaigns/1/conversations"


def preflight(client, origin, url=URL, method="POST"):
    return client.options(
        url,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@pytest.fixture
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]


@pytest.mark.parametrize("url", [URL, "/api/v1/conversations/getone"])
def test_a_preflight_from_an_allowed_origin_succeeds_with_authorization(client, allowed, url):
    response = preflight(client, APP, url)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    allowed_headers = response["Access-Control-Allow-Headers"].split(", ")
    assert {"authorization", "content-type"} <= set(allowed_headers)
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_from_another_origin_gets_no_permission(client, allowed):
    response = preflight(client, "https://evil.example")

    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_by_default(client):
    response = preflight(client, APP)

    assert "Access-Control-Allow-Origin" not in response


def test_an_allowed_origin_reads_the_answer_and_its_headers(client, allowed, bearer):
    member = CampaignMemberFactory()

    response = client.get(
        f"/api/1.0/campaigns/{member.campaign_id}/conversations",
        HTTP_ORIGIN=APP,
        **bearer(member.user),
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    exposed = response["Access-Control-Expose-Headers"].split(", ")
    assert {"X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(exposed)


def test_the_admin_is_never_cross_origin(client, allowed):
    response = preflight(client, APP, "/admin/login/")

    assert "Access-Control-Allow-Origin" not in response
