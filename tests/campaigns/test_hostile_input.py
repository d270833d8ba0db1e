"""Hostile input to the campaign API: a Kanka 4xx, never a 500, and the database unchanged."""

import pytest

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
