"""Hostile input to the campaign API: a Kanka 4xx, never a 500, and the database unchanged."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.campaigns.conftest import add_message
from tests.dbstate import database_snapshot
from tests.factories import CharacterFactory, ParticipantFactory, TagFactory

DEEP_JSON = "[" * 10_000 + "]" * 10_000


@pytest.fixture
def world(campaign, admin, player, conversation):
    """One object of each resource, so every detail route reaches a real row."""
    return {
        "conversation": conversation,
        "participant": ParticipantFactory(conversation=conversation, user=player, created_by=admin),
        "message": add_message(conversation, admin, "Hello"),
        "character": CharacterFactory(campaign=campaign),
        "tag": TagFactory(campaign=campaign),
    }


def write_routes(world) -> list[tuple[str, str]]:
    """(method, path) of every route that reads a body: POST on lists, PUT and PATCH on details."""
    campaign = world["conversation"].campaign_id
    conversation = f"campaigns/{campaign}/conversations/{world['conversation'].pk}"
    lists = {
        "conversation": f"campaigns/{campaign}/conversations",
        "participant": f"{conversation}/conversation_participants",
        "message": f"{conversation}/conversation_messages",
        "character": f"campaigns/{campaign}/characters",
        "tag": f"campaigns/{campaign}/tags",
    }
    routes = []
    for name, path in lists.items():
        detail = f"{path}/{world[name].pk}"
        routes += [("post", path), ("put", detail), ("patch", detail)]
    return routes


def test_json_nested_ten_thousand_deep_is_400_on_every_write_route(api, admin, world):
    headers = api.auth(admin)
    before = database_snapshot()

    for method, path in write_routes(world):
        response = getattr(api.client, method)(
            f"/api/1.0/{path}", DEEP_JSON, content_type="application/json", **headers
        )

        assert response.status_code == 400, (method, path, response.content)
        assert response.json() == {
            "code": 400,
            "error": "JSON parse error - arrays and objects nested deeper than 32 levels",
        }
    assert database_snapshot() == before


def test_json_at_the_depth_limit_parses_and_one_level_more_is_400(api, settings, campaign, admin):
    settings.JSON_MAX_DEPTH = 3
    path = f"campaigns/{campaign.pk}/conversations"
    api.auth(admin)

    at_limit = api("post", path, admin, {"name": "Deep", "tags": [[]]})
    before = database_snapshot()
    beyond = api("post", path, admin, {"name": "Deeper", "tags": [[[]]]})

    assert at_limit.status_code == 422  # parsed: a list in `tags` is a validation error
    assert beyond.status_code == 400
    assert beyond.json()["error"].endswith("nested deeper than 3 levels")
    assert database_snapshot() == before


def test_nan_in_a_json_body_is_400(api, campaign, admin):
    api.auth(admin)
    before = database_snapshot()

    response = api.client.post(
        f"/api/1.0/campaigns/{campaign.pk}/conversations",
        '{"name": NaN}',
        content_type="application/json",
        **api.auth(admin),
    )

    assert response.status_code == 400
    assert response.json() == {"code": 400, "error": "JSON parse error - NaN is not a JSON value"}
    assert database_snapshot() == before


# --- lastSync: every instant Python can parse either filters or is a 422 on the key ---------


LAST_SYNC_INVALID = {
    "code": 422,
    "error": "The last sync is not a valid date.",
    "fields": {"lastSync": ["The last sync is not a valid date."]},
}


def last_sync_paths(world) -> list[str]:
    conversation = world["conversation"]
    base = f"campaigns/{conversation.campaign_id}/conversations"
    return [base, f"{base}/{conversation.pk}/conversation_messages"]


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
        "0001-01-01 00:00:00 05:30",  # the same, with the "+" unencoded
        "2026-01-01T00:00:00+24:00",  # no such offset
        "2026-02-30T00:00:00Z",
    ],
)
def test_last_sync_outside_what_a_datetime_holds_is_422(api, admin, world, value):
    for path in last_sync_paths(world):
        response = api.client.get(f"/api/1.0/{path}", {"lastSync": value}, **api.auth(admin))

        assert response.status_code == 422, (path, response.content)
        assert response.json() == LAST_SYNC_INVALID


@pytest.mark.parametrize(
    ("value", "listed"),
    [
        # Python takes offsets up to ±23:59, PostgreSQL only up to ±15:59: sent as UTC.
        ("2000-01-01T00:00:00+23:59", True),
        ("2999-01-01T00:00:00-23:59", False),
        ("0001-01-01T00:00:00Z", True),
        ("0001-01-01T23:00:00+22:00", True),
        ("9999-12-31T23:59:59.999999Z", False),
        ("9999-12-31T01:00:00-22:00", False),
    ],
)
def test_last_sync_at_the_edges_filters_on_every_database(api, admin, world, value, listed):
    for path in last_sync_paths(world):
        response = api.client.get(f"/api/1.0/{path}", {"lastSync": value}, **api.auth(admin))

        assert response.status_code == 200, (path, response.content)
        assert bool(response.json()["data"]) is listed, path


# --- body size and field count ------------------------------------------------------------


def test_a_form_with_more_fields_than_allowed_is_400(api, settings, campaign, admin):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    api.auth(admin)
    before = database_snapshot()

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        form={f"k{i}": "v" for i in range(11)},
    )

    assert response.status_code == 400
    assert response.json() == {"code": 400, "error": "Bad request."}
    assert database_snapshot() == before


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_a_body_over_the_upload_limit_is_413(api, settings, campaign, admin, encoding):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "x" * 1001}
    api.auth(admin)
    before = database_snapshot()

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        **({"data": body} if encoding == "json" else {"form": body}),
    )

    assert response.status_code == 413
    assert response.json() == {"code": 413, "error": "The request body is too large."}
    assert database_snapshot() == before


def test_a_multipart_body_over_the_limit_is_413_before_the_file_is_read(
    api, settings, campaign, admin
):
    """Django bounds only the fields: a file part would be streamed to disk whatever its size."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    image = SimpleUploadedFile("huge.png", b"\x89PNG" + b"0" * 5000, content_type="image/png")
    api.auth(admin)
    before = database_snapshot()

    response = api(
        "post", f"campaigns/{campaign.pk}/conversations", admin,
        multipart={"name": "Huge", "image": image},
    )  # fmt: skip

    assert response.status_code == 413
    assert response.json() == {"code": 413, "error": "The request body is too large."}
    assert database_snapshot() == before


# --- unknown URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/1.0/campaigns/1/nothing-here",
        "/api/1.0/campaigns/1/conversations/1/reactions",
        "/api/2.0/conversations",
        "/api/",
    ],
)
def test_an_unknown_api_url_is_the_json_404_whatever_the_method(api, admin, world, method, path):
    """Django's CSRF check would answer an HTML 403 to a cookie-less POST before any view."""
    client = Client(enforce_csrf_checks=True)
    headers = api.auth(admin)
    before = database_snapshot()

    response = client.generic(
        method, path, json.dumps({"name": "x"}), "application/json", **headers
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "HEAD":
        assert response.json() == {"error": "Page not found"}
    assert database_snapshot() == before
