"""The reports queue: grouped by message, rendered in context, one click per action."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group

from conversations.models import Message, Participant, Report
from conversations.services.reports import report_submit
from tests.factories import CampaignMemberFactory, UserFactory, moderators_group

pytestmark = pytest.mark.django_db

QUEUE = "/admin/conversations/report/"
ACT = "/admin/conversations/report/act/"


@pytest.fixture
def reported(conversation_with_messages):
    """Message #2 of five, reported by two members (spam twice) — plus who posted it."""
    conversation = conversation_with_messages(messages=5)
    message = conversation.messages.get(obj_index=2)
    for text in ("ad", ""):
        reporter = CampaignMemberFactory(campaign=conversation.campaign).user
        report_submit(reporter=reporter, message=message, reason="spam", text=text)
    return message


def items(response):
    return response.context["items"]


def test_queue_groups_open_reports_by_message_with_context(mod_client, reported):
    response = mod_client.get(QUEUE)

    assert response.status_code == 200
    [item] = items(response)
    assert (item["message"].pk, item["count"], item["reasons"]) == (reported.pk, 2, [("Spam", 2)])
    assert [line["obj_index"] for line in item["context"]] == [0, 1, 2, 3, 4]
    assert [line["reported"] for line in item["context"]] == [False, False, True, False, False]
    assert item["reason"] == "Spam (reported by 2 users)"
    html = response.content.decode()
    assert "“ad”" in html
    assert 'value="Spam (reported by 2 users)"' in html


def test_queue_shows_the_most_reported_message_first(mod_client, reported):
    other = reported.conversation.messages.get(obj_index=4)
    report_submit(reporter=UserFactory(), message=other, reason="abuse")

    assert [item["message"].pk for item in items(mod_client.get(QUEUE))] == [reported.pk, other.pk]


def test_context_is_a_few_messages_never_the_whole_conversation(
    mod_client, conversation_with_messages
):
    conversation = conversation_with_messages(messages=30)
    message = conversation.messages.get(obj_index=15)
    report_submit(reporter=UserFactory(), message=message, reason="other")

    [item] = items(mod_client.get(QUEUE))

    assert [line["obj_index"] for line in item["context"]] == [13, 14, 15, 16, 17]


def test_the_index_starts_with_the_queue(mod_client, reported):
    response = mod_client.get("/admin/")

    html = response.content.decode()
    assert response.context["open_reports"] == 1
    assert html.index("reports-summary") < html.index("app-conversations")
    assert "<title>Moderation | Parley admin</title>" in html
    assert "Parley moderation" in html
    assert "oauth2_provider" not in html


def test_oauth_tables_are_listed_for_superusers(admin_client):
    assert "oauth2_provider" in admin_client.get("/admin/").content.decode()


def test_remove_from_the_queue_hides_the_message_and_resolves_its_reports(
    mod_client, moderator, reported
):
    response = mod_client.post(ACT, {"message": reported.pk, "action": "remove", "reason": "Spam"})

    assert response.status_code == 302
    assert not Message.objects.filter(pk=reported.pk).exists()
    assert Message.all_objects.get(pk=reported.pk).removal_reason == "Spam"
    assert set(Report.objects.values_list("status", "resolved_by")) == {("resolved", moderator.pk)}
    assert items(mod_client.get(QUEUE)) == []
    notes = set(LogEntry.objects.values_list("change_message", flat=True))
    assert notes == {f"Removed message #2 by {reported.author_user.username}. Reason: Spam"}


def test_dismiss_keeps_the_message_and_closes_its_reports(mod_client, reported):
    mod_client.post(ACT, {"message": reported.pk, "action": "dismiss", "reason": "Not spam"})

    assert Message.objects.filter(pk=reported.pk).exists()
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert LogEntry.objects.get(content_type__model="message").change_message == (
        "Dismissed the reports of message #2. Reason: Not spam"
    )


def test_remove_author_from_the_conversation(mod_client, reported):
    author = reported.created_by

    mod_client.post(ACT, {"message": reported.pk, "action": "remove_author", "reason": "Troll"})

    assert not Participant.objects.filter(conversation=reported.conversation, user=author).exists()
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}


def test_suspend_author_until_a_day(mod_client, reported):
    until = datetime.now(tz=UTC).date() + timedelta(days=7)

    mod_client.post(
        ACT,
        {"message": reported.pk, "action": "suspend_author", "reason": "Spam", "until": until},
    )

    author = type(reported.created_by).objects.get(pk=reported.created_by_id)
    assert author.is_suspended
    assert (author.suspended_until.date(), author.suspension_reason) == (until, "Spam")
    assert LogEntry.objects.filter(object_id=str(author.pk), content_type__model="user").exists()


def test_an_action_without_a_reason_does_nothing(mod_client, reported):
    response = mod_client.post(ACT, {"message": reported.pk, "action": "remove", "reason": ""})

    assert response.status_code == 302
    assert Message.objects.filter(pk=reported.pk).exists()
    assert set(Report.objects.values_list("status", flat=True)) == {"open"}


def test_staff_without_the_moderators_group_cannot_act(client, reported):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    assert client.get(QUEUE).status_code == 403
    assert (
        client.post(ACT, {"message": reported.pk, "action": "remove", "reason": "x"}).status_code
        == 403
    )
    assert Message.objects.filter(pk=reported.pk).exists()


def test_moderator_without_suspend_permission_sees_no_suspend_button(client, reported):
    limited = Group.objects.create(name="Queue only")
    limited.permissions.set(moderators_group().permissions.exclude(codename="suspend_user"))
    user = UserFactory(is_staff=True)
    user.groups.add(limited)
    client.force_login(user)

    html = client.get(QUEUE).content.decode()
    client.post(ACT, {"message": reported.pk, "action": "suspend_author", "reason": "x"})

    assert 'value="suspend_author"' not in html
    assert not reported.created_by.__class__.objects.get(pk=reported.created_by_id).is_suspended


@pytest.mark.parametrize("size", [2, 50])
def test_queue_query_count_does_not_grow_with_reports(
    mod_client, conversation_with_messages, django_assert_max_num_queries, size
):
    conversation = conversation_with_messages(messages=size)
    reporter = CampaignMemberFactory(campaign=conversation.campaign).user
    for message in conversation.messages.all():
        report_submit(reporter=reporter, message=message, reason="spam")
    mod_client.get(QUEUE)  # the session and permissions, loaded once

    # session, user, permissions (2), page of messages, their reports, their context
    with django_assert_max_num_queries(8):
        response = mod_client.get(QUEUE)

    assert len(items(response)) == min(size, 20)
