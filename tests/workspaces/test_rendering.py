"""The pages (`.values()` rows) and the single reads (model instances) render the same objects.

conversations/get and conversation_messages/get build their dicts from rows
(workspaces.selectors), getone and the writes from instances; both go through
`message_output`/`conversation_output`, and these tests hold them to the same bytes.
"""

import pytest

from conversations.models import Reaction
from tests.workspaces.test_messages import ACTION, ATTACHMENT
from tests.workspaces.twist import call, conversation, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(client, workspace, alice, bob, carol, bearer):
    """A titled, muted, archived group whose last message has everything a message renders."""
    chat = conversation(workspace, alice, bob, carol)
    bob.display_name, bob.first_name, bob.last_name = "", "Robert", "Bobson"
    bob.save()
    mentions = f"[Alice](twist-mention://{alice.pk}) [Carol](twist-mention://{carol.pk})"
    message = post(
        chat,
        bob,
        f"{mentions} see",
        attachments=[ATTACHMENT],
        actions=[ACTION],
        direct_group_mentions=[7, 3],
    )
    call(client, "conversation_messages/update", bearer(bob), id=message.pk, content=mentions)
    Reaction.objects.create(message=message, user=carol, reaction="🎉")
    Reaction.objects.create(message=message, user=alice, reaction="👍")
    headers = bearer(alice)  # after bob's post, which un-archives for the others
    call(client, "conversations/update", headers, id=chat.pk, title="Plans", archived=True)
    call(client, "conversations/mute", headers, id=chat.pk, minutes=30)
    return chat, message, headers


def test_a_conversation_renders_the_same_in_the_page_and_getone(client, workspace, busy):
    chat, _, headers = busy

    page = call(client, "conversations/get", headers, workspace_id=workspace.pk, archived=True)
    getone = call(client, "conversations/getone", headers, id=chat.pk)

    assert page.json() == [getone.json()]
    assert page.content == b"[" + getone.content + b"]"
    rendered = getone.json()
    assert (rendered["title"], rendered["archived"]) == ("Plans", True)
    assert rendered["muted_until_ts"] is not None
    assert rendered["last_message"]["creator_name"] == "Robert Bobson"


def test_a_message_renders_the_same_in_the_page_getone_and_as_posted(
    client, busy, bearer, alice, bob, carol
):
    chat, message, headers = busy

    page = call(client, "conversation_messages/get", headers, conversation_id=chat.pk, limit=1)
    getone = call(client, "conversation_messages/getone", headers, id=message.pk)

    assert page.content == b"[" + getone.content + b"]"
    rendered = getone.json()
    assert rendered["last_edited_ts"] is not None
    assert rendered["version"] == 1
    assert list(rendered["reactions"].items()) == [("🎉", [carol.pk]), ("👍", [alice.pk])]
    assert rendered["direct_mentions"] == [alice.pk, carol.pk]
    assert rendered["attachments"] == [ATTACHMENT]
    assert rendered["actions"] == [ACTION]
    assert rendered["direct_group_mentions"] == [7, 3]

    posted = call(
        client, "conversation_messages/add", bearer(bob), conversation_id=chat.pk, content="x"
    )
    again = call(client, "conversation_messages/getone", headers, id=posted.json()["id"])
    assert posted.content == again.content
