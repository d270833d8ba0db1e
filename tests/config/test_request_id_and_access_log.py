"""Every request has an id (echoed in X-Request-ID) and one access line; a 5xx names its error."""

import logging

import pytest

from campaigns import selectors as campaign_selectors
from tests.factories import CampaignMemberFactory, UserFactory, WorkspaceMemberFactory
from workspaces import selectors as workspace_selectors

pytestmark = pytest.mark.django_db


def access_lines(caplog):
    return [record for record in caplog.records if record.name == "parley.request"]


def test_a_request_gets_a_fresh_id_echoed_in_the_response(client):
    first = client.get("/api/nothing")
    second = client.get("/api/nothing")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_plain_client_request_id_is_kept(client):
    response = client.get("/api/nothing", HTTP_X_REQUEST_ID="lb-7f3a.2:9")

    assert response["X-Request-ID"] == "lb-7f3a.2:9"


@pytest.mark.parametrize("offered", ["", "two words", "x" * 129, "line\nbreak", "ümlaut"])
def test_a_request_id_that_could_break_a_log_line_is_replaced(client, offered):
    response = client.get("/api/nothing", HTTP_X_REQUEST_ID=offered)

    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_one_access_line_with_route_status_user_and_duration(client, bearer, caplog):
    member = CampaignMemberFactory()
    caplog.set_level(logging.INFO, logger="parley.request")

    response = client.get(
        f"/api/1.0/campaigns/{member.campaign_id}/conversations",
        HTTP_X_REQUEST_ID="req-1",
        **bearer(member.user),
    )

    assert response.status_code == 200
    [line] = access_lines(caplog)
    assert line.levelno == logging.INFO
    assert line.request_id == "req-1"
    assert line.user_id == member.user_id
    assert line.route == "api/1.0/campaigns/<str:campaign_id>/conversations"
    assert (line.method, line.path, line.status) == (
        "GET",
        f"/api/1.0/campaigns/{member.campaign_id}/conversations",
        200,
    )
    assert line.duration_ms >= 0


def test_an_anonymous_request_logs_no_user_and_loads_no_session(
    client, caplog, django_assert_num_queries
):
    caplog.set_level(logging.INFO, logger="parley.request")

    with django_assert_num_queries(0):
        client.get("/api/v1/conversations/getone?id=1")

    [line] = access_lines(caplog)
    assert (line.status, line.user_id) == (401, None)


def test_a_workspace_5xx_logs_the_error_uuid_with_the_request_id(
    client, bearer, caplog, monkeypatch
):
    member = WorkspaceMemberFactory()
    monkeypatch.setattr(workspace_selectors, "access_workspace", _explode)
    caplog.set_level(logging.INFO)

    response = client.get(
        f"/api/v1/conversations/get?workspace_id={member.workspace_id}",
        HTTP_X_REQUEST_ID="report-42",
        **bearer(member.user),
    )

    assert response.status_code == 500
    [line] = access_lines(caplog)
    assert line.levelno == logging.ERROR
    assert (line.request_id, line.error_uuid) == ("report-42", response.json()["error_uuid"])
    assert line.error == "Internal Server Error"
    [traceback] = [r for r in caplog.records if r.exc_info]
    assert traceback.request_id == "report-42"
    assert traceback.user_id == member.user_id


def test_a_campaign_5xx_logs_the_kanka_error_with_the_request_id(
    client, bearer, caplog, monkeypatch
):
    user = UserFactory()
    monkeypatch.setattr(campaign_selectors, "access_campaign", _explode)
    caplog.set_level(logging.INFO)

    response = client.get("/api/1.0/campaigns/1/conversations", **bearer(user))

    assert response.status_code == 500
    [line] = access_lines(caplog)
    assert line.levelno == logging.ERROR
    assert line.request_id == response["X-Request-ID"]
    assert line.error == "Unhandled API error"
    [traceback] = [r for r in caplog.records if r.exc_info]
    assert traceback.request_id == response["X-Request-ID"]


def test_records_outside_a_request_say_so(caplog):
    caplog.set_level(logging.INFO)
    handler = logging.getLogger().handlers[0]

    record = logging.getLogger("parley.test").makeRecord(
        "parley.test", logging.INFO, __file__, 1, "outside", (), None
    )
    handler.filter(record)

    assert record.request_id == "-"


def _explode(**kwargs):
    raise RuntimeError("boom")
