"""What the official SDK's response validation needs of today's objects (extras §6)."""

import pytest
from django.db.models import ProtectedError

from tests.workspaces.twist import call, conversation, post

pytestmark = pytest.mark.django_db

TIMESTAMPED = ("posted", "created", "last_active", "last_edited", "muted_until")


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def test_a_creator_account_cannot_be_deleted_so_creator_is_never_null(client, as_alice, bob, chat):
    message = post(chat, bob, "hi")

    with pytest.raises(ProtectedError):
        bob.delete()

    body = call(client, "conversation_messages/getone", as_alice, id=message.pk).json()
    assert body["creator"] == bob.pk


def test_no_timestamp_has_an_unsuffixed_twin_and_every_ts_is_an_integer(
    client, as_alice, alice, chat
):
    post(chat, alice, "hi")
    call(client, "conversations/mute", as_alice, id=chat.pk, minutes=5)

    conv = call(client, "conversations/getone", as_alice, id=chat.pk).json()

    for obj in (conv, conv["last_message"]):
        assert not set(TIMESTAMPED) & set(obj)
        for key, value in obj.items():
            if key.endswith("_ts"):
                assert value is None or isinstance(value, int), key
    assert isinstance(conv["muted_until_ts"], int)


def test_the_sdks_cursor_on_messages_get_is_ignored(client, as_alice, alice, chat):
    post(chat, alice, "hi")

    response = call(
        client, "conversation_messages/get", as_alice, conversation_id=chat.pk, cursor="abc"
    )

    assert response.status_code == 200
    assert len(response.json()) == 1
