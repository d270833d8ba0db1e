"""Conditional GET of a conversation's messages and participants: ETag, If-None-Match → 304."""

import pytest

from campaigns.models import CampaignMember
from tests.campaigns.conftest import add_message, nested_url
from tests.factories import (
    CampaignConversationFactory,
    ParticipantFactory,
    TagFactory,
    UserFactory,
)

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
    with django_assert_max_num_queries(3) as full:  # token, access check, the rows
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


# --- the conversations themselves: list and show ------------------------------------


def conversation_urls(conversation):
    base = f"campaigns/{conversation.campaign_id}/conversations"
    return [base, f"{base}/{conversation.pk}"]


@pytest.fixture
def tagged(campaign, conversation, admin):
    """The conversation with one public tag and a participant, as the reads render them."""
    conversation.entity.tags.add(TagFactory(campaign=campaign))
    ParticipantFactory(conversation=conversation, user=admin)
    return conversation


@pytest.mark.parametrize("index", range(2), ids=["list", "show"])
def test_an_unchanged_conversation_is_304_in_3_queries(
    api, player, tagged, index, django_assert_max_num_queries
):
    url = conversation_urls(tagged)[index]
    api("get", url, player)  # the token's first use writes its last_used
    # Token, campaign and role, the page (or row) with its tag ids and counts.
    with django_assert_max_num_queries(3):
        first = api("get", url, player)
    etag = first["ETag"]
    # Token, campaign and role, the rows' aggregate (or the row's columns alone):
    # as many queries, but lean ones, and nothing rendered.
    with django_assert_max_num_queries(3):
        again = api("get", url, player, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert api("get", url, player, HTTP_IF_NONE_MATCH='"other"')["ETag"] == etag


def test_an_empty_list_is_tagged_in_3_queries_as_its_304_path_tags_it(
    api, campaign, player, django_assert_max_num_queries
):
    url = conversation_urls(CampaignConversationFactory(campaign=campaign, is_private=True))[0]
    api("get", url, player)  # the token's first use writes its last_used
    # Token, campaign and role, the (empty) page: no aggregate of no rows.
    with django_assert_max_num_queries(3):
        first = api("get", url, player)
    assert first.json()["data"] == []
    again = api("get", url, player, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again["ETag"]) == (304, first["ETag"])


def _rename(api, conversation, campaign, admin):
    url = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    return api("patch", url, admin, {"entry": "<p>New entry</p>"})


def _post(api, conversation, campaign, admin):
    return _new_message(api, conversation, admin, None)


def _join(api, conversation, campaign, admin):
    return _new_participant(api, conversation, admin, None)


def _tag_made_private(api, conversation, campaign, admin):
    tag = conversation.entity.tags.get()
    return api("patch", f"campaigns/{campaign.pk}/tags/{tag.pk}", admin, {"is_private": True})


def _tag_deleted(api, conversation, campaign, admin):
    tag = conversation.entity.tags.get()
    return api("delete", f"campaigns/{campaign.pk}/tags/{tag.pk}", admin)


CONVERSATION_CHANGES = {
    "entity": _rename,
    "message": _post,
    "participant": _join,
    "tag made private": _tag_made_private,
    "tag deleted": _tag_deleted,
}


@pytest.mark.parametrize("change", CONVERSATION_CHANGES)
def test_each_change_to_a_conversation_gives_a_new_tag(
    api, admin, player, campaign, tagged, change
):
    before = {url: api("get", url, player) for url in conversation_urls(tagged)}
    assert CONVERSATION_CHANGES[change](api, tagged, campaign, admin).status_code == 200
    for url, old in before.items():
        new = api("get", url, player, HTTP_IF_NONE_MATCH=old["ETag"])
        assert new.status_code == 200
        assert new["ETag"] != old["ETag"]
        assert new.json()["data"] != old.json()["data"]


def _created(api, campaign, admin, player):
    url = f"campaigns/{campaign.pk}/conversations"
    assert api("post", url, admin, {"name": "Another"}).status_code == 200


def _deleted(api, campaign, admin, player):
    conversation = campaign.conversations.get()
    url = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    assert api("delete", url, admin).status_code == 200


def _made_private(api, campaign, admin, player):
    conversation = campaign.conversations.get()
    url = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
    assert api("patch", url, admin, {"is_private": True}).status_code == 200


LIST_CHANGES = {"created": _created, "deleted": _deleted, "made private": _made_private}


@pytest.mark.parametrize("change", LIST_CHANGES)
def test_a_conversation_entering_or_leaving_the_list_gives_a_new_tag(
    api, admin, player, campaign, tagged, change
):
    url = conversation_urls(tagged)[0]
    old = api("get", url, player)
    LIST_CHANGES[change](api, campaign, admin, player)
    new = api("get", url, player, HTTP_IF_NONE_MATCH=old["ETag"])
    assert new.status_code == 200
    assert new["ETag"] != old["ETag"]
    assert new.json()["data"] != old.json()["data"]


def test_a_private_conversation_is_404_whatever_the_tag(api, admin, player, campaign, tagged):
    url = conversation_urls(tagged)[1]
    etag = api("get", url, admin)["ETag"]
    tagged.is_private = True
    tagged.save(update_fields=["is_private"])
    for tag in (etag, "*"):
        refused = api("get", url, player, HTTP_IF_NONE_MATCH=tag)
        assert refused.status_code == 404
        assert "ETag" not in refused


def test_a_page_past_the_end_is_tagged_too(api, admin, player, campaign, tagged):
    url = conversation_urls(tagged)[0] + "?page=3"
    etag = api("get", url, player)["ETag"]
    assert api("get", url, player, HTTP_IF_NONE_MATCH=etag).status_code == 304
    _created(api, campaign, admin, player)
    assert api("get", url, player, HTTP_IF_NONE_MATCH=etag).status_code == 200
