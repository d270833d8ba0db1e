"""get_or_create under concurrent calls (PostgreSQL: SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from conversations.models import Conversation
from tests.workspaces.twist import call

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_get_or_create_makes_one_conversation(bearer, workspace, alice, bob, carol):
    headers = bearer(alice)
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            response = call(
                Client(),
                "conversations/get_or_create",
                headers,
                workspace_id=workspace.pk,
                user_ids=[bob.pk, carol.pk],
            )
            results.append((response.status_code, response.json()["id"]))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert {status for status, _ in results} == {200}
    assert len({pk for _, pk in results}) == 1
    assert Conversation.objects.filter(workspace=workspace).count() == 1
    assert len(results) == THREADS
