"""Authorization matrix of the workspace API: every method by every kind of caller.

Alice (a participant) succeeds everywhere (tests/workspaces/test_errors.py);
here each other caller gets the status and Twist code the table says, and a
refused call changes no row. Ids of another workspace's objects are Twist's
not-found for every method that takes them.
"""

import pytest
from django.test import Client

from accounts.tokens import personal_token_create, personal_tokens_revoke
from tests.dbstate import database_snapshot
from tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from tests.workspaces.test_errors import DISCOVERY, READS, WRITES, valid_params
from tests.workspaces.twist import call, conversation, post
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db

ALL = READS + WRITES + DISCOVERY
# Methods that name the workspace rather than a conversation or message.
BY_WORKSPACE = {"conversations/get", "conversations/get_unread", "conversations/get_or_create"}
BY_MESSAGE = {
    "conversation_messages/getone",
    "conversation_messages/update",
    "conversation_messages/remove",
}
BROWSER = "application/json, text/html"


@pytest.fixture(autouse=True)
def _rate_limit_out_of_the_way(settings):
    settings.WORKSPACE_API_RATE_LIMIT = 10_000


@pytest.fixture
def world():
    workspace = WorkspaceFactory()
    alice, bob, carol = (WorkspaceMemberFactory(workspace=workspace).user for _ in range(3))
    admin = WorkspaceMemberFactory(workspace=workspace, role=WorkspaceMember.Role.ADMIN).user
    conv = conversation(workspace, alice, bob)
    message = post(conv, alice, "hello")
    other = WorkspaceFactory()
    eve = WorkspaceMemberFactory(workspace=other).user
    mallory = WorkspaceMemberFactory(workspace=other).user
    other_conv = conversation(other, eve, mallory)
    return {
        "workspace": workspace,
        "conversation": conv,
        "message": message,
        "alice": alice,
        "carol": carol,
        "admin": admin,
        "stranger": UserFactory(),
        "eve": eve,
        "other": {
            "workspace": other,
            "conversation": other_conv,
            "message": post(other_conv, eve, "theirs"),
            "carol": mallory,
        },
    }


def _token(user, **kwargs) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {personal_token_create(user=user, **kwargs)}"}


def _revoked(user) -> dict:
    headers = _token(user, name="to revoke")
    personal_tokens_revoke(users=[user], name="to revoke")
    return headers


def _not_found(method) -> int:
    """Twist's not-found code for a method called by someone who may not see its object."""
    if method in BY_WORKSPACE or method == "workspaces/getone":
        return 105
    return 125 if method in BY_MESSAGE else 124


# caller: (how to authenticate, what each method answers: a function of the method).
CALLERS = {
    "workspace admin, not a participant": (
        lambda w: _token(w["admin"]),
        lambda m: (
            (200, None)
            if m in BY_WORKSPACE | set(DISCOVERY) or m == "conversations/get_or_create"
            else (404, _not_found(m))
        ),
    ),
    "member, not a participant": (
        lambda w: _token(w["carol"]),
        lambda m: (200, None) if m in BY_WORKSPACE | set(DISCOVERY) else (404, _not_found(m)),
    ),
    "not a member": (
        lambda w: _token(w["stranger"]),
        lambda m: (
            (200, None)
            if m in {"workspaces/get", "users/get_session_user"}
            else (404, _not_found(m))
        ),
    ),
    "member of another workspace": (
        lambda w: _token(w["eve"]),
        lambda m: (
            (200, None)
            if m in {"workspaces/get", "users/get_session_user"}
            else (404, _not_found(m))
        ),
    ),
    "token without the scope": (
        lambda w: _token(w["alice"], scopes=()),
        lambda m: (403, 109),
    ),
    "expired token": (lambda w: _token(w["alice"], expires_days=-1), lambda m: (403, 200)),
    "revoked token": (lambda w: _revoked(w["alice"]), lambda m: (403, 200)),
    "no token": (lambda w: {}, lambda m: (401, 120)),
}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("method", ALL)
def test_each_caller_gets_the_tables_answer_and_a_refusal_changes_nothing(world, caller, method):
    authenticate, expect = CALLERS[caller]
    headers = authenticate(world)
    status, code = expect(method)
    before = database_snapshot()

    response = call(Client(), method, headers, **valid_params(method, world))

    assert response.status_code == status, response.content
    if code is not None:
        assert response.json()["error_code"] == code, response.content
        assert database_snapshot() == before


@pytest.mark.parametrize("method", ALL)
def test_a_browser_session_without_the_csrf_token_changes_nothing(world, method):
    browser = Client(enforce_csrf_checks=True, headers={"accept": BROWSER})
    browser.force_login(world["alice"])
    before = database_snapshot()

    response = call(browser, method, **valid_params(method, world))

    assert response.status_code == 403, response.content
    assert response.json()["error_code"] == 109
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "method", [m for m in ALL if m not in {"workspaces/get"} | {"users/get_session_user"}]
)
def test_every_id_of_another_workspace_is_not_found(world, method):
    """Alice names the other workspace's rows (workspace, conversation, message, user)."""
    params = valid_params(method, world["other"])
    headers = _token(world["alice"])
    before = database_snapshot()

    response = call(Client(), method, headers, **params)

    assert response.status_code == 404, response.content
    assert response.json()["error_code"] in {105, 106, 124, 125}
    assert database_snapshot() == before


USER_METHODS = [
    "conversations/get_or_create",
    "conversations/add_user",
    "conversations/add_users",
    "conversations/remove_user",
    "conversations/remove_users",
]


@pytest.mark.parametrize("method", USER_METHODS)
def test_a_user_of_another_workspace_is_not_found(world, method):
    """Alice's own conversation, with a user id of the other workspace: 404, code 106."""
    params = valid_params(method, {**world, "carol": world["other"]["carol"]})
    headers = _token(world["alice"])
    before = database_snapshot()

    response = call(Client(), method, headers, **params)

    assert response.status_code == 404, response.content
    assert response.json()["error_code"] == 106
    assert database_snapshot() == before
