"""With the database unreachable both APIs answer their dialect's 500 in JSON, never HTML."""

import pytest
from django.db import connections

from tests.workspaces.twist import UUID_HEX

# In this worktree's port range, and nothing listens there: connections are refused.
CLOSED_PORT = 18398


@pytest.fixture
def database_down(django_db_blocker):
    """The default connection swapped for one to a database that cannot be reached.

    On PostgreSQL Django keeps one psycopg pool per alias and process, so a new
    wrapper under the same alias would borrow the live pool's connections: the
    live pool is set aside and the unreachable wrapper opens its own. Its wait
    for a connection is shortened (a server waits DATABASE_POOL_TIMEOUT, then
    answers the same 500).
    """
    original = connections["default"]
    unreachable = {**original.settings_dict}
    pools = getattr(original, "_connection_pools", {})
    live_pool = pools.pop("default", None)
    if original.vendor == "sqlite":
        unreachable["NAME"] = "/nonexistent/parley/db.sqlite3"
    else:
        unreachable.update(HOST="127.0.0.1", PORT=CLOSED_PORT)
        if pool := unreachable["OPTIONS"].get("pool"):
            unreachable["OPTIONS"] = {**unreachable["OPTIONS"], "pool": {**pool, "timeout": 0.5}}
    connections["default"] = original.__class__(unreachable, alias="default")
    with django_db_blocker.unblock():
        yield
        connections["default"].close()
        if unreachable["OPTIONS"].get("pool"):
            connections["default"].close_pool()
    connections["default"] = original
    if live_pool is not None:
        pools["default"] = live_pool


HEADERS = {"HTTP_AUTHORIZATION": "Bearer parley_whatever"}


def test_the_campaign_api_answers_kanka_500(client, database_down):
    response = client.get("/api/1.0/campaigns/1/conversations", **HEADERS)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": 500, "error": "Unhandled API error"}


def test_the_workspace_api_answers_twist_500_code_201(client, database_down):
    response = client.post("/api/v1/conversations/get", {"workspace_id": 1}, **HEADERS)

    assert response.status_code == 500
    body = response.json()
    assert UUID_HEX.fullmatch(body["error_uuid"])
    assert body == {
        "error_uuid": body["error_uuid"],
        "error_code": 201,
        "error_extra": {},
        "error_string": "Internal Server Error",
    }


def test_unknown_api_urls_still_answer_their_404(client, database_down):
    kanka = client.post("/api/1.0/campaigns/1/nothing-here", **HEADERS)
    twist = client.post("/api/v1/nothing-here", **HEADERS)

    assert (kanka.status_code, kanka.json()) == (404, {"error": "Page not found"})
    assert (twist.status_code, twist.json()["error_code"]) == (404, 110)
