"""A body without Content-Length (`Transfer-Encoding: chunked`) is read, and capped, like any other.

Without config.uploads.ChunkedBodyMiddleware Django would read such a body as
empty under WSGI, so it met neither the body limit nor the parsers.
"""

import io
import json

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from campaigns.models import CampaignMember
from conversations.models import Conversation
from tests.dbstate import database_snapshot
from tests.factories import CampaignMemberFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

LIMIT = 1000


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


def chunked(client, path, body: bytes, content_type: str, headers: dict):
    """POST `body` as a WSGI server passes a chunked request on: no CONTENT_LENGTH."""
    stream = io.BytesIO(body)
    response = client.request(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream},
        **headers,
    )
    return response, stream.tell()


@pytest.fixture
def kanka(bearer):
    member = CampaignMemberFactory(role=CampaignMember.Role.ADMIN)
    return f"/api/1.0/campaigns/{member.campaign_id}", bearer(member.user)


@pytest.fixture
def twist(bearer):
    member = WorkspaceMemberFactory()
    return member, bearer(member.user)


def test_a_chunked_json_body_within_the_limit_is_read(client, kanka):
    base, auth = kanka
    body = json.dumps({"name": "Sent in chunks"}).encode()

    response, _ = chunked(client, f"{base}/tags", body, "application/json", auth)

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Sent in chunks"


def test_a_chunked_multipart_body_over_the_limit_is_413_read_no_further(client, kanka):
    base, auth = kanka
    body = encode_multipart(BOUNDARY, {"name": "Huge", "entry": "x" * (LIMIT * 20)})
    before = database_snapshot()

    response, read = chunked(client, f"{base}/conversations", body, MULTIPART_CONTENT, auth)

    assert response.status_code == 413
    assert response.json() == {"code": 413, "error": "The request body is too large."}
    assert read == LIMIT + 1
    assert database_snapshot() == before


def test_a_chunked_form_within_the_limit_is_read_by_the_workspace_api(client, twist):
    member, auth = twist
    body = f"workspace_id={member.workspace_id}&user_ids=[]".encode()

    response, _ = chunked(
        client,
        "/api/v1/conversations/get_or_create",
        body,
        "application/x-www-form-urlencoded",
        auth,
    )

    assert response.status_code == 200
    assert response.json()["workspace_id"] == member.workspace_id
    assert Conversation.objects.filter(workspace_id=member.workspace_id).count() == 1


def test_a_chunked_body_over_the_limit_is_413_code_205(client, twist):
    member, auth = twist
    body = json.dumps({"workspace_id": member.workspace_id, "title": "x" * LIMIT * 5}).encode()
    before = database_snapshot()

    response, read = chunked(
        client, "/api/v1/conversations/get_or_create", body, "application/json", auth
    )

    assert response.status_code == 413
    assert response.json()["error_code"] == 205
    assert read == LIMIT + 1
    assert database_snapshot() == before
