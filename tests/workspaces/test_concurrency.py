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
