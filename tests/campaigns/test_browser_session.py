"""A browser session (the admin's login) reads through GET and writes only with the CSRF token.

Kanka's REST routes never write through GET, so a cross-site link can only
read; a cross-site form has no CSRF token. The requests here accept JSON
before HTML, so the answer is Kanka's JSON while the session still
authenticates (it needs `text/html` in `Accept`).
"""

import json

import pytest
from django.test import Client

from tests.campaigns.conftest import add_message
from tests.dbstate import database_snapshot as snapshot
from tests.factories import CharacterFactory, ParticipantFactory, TagFactory

BROWSER = "application/json, text/html"

CONVERSATION = "campaigns/{campaign}/conversations/{conversation}"
WRITES = [
    ("post", "campaigns/{campaign}/conversations", {"name": "New"}),
    ("put", CONVERSATION, {"name": "Renamed"}),
    ("patch", CONVERSATION, {"name": "Renamed"}),
    ("delete", CONVERSATION, None),
    ("post", CONVERSATION + "/conversation_participants", {"character_id": "{character}"}),
    ("put", CONVERSATION + "/conversation_participants/{participant}", {"user_id": "{admin}"}),
    ("delete", CONVERSATION + "/conversation_participants/{participant}", None),
    ("post", CONVERSATION + "/conversation_messages", {"message": "x"}),
    ("patch", CONVERSATION + "/conversation_messages/{message}", {"message": "y"}),
    ("delete", CONVERSATION + "/conversation_messages/{message}", None),
    ("post", "campaigns/{campaign}/characters", {"name": "Hero"}),
    ("put", "campaigns/{campaign}/characters/{character}", {"name": "Villain"}),
    ("delete", "campaigns/{campaign}/characters/{character}", None),
    ("post", "campaigns/{campaign}/tags", {"name": "Quest"}),
    ("put", "campaigns/{campaign}/tags/{tag}", {"name": "Side quest"}),
    ("delete", "campaigns/{campaign}/tags/{tag}", None),
]
UNAUTHORIZED = {"code": 403, "error": "This action is unauthorized."}


@pytest.fixture
def ids(campaign, admin, player, conversation):
    """The admin's world: one of each object a write can change."""
    return {
        "campaign": campaign.pk,
        "conversation": conversation.pk,
        "admin": admin.pk,
        "participant": ParticipantFactory(conversation=conversation, user=player).pk,
        "message": add_message(conversation, admin).pk,
        "character": CharacterFactory(campaign=campaign).pk,
        "tag": TagFactory(campaign=campaign).pk,
    }


@pytest.fixture
def browser(admin):
    """The admin's browser, logged in, with Django's CSRF checks on (as in production)."""
    session = Client(enforce_csrf_checks=True, headers={"accept": BROWSER})
    session.force_login(admin)
    return session


def request(browser, method, path, body, ids, **headers):
    url = "/api/1.0/" + path.format(**ids)
    if body is None:
        return getattr(browser, method)(url, headers=headers)
    body = {key: int(value.format(**ids)) if "{" in value else value for key, value in body.items()}
    return getattr(browser, method)(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_get_on_a_write_route_only_reads(browser, ids, method, path, body):
    before = snapshot()

    response = browser.get("/api/1.0/" + path.format(**ids))

    assert response.status_code == 200, response.content
    assert "data" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_session_cannot_write_without_the_csrf_token(browser, ids, method, path, body):
    before = snapshot()

    response = request(browser, method, path, body, ids)

    assert response.status_code == 403
    assert response.json() == UNAUTHORIZED
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_session_writes_with_the_csrf_token(browser, ids, method, path, body):
    page = browser.get(f"/api/1.0/campaigns/{ids['campaign']}", headers={"accept": "text/html"})
    assert page.status_code == 200
    token = browser.cookies["csrftoken"].value
    before = snapshot()

    response = request(browser, method, path, body, ids, x_csrftoken=token)

    assert response.status_code == 200, response.content
    assert snapshot() != before
