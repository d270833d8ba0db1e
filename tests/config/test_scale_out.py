"""Scale-out: two gunicorn servers on one PostgreSQL database and one Redis act as one.

The rate limit is counted once across both (the limit, then a 429 on either),
and a message posted through one is read through the other. Runs only when
DATABASE_URL is PostgreSQL and REDIS_URL is set (the PostgreSQL leg of
.ci/run): SQLite and a per-process cache are one-server setups.
"""

import os
import time

import pytest
from django.conf import settings
from django.db import connection

from accounts.tokens import personal_token_create
from tests.factories import (
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)
from tests.servers import Gunicorn

LIMIT = 4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs a shared cache: set REDIS_URL=redis://…"
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    """The test database, which the servers share with this process."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """Started once for the module: the tests' rows are committed (transaction=True)."""
    started = [
        Gunicorn(
            tmp_path_factory.mktemp(f"server-{name}"),
            DATABASE_URL=_database_url(),
            REDIS_URL=settings.CACHES["default"]["LOCATION"],
            WORKSPACE_API_RATE_LIMIT=str(LIMIT),
        )
        for name in "ab"
    ]
    try:
        for server in started:
            server.wait_until_serving()
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def member():
    return WorkspaceMemberFactory()


def _auth(user) -> dict:
    return {"Authorization": f"Bearer {personal_token_create(user=user)}"}


def test_the_rate_limit_is_counted_once_across_both_servers(servers, member):
    a, b = servers
    for _attempt in range(2):
        # A fresh token, so a fresh count; again only if a minute window turned meanwhile.
        auth, window = _auth(member.user), time.time() // 60
        statuses = [
            server.post("/api/v1/users/get_session_user", {}, **auth)[0]
            for server in (a, b) * (LIMIT // 2)
        ]
        over = [server.post("/api/v1/users/get_session_user", {}, **auth) for server in (a, b)]
        if time.time() // 60 == window:
            break
    assert statuses == [200] * LIMIT
    assert [status for status, _ in over] == [429, 429]
    assert all(body["error_code"] == 429 for _, body in over)


def test_a_message_posted_through_one_server_is_read_through_the_other(servers, member):
    a, b = servers
    conversation = WorkspaceConversationFactory(workspace=member.workspace)
    ParticipantFactory(conversation=conversation, user=member.user)
    auth = _auth(member.user)
    status, posted = a.post(
        "/api/v1/conversation_messages/add",
        {"conversation_id": conversation.pk, "content": "Posted through A"},
        **auth,
    )
    assert status == 200

    status, read = b.post(
        "/api/v1/conversation_messages/get", {"conversation_id": conversation.pk}, **auth
    )

    assert status == 200
    assert [(m["id"], m["content"]) for m in read] == [(posted["id"], "Posted through A")]
