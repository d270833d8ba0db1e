"""A browser session (the admin's login) may only read through GET; it writes by POST with CSRF.

A cross-site link opens a URL in the victim's browser with the session
cookie and no CSRF token: every write method answers GET for token clients
(Twist §3.1), so with a session a write by GET is refused outright. The
requests here accept JSON before HTML, so the answer is the dialect's JSON
while the session still authenticates (it needs `text/html` in `Accept`).
"""

import pytest
from django.test import Client

from tests.dbstate import database_snapshot as snapshot
from tests.workspaces.test_errors import READS, WRITES, valid_params
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db

BROWSER = "application/json, text/html"


@pytest.fixture
def world(workspace, alice, bob, carol, boss):
    """As in test_errors: Alice's group conversation with one message of hers."""
    conv = conversation(workspace, alice, bob, boss)
    message = post(conv, alice, "hello")
    return {"workspace": workspace, "conversation": conv, "message": message, "carol": carol}


@pytest.fixture
def browser(alice):
    """Alice's browser, logged in to the admin, with Django's CSRF checks on (as in production)."""
    session = Client(enforce_csrf_checks=True, headers={"accept": BROWSER})
    session.force_login(alice)
    return session


def csrf_token(browser, world) -> str:
    """The token a page of the browsable API hands the browser (its cookie)."""
    page = browser.get(
        "/api/v1/conversations/getone",
        {"id": world["conversation"].pk},
        headers={"accept": "text/html"},
    )
    assert page.status_code == 200
    return browser.cookies["csrftoken"].value


@pytest.mark.parametrize("method", WRITES)
def test_a_session_cannot_write_through_get(browser, world, method):
    before = snapshot()

    response = call(browser, method, encoding="get", **valid_params(method, world))

    assert_error(response, 403, 109, "Forbidden")
    assert snapshot() == before


def test_a_link_to_a_write_method_opens_a_403_page_and_changes_nothing(browser, world):
    before = snapshot()

    response = browser.get(
        "/api/v1/conversations/remove_user",
        {"id": world["conversation"].pk, "user_id": world["carol"].pk},
        headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert snapshot() == before


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("encoding", ["json", "form", "query"])
def test_a_session_cannot_write_by_post_without_the_csrf_token(browser, world, method, encoding):
    before = snapshot()

    response = call(browser, method, encoding=encoding, **valid_params(method, world))

    assert_error(response, 403, 109, "Forbidden")
    assert snapshot() == before


@pytest.mark.parametrize("method", WRITES)
def test_a_session_writes_by_post_with_the_csrf_token(browser, world, method):
    token = csrf_token(browser, world)

    response = call(
        browser, method, {"HTTP_X_CSRFTOKEN": token}, encoding="form", **valid_params(method, world)
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("method", READS)
def test_a_session_reads_through_get(browser, world, method):
    response = call(browser, method, encoding="get", **valid_params(method, world))

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("method", WRITES)
def test_a_token_client_still_writes_through_get(client, as_alice, world, method):
    response = call(client, method, as_alice, encoding="get", **valid_params(method, world))

    assert response.status_code == 200, response.content
