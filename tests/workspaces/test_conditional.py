"""Conditional GET of conversations/getone: ETag, If-None-Match → 304, a new tag on any change."""

import pytest

from conversations import reactions, services
from conversations.policy import Role
from tests.workspaces.twist import call, conversation, post

pytestmark = pytest.mark.django_db


def getone(client, headers, conv, etag=None):
    extra = dict(headers)
    if etag is not None:
        extra["HTTP_IF_NONE_MATCH"] = etag
    return call(client, "conversations/getone", extra, encoding="get", id=conv.pk)


@pytest.fixture
def conv(workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    post(conv, bob, "first")
    return conv


def test_unchanged_is_304_without_body_and_fewer_queries(
    client, as_alice, conv, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # token, access check, people and reactions
        first = getone(client, as_alice, conv)
    assert first.status_code == 200
    etag = first["ETag"]
    with django_assert_max_num_queries(2):  # token, the lean validator (access check in it)
        again = getone(client, as_alice, conv, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert getone(client, as_alice, conv, f'W/{etag}, "other"').status_code == 304
    assert getone(client, as_alice, conv, '"other"').status_code == 200


def test_post_is_never_conditional(client, as_alice, conv):
    etag = getone(client, as_alice, conv)["ETag"]
    headers = {**as_alice, "HTTP_IF_NONE_MATCH": etag}
    response = call(client, "conversations/getone", headers, id=conv.pk)
    assert response.status_code == 200
    assert "ETag" not in response


def _edit_last(conv, alice, bob, carol):
    services.message_update(
        actor=bob, role=Role.MEMBER, message=conv.last_message, content="edited"
    )


def _rename_creator(conv, alice, bob, carol):
    bob.display_name = "Robert"
    bob.save(update_fields=["display_name"])


def _take_back_reaction(conv, alice, bob, carol):
    reactions.reaction_remove(actor=alice, message=conv.last_message, reaction="👍")


CHANGES = {
    "new message": lambda conv, alice, bob, carol: post(conv, bob, "second"),
    "edit": _edit_last,
    "removal": lambda conv, alice, bob, carol: services.message_remove(
        actor=bob, role=Role.MEMBER, message=conv.last_message
    ),
    "participant added": lambda conv, alice, bob, carol: services.participants_add_missing(
        actor=alice, role=Role.MEMBER, conversation=conv, user_ids=[carol.pk]
    ),
    "title": lambda conv, alice, bob, carol: services.conversation_update(
        actor=alice, role=Role.MEMBER, conversation=conv, title="Plans"
    ),
    "archive": lambda conv, alice, bob, carol: services.conversation_set_archived(
        actor=alice, conversation=conv, archived=True
    ),
    "mute": lambda conv, alice, bob, carol: services.conversation_mute(
        actor=alice, conversation=conv, minutes=30
    ),
    "creator renamed": _rename_creator,
    "reaction taken back": _take_back_reaction,
    # A reaction moves no timestamp or counter, yet shows in last_message.
    "reaction": lambda conv, alice, bob, carol: reactions.reaction_add(
        actor=alice, message=conv.last_message, reaction="👍"
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_gives_200_and_a_new_tag(client, as_alice, conv, alice, bob, carol, change):
    if change == "reaction taken back":
        conv.refresh_from_db()
        reactions.reaction_add(actor=alice, message=conv.last_message, reaction="👍")
    before = getone(client, as_alice, conv)
    conv.refresh_from_db()
    CHANGES[change](conv, alice, bob, carol)
    after = getone(client, as_alice, conv, before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json() != before.json()
    assert getone(client, as_alice, conv, after["ETag"]).status_code == 304


def test_the_tag_is_the_callers(client, as_alice, as_bob, conv):
    etag = getone(client, as_alice, conv)["ETag"]
    assert getone(client, as_bob, conv, etag).status_code == 200


def test_not_visible_is_404_whatever_the_tag(client, bearer, eve, as_alice, conv):
    etag = getone(client, as_alice, conv)["ETag"]
    assert getone(client, bearer(eve), conv, etag).status_code == 404
    assert getone(client, bearer(eve), conv, "*").status_code == 404


def test_a_conversation_without_messages_is_304_too(client, as_alice, workspace, alice, carol):
    empty = conversation(workspace, alice, carol)
    etag = getone(client, as_alice, empty)["ETag"]
    assert getone(client, as_alice, empty, etag).status_code == 304
    post(empty, carol, "first")
    assert getone(client, as_alice, empty, etag).status_code == 200
