"""conversation_messages/report and reports/get (Parley extensions) through HTTP."""

import pytest

from conversations.models import Report
from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def test_report_creates_an_open_report(client, as_alice, alice, bob, chat):
    message = post(chat, bob, "Buy gold")

    response = call(
        client, "conversation_messages/report", as_alice, id=message.pk, reason="spam", text="ad"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    report = Report.objects.get()
    assert body == {
        "id": report.pk,
        "message_id": message.pk,
        "conversation_id": chat.pk,
        "reason": "spam",
        "text": "ad",
        "status": "open",
        "created_ts": int(report.created_at.timestamp()),
        "updated_ts": int(report.updated_at.timestamp()),
        "resolved_ts": None,
    }
    assert (report.reporter, report.message) == (alice, message)


def test_reporting_again_updates_the_one_report_and_reopens_it(client, as_alice, bob, chat):
    message = post(chat, bob, "Buy gold")
    call(client, "conversation_messages/report", as_alice, id=message.pk, reason="spam")
    Report.objects.update(status=Report.Status.DISMISSED)

    response = call(
        client,
        "conversation_messages/report",
        as_alice,
        encoding="get",
        id=message.pk,
        reason="abuse",
        text="rude too",
    )

    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.reason, report.text, report.status) == ("abuse", "rude too", "open")


def test_report_of_a_message_one_cannot_see_is_404(
    client, as_alice, other_workspace, eve, workspace, bob, carol
):
    theirs = post(conversation(other_workspace, eve), eve)
    not_mine = post(conversation(workspace, bob, carol), bob)
    before = database_snapshot()

    for message in (theirs, not_mine):
        response = call(
            client, "conversation_messages/report", as_alice, id=message.pk, reason="spam"
        )
        assert_error(response, 404, 125, "Message not found")

    assert database_snapshot() == before


def test_report_with_a_bad_reason_or_none_is_refused(client, as_alice, bob, chat):
    message = post(chat, bob)
    before = database_snapshot()

    bad = call(client, "conversation_messages/report", as_alice, id=message.pk, reason="ugly")
    missing = call(client, "conversation_messages/report", as_alice, id=message.pk)

    assert_error(bad, 400, 20, "Invalid argument value")
    assert_error(missing, 400, 19, "Required argument is missing")
    assert database_snapshot() == before


def test_own_message_cannot_be_reported(client, as_alice, alice, chat):
    message = post(chat, alice)

    response = call(client, "conversation_messages/report", as_alice, id=message.pk, reason="spam")

    assert_error(response, 400, 20, "Invalid argument value")
    assert not Report.objects.exists()


def test_report_needs_a_write_scope(client, bearer, alice, bob, chat):
    message = post(chat, bob)
    read_only = bearer(alice, scopes=["messages:read"])

    response = call(client, "conversation_messages/report", read_only, id=message.pk, reason="spam")

    assert_error(response, 403, 109, "Forbidden")
    assert not Report.objects.exists()


def test_reports_get_lists_only_the_callers_reports_in_the_workspace(
    client, as_alice, as_bob, alice, bob, carol, workspace, chat
):
    first = post(chat, bob, "one")
    second = post(chat, bob, "two")
    mine = post(conversation(workspace, bob, alice, carol), carol, "three")
    for message in (first, second):
        call(client, "conversation_messages/report", as_alice, id=message.pk, reason="spam")
    call(client, "conversation_messages/report", as_bob, id=mine.pk, reason="abuse")

    response = call(client, "reports/get", as_alice, encoding="get", workspace_id=workspace.pk)

    assert response.status_code == 200
    assert [r["message_id"] for r in response.json()] == [second.pk, first.pk]


def test_reports_get_of_another_workspace_is_404(client, as_alice, other_workspace):
    response = call(client, "reports/get", as_alice, workspace_id=other_workspace.pk)

    assert_error(response, 404, 105, "Workspace not found")


def test_report_is_rate_limited_like_other_writes(client, settings, as_alice, bob, chat):
    message = post(chat, bob)
    settings.WORKSPACE_API_RATE_LIMIT = 1
    call(client, "conversation_messages/report", as_alice, id=message.pk, reason="spam")

    response = call(client, "conversation_messages/report", as_alice, id=message.pk, reason="abuse")

    assert_error(response, 429, 429, "Too many requests")
    assert Report.objects.get().reason == "spam"
