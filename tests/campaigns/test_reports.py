"""`…/conversation_messages/{m}/report` and `/campaigns/{c}/reports` (Parley extensions)."""

import pytest

from conversations.models import Report
from tests.campaigns.conftest import add_message
from tests.dbstate import database_snapshot
from tests.factories import CampaignConversationFactory

pytestmark = pytest.mark.django_db


def report_url(message):
    conversation = message.conversation
    return (
        f"campaigns/{conversation.campaign_id}/conversations/{conversation.pk}"
        f"/conversation_messages/{message.pk}/report"
    )


def test_report_answers_the_report_in_a_data_envelope(api, admin, player, conversation):
    message = add_message(conversation, admin, "Rude words")

    response = api("post", report_url(message), player, {"reason": "abuse", "text": "insult"})

    assert response.status_code == 200, response.content
    report = Report.objects.get()
    data = response.json()["data"]
    assert list(data) == [
        "id", "conversation_id", "message_id", "reason", "text", "status", "created_at",
        "updated_at", "resolved_at",
    ]  # fmt: skip
    assert (data["id"], data["message_id"], data["conversation_id"]) == (
        report.pk,
        message.pk,
        conversation.pk,
    )
    assert (data["reason"], data["text"], data["status"], data["resolved_at"]) == (
        "abuse",
        "insult",
        "open",
        None,
    )
    assert report.reporter == player


def test_reporting_again_updates_the_one_report(api, admin, player, conversation):
    message = add_message(conversation, admin)
    api("post", report_url(message), player, {"reason": "spam"})

    api("post", report_url(message), player, {"reason": "other", "text": "changed my mind"})

    report = Report.objects.get()
    assert (report.reason, report.text) == ("other", "changed my mind")


def test_report_of_a_private_conversation_message_is_404_for_a_player(api, campaign, admin, player):
    private = CampaignConversationFactory(campaign=campaign, is_private=True)
    message = add_message(private, admin)
    api.auth(player)
    before = database_snapshot()

    response = api("post", report_url(message), player, {"reason": "spam"})

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": f"No query results for model [App\\Models\\Conversation] {private.pk}",
    }
    assert database_snapshot() == before


def test_report_of_a_message_of_another_conversation_is_404(
    api, campaign, admin, player, conversation
):
    other = CampaignConversationFactory(campaign=campaign)
    message = add_message(other, admin)
    url = (
        f"campaigns/{campaign.pk}/conversations/{conversation.pk}"
        f"/conversation_messages/{message.pk}/report"
    )

    response = api("post", url, player, {"reason": "spam"})

    assert response.json() == {
        "code": 404,
        "error": f"No query results for model [App\\Models\\ConversationMessage] {message.pk}",
    }
    assert not Report.objects.exists()


def test_report_with_a_bad_reason_is_422(api, admin, player, conversation):
    message = add_message(conversation, admin)
    api.auth(player)
    before = database_snapshot()

    response = api("post", report_url(message), player, {"reason": "ugly"})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The selected reason is invalid.",
        "fields": {"reason": ["The selected reason is invalid."]},
    }
    assert database_snapshot() == before


def test_report_of_other_campaign_is_404(api, player):
    message = add_message(CampaignConversationFactory(), player)

    response = api("post", report_url(message), player, {"reason": "spam"})

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": "No query results for model [App\\Models\\Campaign].",
    }


def test_reports_list_pages_the_callers_own_reports(api, campaign, admin, player, conversation):
    first = add_message(conversation, admin, "one")
    second = add_message(conversation, admin, "two")
    for message in (first, second):
        api("post", report_url(message), player, {"reason": "spam"})
    api("post", report_url(add_message(conversation, player)), admin, {"reason": "spam"})

    body = api("get", f"campaigns/{campaign.pk}/reports", player).json()

    assert [r["message_id"] for r in body["data"]] == [second.pk, first.pk]
    assert body["meta"]["total"] == 2


def test_report_is_rate_limited_like_other_writes(api, settings, admin, player, conversation):
    message = add_message(conversation, admin)
    settings.CAMPAIGN_API_RATE_LIMIT = 1
    api("post", report_url(message), player, {"reason": "spam"})

    response = api("post", report_url(message), player, {"reason": "abuse"})

    assert response.status_code == 429
    assert Report.objects.get().reason == "spam"
