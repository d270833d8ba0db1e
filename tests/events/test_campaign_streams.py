"""Campaign event streams (`/api/1.0/campaigns/{id}/events`) through real HTTP."""

import json

import pytest

from campaigns.models import CampaignMember
from events.models import Event
from tests.events.conftest import bearer_header, settle
from tests.factories import (
    CampaignConversationFactory,
    CampaignFactory,
    CampaignMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign():
    return CampaignFactory(name="Tavern tales")


@pytest.fixture
def admin(campaign):
    return CampaignMemberFactory(campaign=campaign, role=CampaignMember.Role.ADMIN).user


@pytest.fixture
def player(campaign):
    return CampaignMemberFactory(campaign=campaign, role=CampaignMember.Role.PLAYER).user


@pytest.fixture
def conversation(campaign, admin):
    return CampaignConversationFactory(campaign=campaign, created_by=admin, updated_by=admin)


def post(client, user, path, body):
    return client.post(
        f"/api/1.0/{path}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer_header(user)["Authorization"],
    )


def get(client, user, path):
    return client.get(f"/api/1.0/{path}", HTTP_AUTHORIZATION=bearer_header(user)["Authorization"])


def open_stream(server, campaign, user, **headers):
    return server.open(f"/api/1.0/campaigns/{campaign.pk}/events", bearer_header(user) | headers)


def test_posted_message_reaches_a_player_as_the_show_endpoint_renders_it(
    server, client, campaign, conversation, player
):
    stream = open_stream(server, campaign, player)
    assert stream.status == 200
    assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert stream.headers["cache-control"] == "no-cache"
    assert stream.headers["x-accel-buffering"] == "no"
    assert stream.next_frame() == {"retry": "3000"}
    ready = stream.next_event()
    assert ready["event"] == "stream.ready"
    assert ready["data"]["retention_days"] == 7
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    posted = post(client, player, path, {"message": "Hi"})
    assert posted.status_code == 200
    frame = stream.next_event()
    assert frame["event"] == "conversation_message.added"
    shown = get(client, player, f"{path}/{posted.json()['data']['id']}").json()["data"]
    assert frame["data"] == shown
    assert int(frame["id"].split(".")[-1]) > int(ready["id"].split(".")[-1])


def test_private_conversation_events_reach_admins_only(server, client, campaign, admin, player):
    private = CampaignConversationFactory(campaign=campaign, is_private=True, created_by=admin)
    public = CampaignConversationFactory(campaign=campaign, created_by=admin)
    player_stream = open_stream(server, campaign, player)
    admin_stream = open_stream(server, campaign, admin)
    player_stream.events_until("stream.ready")
    admin_stream.events_until("stream.ready")
    base = f"campaigns/{campaign.pk}/conversations"
    post(client, admin, f"{base}/{private.pk}/conversation_messages", {"message": "secret"})
    post(client, admin, f"{base}/{public.pk}/conversation_messages", {"message": "open"})
    assert admin_stream.next_event()["data"]["message"] == "secret"
    assert admin_stream.next_event()["data"]["message"] == "open"
    # The player's first event is the public one: the private one never came.
    frame = player_stream.next_event()
    assert (frame["event"], frame["data"]["message"]) == ("conversation_message.added", "open")


def test_made_private_sends_conversation_removed_to_players_then_nothing_of_it(
    server, client, campaign, conversation, admin, player
):
    stream = open_stream(server, campaign, player)
    stream.events_until("stream.ready")
    response = client.put(
        f"/api/1.0/campaigns/{campaign.pk}/conversations/{conversation.pk}",
        json.dumps({"is_private": True}),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer_header(admin)["Authorization"],
    )
    assert response.status_code == 200
    frame = stream.next_event()
    assert frame["event"] == "conversation.removed"
    assert frame["data"] == {
        "id": conversation.pk,
        "entity_id": conversation.entity_id,
        "reason": "private",
    }
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    post(client, admin, base, {"message": "after"})
    # Only heartbeats (and a bare id) follow.
    for _ in range(3):
        assert "event" not in stream.next_frame()


def test_resume_with_last_event_id_brings_exactly_the_missed_events(
    server, client, campaign, conversation, admin, player
):
    private = CampaignConversationFactory(campaign=campaign, is_private=True, created_by=admin)
    stream = open_stream(server, campaign, player)
    cursor = stream.events_until("stream.ready")[-1]["id"]
    stream.close()
    base = f"campaigns/{campaign.pk}/conversations"
    for n in range(5):
        post(client, admin, f"{base}/{conversation.pk}/conversation_messages", {"message": f"m{n}"})
        if n < 3:
            post(client, admin, f"{base}/{private.pk}/conversation_messages", {"message": "x"})
    settle()
    resumed = open_stream(server, campaign, player, **{"Last-Event-ID": cursor})
    frames = resumed.events_until("stream.ready")
    assert [f["data"]["message"] for f in frames[:-1]] == ["m0", "m1", "m2", "m3", "m4"]
    ids = [f["id"] for f in frames[:-1]]
    assert len(set(ids)) == 5
    # `since` does the same; the header wins over it.
    by_since = server.open(
        f"/api/1.0/campaigns/{campaign.pk}/events?since={ids[2]}", bearer_header(player)
    )
    assert [f["data"]["message"] for f in by_since.events_until("stream.ready")[:-1]] == [
        "m3",
        "m4",
    ]
    both = server.open(
        f"/api/1.0/campaigns/{campaign.pk}/events?since={cursor}",
        bearer_header(player) | {"Last-Event-ID": ids[3]},
    )
    assert [f["data"]["message"] for f in both.events_until("stream.ready")[:-1]] == ["m4"]


def test_a_future_cursor_gets_stream_reset_then_live(
    server, client, campaign, conversation, player
):
    stream = open_stream(server, campaign, player, **{"Last-Event-ID": "999999"})
    frame = stream.next_event()
    assert frame["event"] == "stream.reset"
    assert frame["data"]["reason"] == "cursor_unknown"
    assert stream.next_event()["event"] == "stream.ready"


def test_a_pruned_cursor_gets_stream_reset(server, client, campaign, conversation, admin, player):
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    post(client, admin, base, {"message": "old"})
    old = Event.objects.latest("id")
    from django.core.management import call_command

    Event.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2000))
    call_command("events_maintenance")
    stream = open_stream(server, campaign, player, **{"Last-Event-ID": "0"})
    frame = stream.next_event()
    assert (frame["event"], frame["data"]["reason"]) == ("stream.reset", "cursor_expired")


