"""`/api/1.0/campaigns/{campaign}/conversations`: the seed's object, CRUD, filters, pagination."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from campaigns.models import CampaignMember, Entity
from conversations.models import Conversation
from tests.campaigns.conftest import add_message, assert_head_matches_get
from tests.dbstate import database_snapshot
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    CharacterFactory,
    ParticipantFactory,
    TagFactory,
)

SEED_KEYS = [
    "id", "name", "entry", "image", "image_full", "image_thumb", "is_private", "entity_id",
    "tags", "created_at", "created_by", "updated_at", "updated_by", "type", "target",
    "participants", "messages", "target_id", "is_closed",
]  # fmt: skip


def url(campaign, pk=None):
    base = f"campaigns/{campaign.pk}/conversations"
    return base if pk is None else f"{base}/{pk}"


def test_show_has_the_seed_keys_in_order_with_their_types(api, campaign, admin, player):
    moment = datetime(2018, 8, 22, 12, 35, 21, tzinfo=UTC)
    tag = TagFactory(campaign=campaign)
    conversation = CampaignConversationFactory(
        campaign=campaign,
        title="Bob's Tavern",
        created_by=admin,
        updated_by=admin,
        created_at=moment,
        updated_at=moment,
        entity__type="In Game",
        entity__entry="<p>Hi</p>",
    )
    conversation.entity.tags.add(tag)
    ParticipantFactory(conversation=conversation, user=player)
    add_message(conversation, admin)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=moment)

    response = api("get", url(campaign, conversation.pk), player)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data"]
    assert list(body["data"]) == SEED_KEYS
    assert body["data"] == {
        "id": conversation.pk,
        "name": "Bob's Tavern",
        "entry": "<p>Hi</p>",
        "image": None,
        "image_full": None,
        "image_thumb": None,
        "is_private": False,
        "entity_id": conversation.entity_id,
        "tags": [tag.pk],
        "created_at": {"date": "2018-08-22 12:35:21.000000", "timezone_type": 3, "timezone": "UTC"},
        "created_by": admin.pk,
        "updated_at": {"date": "2018-08-22 12:35:21.000000", "timezone_type": 3, "timezone": "UTC"},
        "updated_by": admin.pk,
        "type": "In Game",
        "target": "members",
        "participants": 1,
        "messages": 1,
        "target_id": 1,
        "is_closed": False,
    }


def test_timestamps_are_iso_when_the_setting_says_so(api, settings, campaign, admin):
    settings.CAMPAIGN_API_DATETIME_FORMAT = "iso"
    moment = datetime(2018, 8, 22, 12, 35, 21, tzinfo=UTC)
    conversation = CampaignConversationFactory(
        campaign=campaign, created_at=moment, updated_at=moment
    )

    data = api("get", url(campaign, conversation.pk), admin).json()["data"]

    assert data["created_at"] == "2018-08-22T12:35:21.000000Z"
    assert data["updated_at"] == "2018-08-22T12:35:21.000000Z"


def test_list_envelope_has_absolute_links_meta_and_sync(api, campaign, admin):
    conversations = CampaignConversationFactory.create_batch(3, campaign=campaign)

    response = api("get", url(campaign) + "?per_page=2", admin)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "links", "meta", "sync"]
    assert [c["id"] for c in body["data"]] == [c.pk for c in conversations[:2]]
    base = f"http://testserver/api/1.0/campaigns/{campaign.pk}/conversations"
    assert body["links"] == {
        "first": f"{base}?per_page=2&page=1",
        "last": f"{base}?per_page=2&page=2",
        "prev": None,
        "next": f"{base}?per_page=2&page=2",
    }
    assert body["meta"] == {
        "current_page": 1,
        "from": 1,
        "last_page": 2,
        "links": [
            {"url": None, "label": "&laquo; Previous", "active": False},
            {"url": f"{base}?per_page=2&page=1", "label": "1", "active": True},
            {"url": f"{base}?per_page=2&page=2", "label": "2", "active": False},
            {"url": f"{base}?per_page=2&page=2", "label": "Next &raquo;", "active": False},
        ],
        "path": base,
        "per_page": 2,
        "to": 2,
        "total": 3,
    }
    sync = datetime.strptime(body["sync"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(timezone.now() - sync) < timedelta(minutes=1)


def test_list_default_page_size_is_45_and_second_page_follows(api, campaign, admin):
    CampaignConversationFactory.create_batch(46, campaign=campaign)

    first = api("get", url(campaign), admin).json()
    second = api("get", url(campaign) + "?page=2", admin).json()

    assert first["meta"]["per_page"] == 45
    assert len(first["data"]) == 45
    assert second["meta"]["from"] == 46
    assert second["meta"]["to"] == 46
    assert [c["id"] for c in second["data"]] == [Conversation.objects.order_by("id").last().pk]
    assert second["links"]["prev"].endswith("?page=1")


def test_every_page_holds_its_conversations_in_id_order(api, campaign, admin, player):
    """Pages past the first read their ids first (pagination.py): same rows, counts and
    tags as page 1 would show, private ones still hidden from players."""
    tag = TagFactory(campaign=campaign)
    made = CampaignConversationFactory.create_batch(7, campaign=campaign)
    made[5].entity.tags.add(tag)
    ParticipantFactory(conversation=made[5], user=admin)
    Conversation.objects.filter(pk=made[2].pk).update(is_private=True)
    seen = {admin: [c.pk for c in made], player: [c.pk for c in made if c != made[2]]}

    for user, ids in seen.items():
        pages = [
            api("get", url(campaign) + f"?per_page=2&page={n}&name=", user).json()
            for n in range(1, 6)
        ]
        assert [[c["id"] for c in page["data"]] for page in pages] == [
            ids[n : n + 2] for n in range(0, 10, 2)
        ]
        assert {page["meta"]["total"] for page in pages} == {len(ids)}
        shown = {c["id"]: c for page in pages for c in page["data"]}
        assert (shown[made[5].pk]["tags"], shown[made[5].pk]["participants"]) == ([tag.pk], 1)


def test_page_past_the_end_is_empty_with_null_from_and_to(api, campaign, admin):
    CampaignConversationFactory(campaign=campaign)

    body = api("get", url(campaign) + "?page=5", admin).json()

    assert body["data"] == []
    assert body["meta"]["from"] is None
    assert body["meta"]["to"] is None
    assert body["meta"]["current_page"] == 5
    assert body["links"]["next"] is None


@pytest.mark.parametrize("per_page", ["0", "101", "abc"])
def test_per_page_out_of_range_is_422(api, campaign, admin, per_page):
    response = api("get", url(campaign) + f"?per_page={per_page}", admin)

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The per page must be between 1 and 100.",
        "fields": {"per_page": ["The per page must be between 1 and 100."]},
    }


@pytest.mark.parametrize(
    ("query", "shown"), [("per_page=30", (2, 30)), ("per_page=1&page=2", (1, 1))]
)
def test_list_query_count_is_the_same_for_2_and_30(
    api, campaign, admin, query, shown, django_assert_max_num_queries
):
    def fill(n):
        for conversation in CampaignConversationFactory.create_batch(n, campaign=campaign):
            conversation.entity.tags.add(TagFactory(campaign=campaign))
            ParticipantFactory(conversation=conversation, user=admin)

    fill(2)
    api.auth(admin)  # the token is created before queries are counted
    # Token, campaign and role, the page with its tag ids, participant counts and total
    # (past page 1, by its ids first: in the same query).
    with django_assert_max_num_queries(3) as small:
        assert len(api("get", url(campaign) + f"?{query}", admin).json()["data"]) == shown[0]
    Conversation.objects.all().delete()
    fill(30)
    with django_assert_max_num_queries(3) as large:
        assert len(api("get", url(campaign) + f"?{query}", admin).json()["data"]) == shown[1]
    assert len(small.captured_queries) == len(large.captured_queries)


def test_head_answers_every_get(api, campaign, admin, conversation):
    for path in (url(campaign), url(campaign, conversation.pk)):
        assert_head_matches_get(api, path, admin)


# --- create ------------------------------------------------------------------------------


def test_create_returns_200_with_the_new_conversation(api, campaign, player):
    tag = TagFactory(campaign=campaign)

    response = api(
        "post",
        url(campaign),
        player,
        {"name": "Bob's Tavern", "type": "In Game", "target": "characters", "tags": [tag.pk]},
    )

    assert response.status_code == 200
    data = response.json()["data"]
    conversation = Conversation.objects.get(pk=data["id"])
    assert conversation.campaign == campaign
    assert conversation.created_by == player
    assert conversation.entity.kind == Entity.Kind.CONVERSATION
    assert data["name"] == "Bob's Tavern"
    assert data["type"] == "In Game"
    assert (data["target"], data["target_id"]) == ("characters", 2)
    assert data["tags"] == [tag.pk]
    assert data["entity_id"] == conversation.entity_id
    assert data["created_by"] == player.pk
    assert api("get", url(campaign, data["id"]), player).json() == response.json()


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ({}, "members"),
        ({"target": "users"}, "members"),
        ({"target": "members"}, "members"),
        ({"target": "characters"}, "characters"),
        ({"target_id": 1}, "members"),
        ({"target_id": "2"}, "characters"),
    ],
)
def test_create_accepts_every_spelling_of_target(api, campaign, admin, body, target):
    response = api("post", url(campaign), admin, {"name": "T", **body})

    assert response.status_code == 200
    assert response.json()["data"]["target"] == target
    stored = api("get", url(campaign, response.json()["data"]["id"]), admin).json()["data"]
    assert stored["target"] == target


def test_create_from_a_form_body(api, campaign, admin):
    tags = TagFactory.create_batch(2, campaign=campaign)

    response = api(
        "post",
        url(campaign),
        admin,
        form={"name": "Form", "is_private": "1", "tags[]": [t.pk for t in tags]},
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["is_private"] is True
    assert sorted(data["tags"]) == sorted(t.pk for t in tags)


def test_create_strips_tags_from_name_and_sanitises_entry(api, campaign, admin):
    response = api(
        "post",
        url(campaign),
        admin,
        {
            "name": "<b>Bob</b>'s",
            "entry": '<p onclick="x()">Hi <img src="x" onerror="alert(1)"></p>'
            '<script>alert(2)</script><a href="javascript:alert(3)">l</a>',
        },
    )

    data = response.json()["data"]
    assert data["name"] == "Bob's"
    stored = Entity.objects.get(pk=data["entity_id"]).entry
    for text in (data["entry"], stored):
        assert "<script" not in text
        assert "onerror" not in text
        assert "onclick" not in text
        assert "javascript:" not in text
    assert data["entry"].startswith("<p>Hi <img")


def test_update_sanitises_entry_too(api, campaign, admin, conversation):
    response = api(
        "patch", url(campaign, conversation.pk), admin, {"entry": "<script>x</script><b>ok</b>"}
    )

    assert response.json()["data"]["entry"] == "<b>ok</b>"
    assert api("get", url(campaign, conversation.pk), admin).json() == response.json()


def test_create_validation_errors_are_422_and_store_nothing(api, campaign, admin):
    response = api(
        "post",
        url(campaign),
        admin,
        {"name": "x" * 192, "type": "t" * 46, "target": "everyone", "is_private": "maybe"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The name may not be greater than 191 characters. (and 3 more errors)",
        "fields": {
            "name": ["The name may not be greater than 191 characters."],
            "type": ["The type may not be greater than 45 characters."],
            "is_private": ["The is private field must be true or false."],
            "target": ["The selected target is invalid."],
        },
    }
    assert not Conversation.objects.exists()
    assert not Entity.objects.exists()


def test_create_with_a_tag_of_another_campaign_is_422(api, campaign, admin):
    foreign = TagFactory()

    response = api("post", url(campaign), admin, {"name": "T", "tags": [foreign.pk]})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The selected tags is invalid.",
        "fields": {"tags": ["The selected tags is invalid."]},
    }
    assert not Conversation.objects.exists()


def test_unknown_keys_and_a_body_campaign_id_are_ignored(api, campaign, admin):
    other = CampaignMemberFactory(user=admin, role=CampaignMember.Role.ADMIN).campaign

    response = api(
        "post", url(campaign), admin, {"name": "T", "campaign_id": other.pk, "colour": "red"}
    )

    assert response.status_code == 200
    assert Conversation.objects.get().campaign == campaign


# --- update ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_and_patch_are_partial(api, campaign, admin, conversation, method):
    tag = TagFactory(campaign=campaign)
    conversation.entity.tags.add(tag)
    before = conversation.updated_at

    response = api(method, url(campaign, conversation.pk), admin, {"type": "Secret"})

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == conversation.title
    assert data["type"] == "Secret"
    assert data["tags"] == [tag.pk]
    conversation.refresh_from_db()
    assert conversation.updated_at > before


def test_update_tags_replaces_the_set_and_empty_clears(api, campaign, admin, conversation):
    old, new = TagFactory.create_batch(2, campaign=campaign)
    conversation.entity.tags.add(old)

    replaced = api("patch", url(campaign, conversation.pk), admin, {"tags": [new.pk]})
    stored_replaced = api("get", url(campaign, conversation.pk), admin).json()["data"]["tags"]
    cleared = api("patch", url(campaign, conversation.pk), admin, {"tags": []})
    stored_cleared = api("get", url(campaign, conversation.pk), admin).json()["data"]["tags"]

    assert replaced.json()["data"]["tags"] == stored_replaced == [new.pk]
    assert cleared.json()["data"]["tags"] == stored_cleared == []


def test_admin_closes_and_renames(api, campaign, admin, conversation):
    response = api(
        "put",
        url(campaign, conversation.pk),
        admin,
        {"name": "Closed tavern", "is_closed": True, "target_id": 2},
    )

    data = response.json()["data"]
    assert (data["name"], data["is_closed"], data["target"]) == (
        "Closed tavern",
        True,
        "characters",
    )
    conversation.refresh_from_db()
    assert conversation.entity.name == "Closed tavern"
    assert api("get", url(campaign, conversation.pk), admin).json() == response.json()


def test_update_of_other_campaign_conversation_is_404_and_unchanged(api, campaign, admin):
    foreign = CampaignConversationFactory(title="Theirs")
    api.auth(admin)
    before = database_snapshot()

    response = api("patch", url(campaign, foreign.pk), admin, {"name": "Mine"})

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": f"No query results for model [App\\Models\\Conversation] {foreign.pk}",
    }
    assert database_snapshot() == before


# --- delete -------------------------------------------------------------------------------


def test_delete_is_soft_and_returns_the_deleted_marker(api, campaign, admin, conversation):
    add_message(conversation, admin)

    response = api("delete", url(campaign, conversation.pk), admin)

    assert response.status_code == 200
    assert response.json() == {"data": {"id": conversation.pk, "deleted": True}}
    conversation.refresh_from_db()
    assert conversation.deleted_at is not None
    assert conversation.messages.count() == 1
    assert api("get", url(campaign, conversation.pk), admin).status_code == 404
    assert api("get", url(campaign), admin).json()["data"] == []


def test_delete_of_other_campaign_conversation_is_404(api, campaign, admin):
    foreign = CampaignConversationFactory()
    api.auth(admin)
    before = database_snapshot()

    response = api("delete", url(campaign, foreign.pk), admin)

    assert response.status_code == 404
    assert database_snapshot() == before


# --- filters and lastSync ---------------------------------------------------------------------


def test_filters_of_the_decision_table(api, campaign, admin, player):
    tag, other_tag = TagFactory.create_batch(2, campaign=campaign)
    tavern = CampaignConversationFactory(
        campaign=campaign, title="Bob's Tavern", entity__type="In Game", created_by=player
    )
    tavern.entity.tags.add(tag, other_tag)
    secret = CampaignConversationFactory(
        campaign=campaign, title="Secret", is_private=True, target="characters", is_closed=True
    )
    plain = CampaignConversationFactory(campaign=campaign, title="Plain", created_by=admin)

    def ids(query):
        response = api("get", f"{url(campaign)}?{query}", admin)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["data"]]

    assert ids("name=tavern") == [tavern.pk]
    assert ids("type=in%20game") == [tavern.pk]
    assert ids("is_private=1") == [secret.pk]
    assert ids("is_private=false") == [tavern.pk, plain.pk]
    assert ids("is_closed=true") == [secret.pk]
    assert ids("target=characters") == [secret.pk]
    assert ids("target=users") == [tavern.pk, plain.pk]
    assert ids("target_id=2") == [secret.pk]
    assert ids(f"tags={tag.pk}") == [tavern.pk]
    assert ids(f"tags[]={tag.pk}&tags[]={other_tag.pk}") == [tavern.pk]
    assert ids(f"created_by={player.pk}") == [tavern.pk]
    # A page past the first reads its ids through the same filters (pagination.py).
    assert ids("is_private=false&per_page=1&page=2") == [plain.pk]
    assert ids(f"tags={other_tag.pk}&per_page=1&page=1") == [tavern.pk]
    plain.entity.tags.add(other_tag)
    assert ids(f"tags={other_tag.pk}&per_page=1&page=2") == [plain.pk]


def test_last_sync_keeps_only_rows_changed_later(api, campaign, admin):
    old = CampaignConversationFactory(
        campaign=campaign, updated_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    new = CampaignConversationFactory(
        campaign=campaign, updated_at=datetime(2021, 1, 1, tzinfo=UTC)
    )

    iso = api("get", f"{url(campaign)}?lastSync=2020-06-01T00:00:00.000000Z", admin).json()
    plain = api("get", f"{url(campaign)}?lastSync=2020-06-01%2000:00:00", admin).json()

    assert [c["id"] for c in iso["data"]] == [new.pk]
    assert [c["id"] for c in plain["data"]] == [new.pk]
    assert old.pk not in [c["id"] for c in plain["data"]]


def test_last_sync_sees_messages_participants_and_tag_changes(api, campaign, admin):
    since = datetime(2020, 6, 1, tzinfo=UTC)
    conversations = CampaignConversationFactory.create_batch(
        4, campaign=campaign, updated_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    tag = TagFactory(campaign=campaign)
    add_message(conversations[0], admin)
    api(
        "post",
        f"{url(campaign, conversations[1].pk)}/conversation_participants",
        admin,
        {"user_id": admin.pk},
    )
    api("patch", url(campaign, conversations[2].pk), admin, {"tags": [tag.pk]})

    body = api("get", f"{url(campaign)}?lastSync={since.isoformat()}", admin).json()

    assert [c["id"] for c in body["data"]] == [c.pk for c in conversations[:3]]


def test_bad_last_sync_is_422(api, campaign, admin):
    response = api("get", f"{url(campaign)}?lastSync=yesterday", admin)

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The last sync is not a valid date.",
        "fields": {"lastSync": ["The last sync is not a valid date."]},
    }


def test_character_conversation_counts_character_participants(api, campaign, admin):
    conversation = CampaignConversationFactory(campaign=campaign, target="characters")
    character = CharacterFactory(campaign=campaign)
    ParticipantFactory(conversation=conversation, user=None, character=character)

    data = api("get", url(campaign, conversation.pk), admin).json()["data"]

    assert data["participants"] == 1


def test_list_counts_each_conversations_participants_zero_included(api, campaign, admin):
    empty = CampaignConversationFactory(campaign=campaign, target="characters")
    pair = CampaignConversationFactory(campaign=campaign, target="characters")
    for _ in range(2):
        ParticipantFactory(
            conversation=pair, user=None, character=CharacterFactory(campaign=campaign)
        )

    rows = api("get", url(campaign), admin).json()["data"]

    assert {row["id"]: row["participants"] for row in rows} == {empty.pk: 0, pair.pk: 2}


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "abc"])
def test_created_by_filter_out_of_range_is_422_not_500(api, campaign, admin, value):
    CampaignConversationFactory(campaign=campaign)

    response = api("get", f"{url(campaign)}?created_by={value}", admin)

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The selected created by is invalid.",
        "fields": {"created_by": ["The selected created by is invalid."]},
    }


def test_tag_ids_that_are_no_ids_are_422_with_laravel_messages(api, campaign, admin):
    response = api("post", url(campaign), admin, {"name": "T", "tags": ["a", 0, 2**64]})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The selected tags is invalid. (and 2 more errors)",
        "fields": {
            "tags.0": ["The selected tags is invalid."],
            "tags.1": ["The selected tags is invalid."],
            "tags.2": ["The selected tags is invalid."],
        },
    }
    assert not Conversation.objects.exists()
