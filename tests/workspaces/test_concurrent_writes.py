"""Concurrent writes through the workspace API on PostgreSQL (SQLite serialises writers anyway).

Each test starts THREADS clients together on one conversation and then checks
the rows against what the calls said: no 5xx, no duplicate or lost rows, and
the counters (`message_count`, `last_obj_index`) agreeing with the messages.
"""

import pytest
from django.test import Client

from conversations.models import Message, Participant
from tests.factories import (
    MessageFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)
from tests.threads import together
from tests.workspaces.twist import call

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture
def members(workspace, alice):
    return [alice] + [WorkspaceMemberFactory(workspace=workspace).user for _ in range(THREADS)]


@pytest.fixture
def conversation(workspace, alice):
    conversation = WorkspaceConversationFactory(workspace=workspace)
    ParticipantFactory(conversation=conversation, user=alice)
    return conversation


def test_concurrent_adds_and_removes_of_users_leave_exactly_the_expected_participants(
    bearer, conversation, members
):
    alice, others = members[0], members[1:]
    leaving = others[: THREADS // 2]
    for user in leaving:
        ParticipantFactory(conversation=conversation, user=user)
    joining = others[THREADS // 2 :]
    headers = bearer(alice)

    def work(n):
        if n % 2:
            method, user = "conversations/remove_users", leaving[n // 2]
        else:
            method, user = "conversations/add_users", joining[n // 2]
        return call(Client(), method, headers, id=conversation.pk, user_ids=[user.pk]).status_code

    assert together(work, THREADS) == [200] * THREADS
    users = set(
        Participant.objects.filter(conversation=conversation).values_list("user", flat=True)
    )
    assert users == {alice.pk, *(u.pk for u in joining)}


def test_one_user_added_by_many_at_once_takes_part_once(bearer, conversation, members):
    alice, bob = members[0], members[1]
    headers = bearer(alice)

    def work(n):
        return call(
            Client(), "conversations/add_users", headers, id=conversation.pk, user_ids=[bob.pk]
        ).status_code

    assert together(work, THREADS) == [200] * THREADS
    assert Participant.objects.filter(conversation=conversation, user=bob).count() == 1


def test_concurrent_mark_read_mark_unread_and_mute_on_one_participant(
    bearer, conversation, members
):
    alice = members[0]
    for _ in range(4):
        MessageFactory(conversation=conversation, created_by=members[1])
    headers = bearer(alice)
    calls = [
        ("conversations/mark_read", {"id": conversation.pk, "obj_index": 3}),
        ("conversations/mark_unread", {"id": conversation.pk, "obj_index": 1}),
        ("conversations/mute", {"id": conversation.pk, "minutes": 30}),
        ("conversations/unmute", {"id": conversation.pk}),
    ]

    def work(n):
        method, params = calls[n % len(calls)]
        return call(Client(), method, headers, **params).status_code

    assert together(work, THREADS) == [200] * THREADS
    [participant] = Participant.objects.filter(conversation=conversation, user=alice)
    # mark_unread from 1 leaves 0 read; the last writer wins, whichever it was.
    assert participant.last_read_obj_index in {0, 3}
    response = call(Client(), "conversations/getone", headers, id=conversation.pk)
    assert response.status_code == 200


def test_concurrent_adds_and_removes_of_messages_keep_the_counters(bearer, conversation, members):
    alice = members[0]
    doomed = [MessageFactory(conversation=conversation, created_by=alice) for _ in range(THREADS)]
    headers = bearer(alice)
    per_thread = 5

    def work(n):
        client = Client()
        statuses = [call(client, "conversation_messages/remove", headers, id=doomed[n].pk)]
        for i in range(per_thread):
            response = call(
                client,
                "conversation_messages/add",
                headers,
                conversation_id=conversation.pk,
                content=f"thread {n} message {i}",
            )
            statuses.append(response)
        return [r.status_code for r in statuses]

    assert together(work, THREADS) == [[200] * (per_thread + 1)] * THREADS
    conversation.refresh_from_db()
    messages = Message.objects.filter(conversation=conversation)
    indexes = sorted(messages.values_list("obj_index", flat=True))
    assert conversation.message_count == len(indexes) == THREADS * per_thread
    # Removed messages keep their indexes: the new ones follow them without gaps or repeats.
    assert indexes == list(range(THREADS, THREADS + THREADS * per_thread))
    assert conversation.last_obj_index == indexes[-1]
    assert conversation.last_message_id == messages.order_by("-obj_index").first().pk
