"""Domain reads and writes at real sizes; prints medians. Run by hand (see README)."""

import os
import statistics
import time

import pytest
from django.db import connection
from django.utils import timezone

from conversations import selectors, services
from conversations.models import Conversation, Message, Participant
from conversations.policy import Role
from tests.factories import WorkspaceFactory, WorkspaceMemberFactory

MESSAGES = int(os.environ.get("BENCH_MESSAGES", 200_000))
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", 10_000))
BATCH = 5_000

pytestmark = pytest.mark.django_db


def _median_ms(work, repeat=20):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _report(label, ms):
    print(f"{label:<60} {ms:8.2f} ms  ({connection.vendor})")


def _plan(queryset):
    if connection.vendor == "postgresql":
        print(queryset.explain())


@pytest.fixture
def members():
    workspace = WorkspaceFactory()
    me = WorkspaceMemberFactory(workspace=workspace).user
    other = WorkspaceMemberFactory(workspace=workspace).user
    return workspace, me, other


def test_history_of_a_large_conversation(members):
    workspace, me, other = members
    conversation, _ = services.conversation_get_or_create(
        actor=me, role=Role.MEMBER, workspace=workspace, user_ids=[other.pk]
    )
    now = timezone.now()
    for start in range(0, MESSAGES, BATCH):
        Message.objects.bulk_create(
            Message(
                conversation=conversation,
                obj_index=i,
                content=f"message {i}",
                created_by=me,
                created_at=now,
                updated_at=now,
            )
            for i in range(start, min(start + BATCH, MESSAGES))
        )
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=MESSAGES, last_obj_index=MESSAGES - 1
    )
    conversation.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def newest():
        return list(selectors.messages_page(conversation=conversation, limit=20))

    def middle():
        return list(
            selectors.messages_page(
                conversation=conversation, from_obj_index=MESSAGES // 2, descending=False, limit=20
            )
        )

    def post():
        return services.message_add(
            actor=me, role=Role.MEMBER, conversation=conversation, content="benchmark"
        )

    _report(f"messages_page newest 20 of {MESSAGES:,}", _median_ms(newest))
    _report(f"messages_page 20 from obj_index {MESSAGES // 2:,}", _median_ms(middle))
    _plan(
        selectors.messages_page(
            conversation=conversation, from_obj_index=MESSAGES // 2, descending=False, limit=20
        )
    )
    _report(f"message_add into a conversation of {MESSAGES:,}", _median_ms(post, repeat=50))


def test_unread_across_many_conversations(members):
    workspace, me, other = members
    now = timezone.now()
    conversations = Conversation.objects.bulk_create(
        Conversation(workspace=workspace, last_obj_index=0, message_count=1, last_activity_at=now)
        for _ in range(CONVERSATIONS)
    )
    Participant.objects.bulk_create(
        [Participant(conversation=c, user=me, unread=True) for c in conversations]
        + [Participant(conversation=c, user=other, unread=True) for c in conversations],
        batch_size=BATCH,
    )
    Participant.objects.filter(user=me, conversation__in=conversations[::2]).update(
        last_read_obj_index=0, unread=False
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    unread = selectors.unread_of_user(user=me, workspace=workspace)
    assert len(unread) == CONVERSATIONS - len(conversations[::2])
    _report(
        f"unread_of_user over {CONVERSATIONS:,} conversations",
        _median_ms(lambda: selectors.unread_of_user(user=me, workspace=workspace), repeat=10),
    )

    def page():
        queryset = selectors.conversations_of_user(user=me, workspace=workspace)
        return list(queryset.order_by("-last_activity_at", "-id")[:50])

    _report(f"conversations_of_user first 50 of {CONVERSATIONS:,}", _median_ms(page, repeat=10))
