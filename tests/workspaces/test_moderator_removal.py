"""A moderator's removal hides a message from both APIs; restoring brings it back in place."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations import exceptions
from conversations.models import Conversation, Message
from conversations.services import removal
from tests.campaigns.conftest import add_message
from tests.factories import CampaignConversationFactory, CampaignMemberFactory, UserFactory
from tests.workspaces.twist import conversation, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return UserFactory(username="mod", is_staff=True)


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def twist(client, headers, method, **params):
    response = client.get(f"/api/v1/{method}", params, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_removed_message_is_hidden_from_every_workspace_read(
    client, as_alice, workspace, alice, bob, chat, moderator
):
    post(chat, bob, "hello")
    spam = post(chat, bob, f"[Alice](twist-mention://{alice.pk}) buy gold")

    removal.message_hide(moderator=moderator, message=spam, reason="Spam")

    listed = twist(client, as_alice, "conversation_messages/get", conversation_id=chat.pk)
    assert [m["content"] for m in listed] == ["hello"]
    one = twist(client, as_alice, "conversations/getone", id=chat.pk)
    assert (one["last_message"]["content"], one["snippet"], one["message_count"]) == (
        "hello",
        "hello",
        1,
    )
    assert [
        c["last_message"]["content"]
        for c in twist(client, as_alice, "conversations/get", workspace_id=workspace.pk)
    ] == ["hello"]
    # Alice had read nothing: the removed mention no longer counts, the older message does.
    assert twist(client, as_alice, "conversations/get_unread", workspace_id=workspace.pk) == [
        {"conversation_id": chat.pk, "obj_index": 1, "direct_mention": False}
    ]
    gone = client.get("/api/v1/conversation_messages/getone", {"id": spam.pk}, **as_alice)
    assert (gone.status_code, gone.json()["error_code"]) == (404, 125)


def test_removing_the_only_unread_message_leaves_nothing_unread(
    client, as_alice, workspace, alice, bob, chat, moderator
):
    post(chat, alice, "mine")
    spam = post(chat, bob, "spam")

    removal.message_hide(moderator=moderator, message=spam, reason="Spam")

    assert twist(client, as_alice, "conversations/get_unread", workspace_id=workspace.pk) == []


def test_restored_message_comes_back_with_its_obj_index_and_content(
    client, as_alice, alice, bob, chat, moderator
):
    post(chat, bob, "first")
    spam = post(chat, bob, "second")
    removal.message_hide(moderator=moderator, message=spam, reason="Oops")
    post(chat, alice, "third")

    removal.message_unhide(moderator=moderator, message=Message.all_objects.get(pk=spam.pk))

    listed = twist(
        client, as_alice, "conversation_messages/get", conversation_id=chat.pk, order_by="ASC"
    )
    assert [(m["obj_index"], m["content"]) for m in listed] == [
        (0, "first"),
        (1, "second"),
        (2, "third"),
    ]
    chat.refresh_from_db()
    assert (chat.message_count, chat.last_obj_index, chat.last_message.content) == (3, 2, "third")


def test_removed_message_is_hidden_from_the_campaign_api_and_restored(client, bearer, moderator):
    admin = CampaignMemberFactory(role="admin").user
    conv = CampaignConversationFactory(campaign=admin.campaign_memberships.get().campaign)
    kept = add_message(conv, admin, "kept")
    spam = add_message(conv, admin, "spam")
    base = f"/api/1.0/campaigns/{conv.campaign_id}/conversations/{conv.pk}"
    headers = bearer(admin)

    def get(url):
        return client.get(url, **headers)

    removal.message_hide(moderator=moderator, message=spam, reason="Spam")

    listed = get(f"{base}/conversation_messages").json()["data"]
    assert [m["id"] for m in listed] == [kept.pk]
    assert get(f"{base}/conversation_messages/{spam.pk}").status_code == 404
    assert get(base).json()["data"]["messages"] == 1

    removal.message_unhide(moderator=moderator, message=Message.all_objects.get(pk=spam.pk))

    listed = get(f"{base}/conversation_messages").json()["data"]
    assert [(m["id"], m["message"]) for m in listed] == [(kept.pk, "kept"), (spam.pk, "spam")]


def test_restore_after_the_retention_period_is_refused(bob, chat, moderator, settings):
    spam = post(chat, bob)
    removal.message_hide(moderator=moderator, message=spam, reason="Spam")
    Message.all_objects.filter(pk=spam.pk).update(
        removed_at=timezone.now() - timedelta(days=settings.MODERATION_RETENTION_DAYS)
    )

    with pytest.raises(exceptions.InvalidArgument):
        removal.message_unhide(moderator=moderator, message=Message.all_objects.get(pk=spam.pk))

    assert Message.all_objects.get(pk=spam.pk).is_removed


def test_purge_deletes_only_removals_older_than_the_retention_period(
    bob, chat, moderator, settings, capsys
):
    old, recent, live = post(chat, bob, "old"), post(chat, bob, "recent"), post(chat, bob, "live")
    for message in (old, recent):
        removal.message_hide(moderator=moderator, message=message, reason="Spam")
    Message.all_objects.filter(pk=old.pk).update(
        removed_at=timezone.now() - timedelta(days=settings.MODERATION_RETENTION_DAYS, seconds=1)
    )

    call_command("purge_removed_messages")

    assert set(Message.all_objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert "Purged 1 removed message(s)." in capsys.readouterr().out
    assert Conversation.objects.get(pk=chat.pk).message_count == 1


def test_hiding_a_message_twice_is_not_found(bob, chat, moderator):
    spam = post(chat, bob)
    removal.message_hide(moderator=moderator, message=spam, reason="Spam")

    with pytest.raises(exceptions.MessageNotFound):
        removal.message_hide(moderator=moderator, message=spam, reason="Again")

    assert Conversation.objects.get(pk=chat.pk).message_count == 0
