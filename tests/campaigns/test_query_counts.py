"""Query counts of the campaign API's shows, deep pages and posting, the same at 2 and 30 rows.

Each bound counts the token lookup. Lists are bounded beside their other tests.
"""

import pytest
from django.db import connection

from campaigns.api.pagination import MessagePagination
from tests.campaigns.conftest import add_message
from tests.factories import (
    CampaignMemberFactory,
    CharacterFactory,
    ParticipantFactory,
    TagFactory,
)


def _counts(api, admin, path, django_assert_max_num_queries, bound, grow, method="get", body=None):
    """Queries of one request at 2 rows, then at 30 rows (`grow(n)` adds n)."""
    api.auth(admin)
    grow(2)
    with django_assert_max_num_queries(bound) as small:
        assert api(method, path(), admin, body).status_code == 200
    grow(28)
    with django_assert_max_num_queries(bound) as large:
        assert api(method, path(), admin, body).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


@pytest.mark.parametrize("deferred_join_from", [0, MessagePagination.deferred_join_from])
def test_message_last_page_costs_the_queries_of_the_first(
    api, admin, conversation, django_assert_max_num_queries, monkeypatch, deferred_join_from
):
    monkeypatch.setattr(MessagePagination, "deferred_join_from", deferred_join_from)
    base = f"campaigns/{conversation.campaign_id}/conversations/{conversation.pk}"

    def last_page():
        return f"{base}/conversation_messages?per_page=2&page={conversation.message_count // 2}"

    def grow(n):
        for _ in range(n):
            add_message(conversation, admin, "m")
        conversation.refresh_from_db()

    # Token, the conversation with its campaign and the role, the page (by deferred join or not).
    _counts(api, admin, last_page, django_assert_max_num_queries, 3, grow)


@pytest.mark.parametrize("child", ["message", "participant"])
def test_a_conversation_child_is_shown_in_3_queries(
    api, campaign, admin, conversation, child, django_assert_max_num_queries
):
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_{child}s"
    first = add_message(conversation, admin) if child == "message" else None
    first = first or ParticipantFactory(conversation=conversation, user=admin)

    def grow(n):
        for _ in range(n):
            if child == "message":
                add_message(conversation, admin)
            else:
                member = CampaignMemberFactory(campaign=campaign).user
                ParticipantFactory(conversation=conversation, user=member)

    # Token, the conversation with its campaign and the role, the row.
    _counts(api, admin, lambda: f"{base}/{first.pk}", django_assert_max_num_queries, 3, grow)


@pytest.mark.parametrize(
    ("resource", "bound"),
    [
        # Token, campaign and role, the row with its tag ids and participant count.
        ("conversations", 3),
        # Token, campaign and role, the row, its tags.
        ("characters", 4),
        ("tags", 4),
    ],
)
def test_an_entity_is_shown_in_its_bound_of_queries(
    api, campaign, admin, conversation, resource, bound, django_assert_max_num_queries
):
    entity_owner = {
        "conversations": conversation,
        "characters": CharacterFactory(campaign=campaign),
        "tags": TagFactory(campaign=campaign),
    }[resource]

    def grow(n):
        entity_owner.entity.tags.add(*TagFactory.create_batch(n, campaign=campaign))
        if resource == "conversations":
            for _ in range(n):
                member = CampaignMemberFactory(campaign=campaign).user
                ParticipantFactory(conversation=conversation, user=member)

    path = f"campaigns/{campaign.pk}/{resource}/{entity_owner.pk}"
    _counts(api, admin, lambda: path, django_assert_max_num_queries, bound, grow)


def test_posting_a_message_runs_5_statements_on_postgresql(
    api, campaign, admin, conversation, django_assert_max_num_queries
):
    ParticipantFactory(conversation=conversation, user=admin)
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"

    def grow(n):
        for _ in range(n):
            add_message(conversation, admin)

    # Token; then the write: the conversation with its campaign and the role (the
    # access check is the lock: FOR UPDATE), the insert, the counters and the
    # participants (read marker, un-archiving; one statement on PostgreSQL), the
    # outbox's one INSERT (event row, webhooks that want it); two SAVEPOINT
    # statements (the test's transaction makes the atomic block one).
    bound = 7 if connection.vendor == "postgresql" else 8
    body = {"message": "x"}
    _counts(api, admin, lambda: path, django_assert_max_num_queries, bound, grow, "post", body)
