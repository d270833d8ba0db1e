"""get_or_create under concurrent calls (PostgreSQL: SQLite serialises writers anyway)."""

import pytest
from django.test import Client

from conversations.models import Conversation
from tests.threads import together
from tests.workspaces.twist import call

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_get_or_create_makes_one_conversation(bearer, workspace, alice, bob, carol):
    headers = bearer(alice)

    def worker(_):
        response = call(
            Client(),
            "conversations/get_or_create",
            headers,
            workspace_id=workspace.pk,
            user_ids=[bob.pk, carol.pk],
        )
        return response.status_code, response.json()["id"]

    results = together(worker, THREADS)

    assert {status for status, _ in results} == {200}
    assert len({pk for _, pk in results}) == 1
    assert Conversation.objects.filter(workspace=workspace).count() == 1
    assert len(results) == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_number_messages_without_gaps(bearer, workspace, alice, bob, settings):
    """The access check is the lock (conversation_messages/add): posters queue on it."""
    from conversations.models import Participant
    from events.models import Event
    from tests.workspaces.twist import conversation as make_conversation

    settings.WORKSPACE_API_RATE_LIMIT = 10_000
    chat = make_conversation(workspace, alice, bob)
    headers = {alice.pk: bearer(alice), bob.pk: bearer(bob)}

    def worker(n):
        poster = (alice, bob)[n % 2]
        return [
            call(
                Client(),
                "conversation_messages/add",
                headers[poster.pk],
                conversation_id=chat.pk,
                content=f"{n}-{i}",
            ).status_code
            for i in range(5)
        ]

    statuses = together(worker, THREADS)

    chat = Conversation.objects.get(pk=chat.pk)
    assert statuses == [[200] * 5] * THREADS
    assert chat.message_count == 5 * THREADS
    indexes = sorted(chat.messages.values_list("obj_index", flat=True))
    assert indexes == list(range(5 * THREADS))
    assert chat.last_obj_index == 5 * THREADS - 1
    assert chat.last_message_id == chat.messages.get(obj_index=chat.last_obj_index).pk
    last_poster = chat.messages.get(obj_index=chat.last_obj_index).created_by_id
    rows = {row.user_id: row for row in Participant.objects.filter(conversation=chat)}
    assert rows[last_poster].last_read_obj_index == chat.last_obj_index
    assert not rows[last_poster].unread
    added = Event.objects.filter(conversation_id=chat.pk, type="conversation_message.added")
    assert added.count() == 5 * THREADS
    assert all(event.audience == sorted([alice.pk, bob.pk]) for event in added)
