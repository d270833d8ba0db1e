"""workspaces/get, workspaces/getone, users/get_session_user: how a client finds its ids."""

import pytest

from tests.workspaces.twist import assert_error, call

pytestmark = pytest.mark.django_db


def test_workspaces_get_lists_only_the_callers_workspaces(
    client, as_alice, workspace, alice, other_workspace, eve
):
    response = call(client, "workspaces/get", as_alice, encoding="get")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": workspace.pk,
            "name": "Acme",
            "creator": None,
            "created_ts": int(workspace.created_at.timestamp()),
        }
    ]


def test_workspaces_getone(client, as_alice, workspace, alice):
    response = call(client, "workspaces/getone", as_alice, id=workspace.pk)

    assert response.json()["id"] == workspace.pk
    assert response.json()["name"] == "Acme"


def test_workspaces_getone_of_other_workspace_is_404(client, as_alice, alice, other_workspace):
    response = call(client, "workspaces/getone", as_alice, id=other_workspace.pk)

    assert_error(response, 404, 105, "Workspace not found")


def test_session_user_names_the_caller_and_a_default_workspace(client, as_alice, workspace, alice):
    response = call(client, "users/get_session_user", as_alice, encoding="get")

    assert response.status_code == 200
    # bot, removed and lang are required by the official SDK's UserSchema.
    assert response.json() == {
        "id": alice.pk,
        "name": "Alice",
        "short_name": "Alice",
        "email": "alice@example.com",
        "timezone": "UTC",
        "lang": "en",
        "bot": False,
        "removed": False,
        "default_workspace": workspace.pk,
    }


def test_session_user_without_a_workspace(client, bearer):
    from tests.factories import UserFactory

    loner = UserFactory(username="loner")

    response = call(client, "users/get_session_user", bearer(loner))

    assert response.json()["default_workspace"] is None


@pytest.mark.parametrize(
    ("method", "scope"),
    [("workspaces/get", "workspaces:read"), ("users/get_session_user", "user:read")],
)
def test_discovery_needs_its_own_scope(client, bearer, alice, method, scope):
    without = call(client, method, bearer(alice, scopes=["messages:read"]))
    with_scope = call(client, method, bearer(alice, scopes=[scope]))

    assert_error(without, 403, 109, "Forbidden")
    assert with_scope.status_code == 200
