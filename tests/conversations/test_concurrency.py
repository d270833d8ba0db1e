"""Concurrent writers on PostgreSQL (SQLite serialises whole-database writes anyway)."""

import pytest

from conversations import exceptions, services
from conversations.models import Conversation, Message, Participant
from conversations.policy import Role
from tests.threads import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_concurrent_posters_get_gap_free_unique_obj_indexes(workspace_world):
    world = workspace_world
    users = [world["a"], world["b"], world["c"], world["admin"]]
    conversation, _ = services.conversation_get_or_create(
        actor=users[0],
        role=Role.MEMBER,
        workspace=world["workspace"],
        user_ids=[u.pk for u in users],
    )
    per_thread = 50

    def post(n):
        author = users[n % len(users)]
        for i in range(per_thread):
            services.message_add(
                actor=author,
                role=Role.MEMBER,
                conversation=conversation,
                content=f"thread {n} message {i}",
            )

    together(post, THREADS)

    indexes = sorted(
        Message.objects.filter(conversation=conversation).values_list("obj_index", flat=True)
    )
    total = THREADS * per_thread
    assert indexes == list(range(total))
    conversation.refresh_from_db()
    assert conversation.message_count == total
    assert conversation.last_obj_index == total - 1
    newest = Message.objects.filter(conversation=conversation).order_by("-obj_index").first()
    assert conversation.last_message_id == newest.pk


def test_concurrent_get_or_create_yields_one_conversation(workspace_world):
    world = workspace_world
    users = [world["a"], world["b"], world["c"]]
    results = []

    def get_or_create(n):
        actor = users[n % len(users)]
        conversation, _ = services.conversation_get_or_create(
            actor=actor,
            role=Role.MEMBER,
            workspace=world["workspace"],
            user_ids=[u.pk for u in users if u != actor],
        )
        results.append(conversation.pk)

    together(get_or_create, THREADS)

    assert len(results) == THREADS
    assert len(set(results)) == 1
    assert Conversation.objects.filter(workspace=world["workspace"]).count() == 1


def test_concurrent_removals_of_one_message_count_it_once(workspace_world):
    world = workspace_world
    a, b = world["a"], world["b"]
    conversation, _ = services.conversation_get_or_create(
        actor=a, role=Role.MEMBER, workspace=world["workspace"], user_ids=[b.pk]
    )
    keep = services.message_add(actor=a, role=Role.MEMBER, conversation=conversation, content="k")
    doomed = services.message_add(actor=a, role=Role.MEMBER, conversation=conversation, content="d")
    outcomes = []

    def remove(n):
        try:
            services.message_remove(actor=a, role=Role.MEMBER, message=doomed)
            outcomes.append("removed")
        except exceptions.MessageNotFound:
            outcomes.append("not found")

    together(remove, THREADS)

    assert sorted(outcomes) == ["not found"] * (THREADS - 1) + ["removed"]
    conversation.refresh_from_db()
    assert conversation.message_count == 1
    assert conversation.last_message_id == keep.pk


def test_read_markers_racing_posts_keep_the_unread_flag(workspace_world):
    """Marking read while others post never clears the flag over a newer message."""
    world = workspace_world
    users = [world["a"], world["b"], world["c"], world["admin"]]
    conversation, _ = services.conversation_get_or_create(
        actor=users[0],
        role=Role.MEMBER,
        workspace=world["workspace"],
        user_ids=[u.pk for u in users],
    )
    rounds = 25

    def work(n):
        user = users[n % len(users)]
        for i in range(rounds):
            if n < THREADS // 2:
                services.message_add(
                    actor=user, role=Role.MEMBER, conversation=conversation, content=f"{n}/{i}"
                )
            else:
                # The marker at the end as this thread last saw it: maybe already stale.
                fresh = Conversation.objects.get(pk=conversation.pk)
                services.conversation_mark_read(actor=user, conversation=fresh)

    together(work, THREADS)

    conversation.refresh_from_db()
    rows = Participant.objects.filter(conversation=conversation)
    assert [(p.user_id, p.unread) for p in rows] == [
        (p.user_id, conversation.last_obj_index > p.last_read_obj_index) for p in rows
    ]
