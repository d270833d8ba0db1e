"""Conditional GET of a conversation's messages and participants: ETag, If-None-Match → 304."""

import pytest

from campaigns.models import CampaignMember
from tests.campaigns.conftest import add_message, nested_url
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(conversation, admin):
    add_message(conversation, admin, "first")
    return add_message(conversation, admin, "second")


def urls(conversation, message):
    participant = conversation.participants.first()
    return [
        nested_url("conversation_messages", conversation),
        nested_url("conversation_messages", conversation, message.pk),
        nested_url("conversation_participants", conversation),
        nested_url("conversation_participants", conversation, participant.pk),
    ]


@pytest.fixture
def reads(conversation, admin, message):
    ParticipantFactory(conversation=conversation, user=admin)
    return urls(conversation, message)


@pytest.mark.parametrize("index", range(4), ids=["messages", "message", "participants", "one"])
def test_unchanged_is_304_without_body_and_fewer_queries(
    api, admin, reads, index, django_assert_max_num_queries
):
    url = reads[index]
    api("get", url, admin)  # the token's first use writes its last_used
    with django_assert_max_num_queries(4) as full:
        first = api("get", url, admin)
    assert first.status_code == 200
    etag = first["ETag"]
    with django_assert_max_num_queries(len(full) - 1):  # token, access check
        again = api("get", url, admin, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    head = api("head", url, admin, HTTP_IF_NONE_MATCH=etag)
    assert head.status_code == 304


def _new_message(api, conversation, admin, message):
    return api("post", nested_url("conversation_messages", conversation), admin, {"message": "hi"})


def _edit(api, conversation, admin, message):
    url = nested_url("conversation_messages", conversation, message.pk)
    return api("patch", url, admin, {"message": "edited"})


def _remove(api, conversation, admin, message):
    return api("delete", nested_url("conversation_messages", conversation, message.pk), admin)


def _new_participant(api, conversation, admin, message):
    other = UserFactory()
    CampaignMember.objects.create(campaign=conversation.campaign, user=other, role="player")
    url = nested_url("conversation_participants", conversation)
    return api("post", url, admin, {"user_id": other.pk})


CHANGES = {
    "new message": _new_message,
    "edit": _edit,
    "removal": _remove,
    "participant": _new_participant,
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_gives_200_and_a_new_tag(api, admin, conversation, message, reads, change):
    # The removed message's own URL is a 404 after the change: check the lists.
    lists = [reads[0], reads[2]] if change == "removal" else reads
    before = {url: api("get", url, admin) for url in lists}
    assert CHANGES[change](api, conversation, admin, message).status_code in (200, 201)
    changed = 0
    for url, old in before.items():
        new = api("get", url, admin, HTTP_IF_NONE_MATCH=old["ETag"])
        assert new.status_code == 200
        assert new["ETag"] != old["ETag"]
        changed += new.json() != old.json()
    assert changed  # the change shows in at least one of the reads


def test_the_callers_role_is_part_of_the_tag(api, admin, player, conversation, message):
    url = nested_url("conversation_messages", conversation)
    etag = api("get", url, player)["ETag"]
    assert api("get", url, admin, HTTP_IF_NONE_MATCH=etag).status_code == 200
    CampaignMember.objects.filter(user=player).update(role=CampaignMember.Role.ADMIN)
    assert api("get", url, player, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_query_string_is_part_of_the_tag(api, admin, conversation, message):
    url = nested_url("conversation_messages", conversation)
    etag = api("get", url, admin)["ETag"]
    assert api("get", f"{url}?page=2", admin, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_not_visible_is_404_whatever_the_tag(api, admin, stranger, conversation, message):
    url = nested_url("conversation_messages", conversation)
    etag = api("get", url, admin)["ETag"]
    assert api("get", url, stranger, HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert api("get", url, stranger, HTTP_IF_NONE_MATCH="*").status_code == 404


def test_the_browsable_api_is_never_tagged(client, admin, conversation, message):
    client.force_login(admin)
    url = "/api/1.0/" + nested_url("conversation_messages", conversation)
    page = client.get(url, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "ETag" not in page
    assert client.get(url, HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH="*").status_code == 200
