"""Kanka's error bodies: 401, 403, 404, 405, 422, 429, 500 and unknown URLs, always JSON."""

import pytest

from campaigns.api.views import conversations as conversation_views
from conversations.models import Conversation
from tests.dbstate import database_snapshot
from tests.factories import CampaignConversationFactory

UNAUTHENTICATED = {
    "code": 401,
    "error": "Invalid authentication token. Make sure you copy-pasted it correctly, "
    "or try using a new one.",
}
MISSING_TOKEN = {
    "code": 401,
    "error": "Missing authentication token. Send the header Authorization: Bearer <token>.",
}


@pytest.mark.parametrize(
    ("header", "body", "challenge"),
    [
        (None, MISSING_TOKEN, 'Bearer realm="api"'),
        ("Basic abc", MISSING_TOKEN, 'Bearer realm="api"'),
        ("Bearer nope", UNAUTHENTICATED, 'Bearer realm="api", error="invalid_token"'),
        ("Bearer", UNAUTHENTICATED, 'Bearer realm="api", error="invalid_token"'),
    ],
)
def test_no_or_bad_token_is_401_saying_which(client, campaign, header, body, challenge):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get(f"/api/1.0/campaigns/{campaign.pk}/conversations", **extra)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == body
    assert response["WWW-Authenticate"] == challenge
    assert "X-RateLimit-Limit" not in response


def test_expired_token_is_401(api, campaign, admin):
    headers = api.auth(admin)
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    AccessToken.objects.update(expires=timezone.now())

    response = api.client.get(f"/api/1.0/campaigns/{campaign.pk}/conversations", **headers)

    assert response.status_code == 401


def test_forbidden_is_403_with_kanka_body(api, campaign, player, conversation):
    response = api("delete", f"campaigns/{campaign.pk}/conversations/{conversation.pk}", player)

    assert response.status_code == 403
    assert response.json() == {"code": 403, "error": "This action is unauthorized."}
    conversation.refresh_from_db()
    assert conversation.deleted_at is None


def test_unknown_campaign_is_404_with_the_model_body(api, admin):
    response = api("get", "campaigns/9999/conversations", admin)

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": "No query results for model [App\\Models\\Campaign].",
    }


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_malformed_ids_are_404_never_500(api, campaign, admin, conversation, bad):
    for path in (
        f"campaigns/{bad}/conversations",
        f"campaigns/{campaign.pk}/conversations/{bad}",
        f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages/{bad}",
        f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_participants/{bad}",
        f"campaigns/{campaign.pk}/characters/{bad}",
        f"campaigns/{campaign.pk}/tags/{bad}",
    ):
        response = api("get", path, admin)
        assert response.status_code == 404, path
        assert response.json()["code"] == 404


def test_wrong_method_is_405_with_the_supported_methods(api, campaign, admin, conversation):
    api.auth(admin)
    before = database_snapshot()

    response = api("post", f"campaigns/{campaign.pk}/conversations/{conversation.pk}", admin, {})

    assert response.status_code == 405
    assert response.json() == {
        "code": 405,
        "error": f"The POST method is not supported for route 1.0/campaigns/{campaign.pk}"
        f"/conversations/{conversation.pk}. Supported methods: GET, HEAD, PUT, PATCH, DELETE.",
    }
    assert database_snapshot() == before


def test_delete_on_a_list_is_405(api, campaign, admin):
    api.auth(admin)
    before = database_snapshot()

    response = api("delete", f"campaigns/{campaign.pk}/conversations", admin)

    assert response.json() == {
        "code": 405,
        "error": f"The DELETE method is not supported for route 1.0/campaigns/{campaign.pk}"
        "/conversations. Supported methods: GET, HEAD, POST.",
    }
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "path", ["/api/1.0/nowhere", "/api/1.0/campaigns/1/conversations/1/reactions", "/api/2.0/x"]
)
def test_unknown_url_under_api_is_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Page not found"}


def test_validation_error_summary_counts_the_others(api, campaign, admin):
    api.auth(admin)
    before = database_snapshot()

    response = api("post", f"campaigns/{campaign.pk}/conversations", admin, {"type": "x" * 50})

    assert response.json() == {
        "code": 422,
        "error": "The name field is required. (and 1 more error)",
        "fields": {
            "name": ["The name field is required."],
            "type": ["The type may not be greater than 45 characters."],
        },
    }
    assert database_snapshot() == before


def test_malformed_json_is_a_json_400_not_a_500(api, campaign, admin):
    api.auth(admin)
    before = database_snapshot()

    response = api.client.post(
        f"/api/1.0/campaigns/{campaign.pk}/conversations",
        data="{not json",
        content_type="application/json",
        **api.auth(admin),
    )

    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert database_snapshot() == before


def test_an_oversized_json_body_is_413_not_a_500(api, settings, campaign, admin):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    api.auth(admin)
    before = database_snapshot()

    response = api("post", f"campaigns/{campaign.pk}/conversations", admin, {"name": "x" * 200})

    assert response.status_code == 413
    assert response.json() == {"code": 413, "error": "The request body is too large."}
    assert database_snapshot() == before


def test_unexpected_error_is_500_with_kanka_body(api, campaign, admin, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(conversation_views, "campaign_conversation_create", explode)

    response = api("post", f"campaigns/{campaign.pk}/conversations", admin, {"name": "T"})

    assert response.status_code == 500
    assert response.json() == {"code": 500, "error": "Unhandled API error"}


def test_validation_runs_before_the_permission_check(api, settings, campaign, stranger):
    """Kanka's order: 422 for an invalid body, 403 for a valid one from a visitor."""
    campaign.is_public = True
    campaign.save()

    invalid = api("post", f"campaigns/{campaign.pk}/conversations", stranger, {})
    valid = api("post", f"campaigns/{campaign.pk}/conversations", stranger, {"name": "T"})

    assert invalid.status_code == 422
    assert valid.status_code == 403
    assert not Conversation.objects.exists()


def test_a_private_conversation_is_404_not_403_for_a_player(api, campaign, player):
    private = CampaignConversationFactory(campaign=campaign, is_private=True)

    response = api("get", f"campaigns/{campaign.pk}/conversations/{private.pk}", player)

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": f"No query results for model [App\\Models\\Conversation] {private.pk}",
    }


def test_an_id_int_would_parse_but_no_client_means_is_404(api, campaign, admin, conversation):
    fullwidth = str(conversation.pk).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    for bad in (f"%20{conversation.pk}", f"+{conversation.pk}", fullwidth):
        response = api("get", f"campaigns/{campaign.pk}/conversations/{bad}", admin)
        assert response.status_code == 404, bad
