"""conversations/* through HTTP: objects, filters, participants, per-user state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, Participant
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db


def _ts(dt):
    return int(dt.timestamp())


def test_getone_returns_the_v3_conversation_object(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    post(conv, alice, "first")
    last = post(conv, bob, "Hello [Alice](twist-mention://%d)!" % alice.pk)
    conv.refresh_from_db()

    response = call(client, "conversations/getone", as_alice, id=conv.pk)

    assert response.status_code == 200
    expected = {
        "id": conv.pk,
        "workspace_id": workspace.pk,
        "creator": alice.pk,
        "created_ts": _ts(conv.created_at),
        "user_ids": [alice.pk, bob.pk],
        "title": None,
        "private": True,
        "archived": False,
        "muted_until_ts": None,
        "message_count": 2,
        "last_obj_index": 1,
        "last_active_ts": _ts(last.created_at),
        "snippet": last.content,
        "snippet_creators": [bob.pk, alice.pk],
        "last_message": {
            "id": last.pk,
            "conversation_id": conv.pk,
            "workspace_id": workspace.pk,
            "creator": bob.pk,
            "creator_name": "Bob",
            "content": last.content,
            "obj_index": 1,
            "posted_ts": _ts(last.created_at),
            "last_edited_ts": None,
            "attachments": [],
            "actions": [],
            "reactions": {},
            "direct_mentions": [alice.pk],
            "direct_group_mentions": [],
            "system_message": None,
            "deleted": False,
            "is_deleted": False,
            "version": 0,
        },
    }
    body = response.json()
    assert body == expected
    # Same keys in §2.1/§2.2 order, not only the same dict.
    assert list(body) == list(expected)
    assert list(body["last_message"]) == list(expected["last_message"])