def test_invisible_events_move_the_position_with_a_bare_id(server, client, campaign, admin, player):
    private = CampaignConversationFactory(campaign=campaign, is_private=True, created_by=admin)
    stream = open_stream(server, campaign, player)
    ready = stream.events_until("stream.ready")[-1]
    base = f"campaigns/{campaign.pk}/conversations/{private.pk}/conversation_messages"
    post(client, admin, base, {"message": "hidden"})
    frame = stream.next_frame()
    while frame.get("comment") == "keepalive":
        frame = stream.next_frame()
    assert set(frame) == {"id"}
    assert frame["id"] != ready["id"]
    assert stream.next_frame() == {"comment": "keepalive"}


@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        (
            {},
            401,
            {
                "code": 401,
                "error": "Missing authentication token. "
                "Send the header Authorization: Bearer <token>.",
            },
        ),
        (
            {"Authorization": "Bearer nope"},
            401,
            {
                "code": 401,
                "error": "Invalid authentication token. Make sure you copy-pasted it "
                "correctly, or try using a new one.",
            },
        ),
    ],
)
def test_refusals_without_a_good_token(server, campaign, headers, status, body):
    stream = server.open(f"/api/1.0/campaigns/{campaign.pk}/events", headers)
    assert (stream.status, stream.json()) == (status, body)
    assert stream.headers["www-authenticate"].startswith('Bearer realm="api"')


def test_a_private_campaign_is_404_for_a_stranger(server, campaign):
    stream = open_stream(server, campaign, UserFactory())
    assert (stream.status, stream.json()) == (
        404,
        {"code": 404, "error": "No query results for model [App\\Models\\Campaign]."},
    )


def test_a_public_campaign_streams_to_a_visitor(server, client, campaign, conversation, admin):
    campaign.is_public = True
    campaign.save()
    stream = open_stream(server, campaign, UserFactory())
    stream.events_until("stream.ready")
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    post(client, admin, base, {"message": "for all"})
    assert stream.next_event()["data"]["message"] == "for all"


@pytest.mark.parametrize(("query", "field"), [("since=abc", "since"), ("types=nope", "types")])
def test_bad_since_or_types_is_422(server, campaign, player, query, field):
    stream = server.open(f"/api/1.0/campaigns/{campaign.pk}/events?{query}", bearer_header(player))
    message = f"The {field} is invalid."
    assert (stream.status, stream.json()) == (
        422,
        {"code": 422, "error": message, "fields": {field: [message]}},
    )


def test_a_sixth_stream_is_429(server, settings, campaign, player):
    headers = bearer_header(player)
    for _ in range(5):
        stream = server.open(f"/api/1.0/campaigns/{campaign.pk}/events", headers)
        assert stream.status == 200
        stream.events_until("stream.ready")
    sixth = server.open(f"/api/1.0/campaigns/{campaign.pk}/events", headers)
    assert sixth.status == 429
    assert sixth.headers["retry-after"] == "30"
    assert sixth.json() == {"code": 429, "error": "Too many open event streams (limit 5)."}


def test_opening_a_stream_counts_against_the_rate_limit(
    server, client, settings, one_rate_window, campaign, player
):
    """events.md §3.1: one request of the campaign API's limit, its headers, Kanka's 429."""
    settings.CAMPAIGN_API_RATE_LIMIT = 2
    auth = bearer_header(player)
    first = open_stream(server, campaign, player, Authorization=auth["Authorization"])
    page = client.get(
        f"/api/1.0/campaigns/{campaign.pk}/conversations", HTTP_AUTHORIZATION=auth["Authorization"]
    )
    refused = server.open(f"/api/1.0/campaigns/{campaign.pk}/events", auth)

    assert first.status == 200
    assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == (
        "2",
        "1",
    )
    assert page["X-RateLimit-Remaining"] == "0"  # the REST API's own counter
    assert refused.status == 429
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json() == ["Your account limit of 2 requests per minute has been reached."]
    first.events_until("stream.ready")  # the counted stream itself streams


def test_types_filter_sends_only_those(server, client, campaign, conversation, admin, player):
    stream = server.open(
        f"/api/1.0/campaigns/{campaign.pk}/events?types=conversation_message.edited",
        bearer_header(player),
    )
    stream.events_until("stream.ready")
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"
    message = post(client, admin, base, {"message": "v1"}).json()["data"]
    client.put(
        f"/api/1.0/{base}/{message['id']}",
        json.dumps({"message": "v2"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer_header(admin)["Authorization"],
    )
    frame = stream.next_event()
    assert (frame["event"], frame["data"]["message"]) == ("conversation_message.edited", "v2")


def test_max_duration_closes_the_stream(server, settings, campaign, player):
    settings.PARLEY_EVENTS_MAX_STREAM_SECONDS = 0.5
    stream = open_stream(server, campaign, player)
    frames = stream.events_until("stream.closed")
    assert frames[-1]["data"] == {"reason": "max_duration"}
