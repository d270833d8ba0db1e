import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission

from conversations.models import Conversation, Participant
from tests.factories import (
    CampaignConversationFactory,
    CharacterFactory,
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceFactory,
    moderators_group,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/conversations/conversation/"


def change_url(conversation):
    return f"{CHANGELIST}{conversation.pk}/change/"


def test_moderators_group_has_exactly_the_moderation_permissions():
    group = moderators_group()

    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

    assert granted == {
        "conversations.moderate_conversation",
        "conversations.view_conversation",
        "conversations.view_participant",
        "conversations.view_report",
        "accounts.suspend_user",
        "accounts.view_personalaccesstoken",
        "accounts.revoke_personalaccesstoken",
        "conversations.view_message",
        "accounts.view_user",
        "campaigns.view_campaign",
        "campaigns.view_character",
        "workspaces.view_workspace",
    }


def test_moderator_is_staff_but_not_superuser_and_may_moderate(moderator):
    assert moderator.is_staff
    assert not moderator.is_superuser
    assert moderator.has_perm("conversations.moderate_conversation")
    assert not moderator.has_perm("conversations.change_message")


def test_changelist_shows_scope_counts_and_state(mod_client, conversation_with_messages):
    conversation = conversation_with_messages(messages=3, title="Tavern talk")
    WorkspaceConversationFactory(
        workspace=WorkspaceFactory(name="Night shift"), title="Ops", is_closed=True
    )

    response = mod_client.get(CHANGELIST)

    assert response.status_code == 200
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert rows[conversation.pk].participant_total == 1
    html = response.content.decode()
    assert f"Campaign: {conversation.campaign.name}" in html
    assert "Workspace: Night shift" in html
    for column in ("column-scope", "column-participants", "column-messages"):
        assert column in html
    for column in ("column-last_activity", "column-privacy", "column-state"):
        assert column in html


def test_changelist_searches_titles_and_participant_names(mod_client):
    by_title = CampaignConversationFactory(title="Dragon council")
    by_user = WorkspaceConversationFactory(title="")
    ParticipantFactory(
        conversation=by_user, user=UserFactory(username="zed", display_name="Zedekiah")
    )
    by_character = CampaignConversationFactory(title="Camp")
    character = CharacterFactory(campaign=by_character.campaign, entity__name="Grimbold")
    ParticipantFactory(conversation=by_character, user=None, character=character)
    CampaignConversationFactory(title="Unrelated")

    def found(q):
        response = mod_client.get(CHANGELIST, {"q": q})
        return {c.pk for c in response.context["cl"].result_list}

    assert found("dragon") == {by_title.pk}
    assert found("zedek") == {by_user.pk}
    assert found("grimb") == {by_character.pk}


def test_changelist_filters_by_scope_privacy_closed_and_deleted(mod_client, moderator):
    campaign_conv = CampaignConversationFactory(is_private=True)
    workspace_conv = WorkspaceConversationFactory(is_closed=True)
    deleted = WorkspaceConversationFactory()
    Conversation.objects.filter(pk=deleted.pk).update(deleted_at="2024-01-01T00:00:00Z")

    def found(**params):
        response = mod_client.get(CHANGELIST, params)
        return {c.pk for c in response.context["cl"].result_list}

    assert found(scope="campaign") == {campaign_conv.pk}
    assert found(scope="workspace") == {workspace_conv.pk, deleted.pk}
    assert found(is_private__exact="1") == {campaign_conv.pk}
    assert found(is_closed__exact="1") == {workspace_conv.pk}
    assert found(deleted="yes") == {deleted.pk}
    assert found(deleted="no") == {campaign_conv.pk, workspace_conv.pk}


def _many_conversations(count):
    for _ in range(count):
        conversation = CampaignConversationFactory()
        ParticipantFactory(conversation=conversation, user=UserFactory())
        WorkspaceConversationFactory()


def test_changelist_query_count_does_not_grow_with_rows(mod_client, django_assert_max_num_queries):
    _many_conversations(1)
    with django_assert_max_num_queries(8) as small:
        assert mod_client.get(CHANGELIST).status_code == 200

    _many_conversations(24)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = mod_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 50


def test_conversation_page_shows_newest_messages_window_and_pages_by_key(
    mod_client, conversation_with_messages
):
    conversation = conversation_with_messages(messages=23)

    newest = mod_client.get(change_url(conversation))
    rows = newest.context["message_rows"]
    assert [r["message"].obj_index for r in rows] == list(range(22, 2, -1))
    assert newest.context["older_messages_key"] == 3
    assert newest.context["newer_messages_key"] is None
    assert "?messages_before=3" in newest.content.decode()

    older = mod_client.get(change_url(conversation), {"messages_before": 3})
    assert [r["message"].obj_index for r in older.context["message_rows"]] == [2, 1, 0]
    assert older.context["older_messages_key"] is None
    assert older.context["newer_messages_key"] == 2

    back = mod_client.get(change_url(conversation), {"messages_after": 2})
    assert [r["message"].obj_index for r in back.context["message_rows"]] == list(range(22, 2, -1))


def test_conversation_page_query_count_does_not_grow_with_history(
    mod_client, conversation_with_messages, django_assert_max_num_queries
):
    small = conversation_with_messages(messages=2)
    with django_assert_max_num_queries(20) as captured:
        mod_client.get(change_url(small))

    large = conversation_with_messages(messages=50)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = mod_client.get(change_url(large))
    assert len(response.context["message_rows"]) == 20


def test_conversation_page_pages_participants(mod_client):
    conversation = WorkspaceConversationFactory()
    participants = [ParticipantFactory(conversation=conversation) for _ in range(52)]

    first = mod_client.get(change_url(conversation))
    assert len(first.context["participant_rows"]) == 50
    key = first.context["next_participants_key"]
    assert key == participants[49].pk

    rest = mod_client.get(change_url(conversation), {"participants_after": key})
    assert [r["participant"].pk for r in rest.context["participant_rows"]] == [
        p.pk for p in participants[50:]
    ]
    assert rest.context["next_participants_key"] is None


def test_close_asks_for_a_reason_then_closes_and_logs_it(mod_client, moderator, run_action):
    conversation = CampaignConversationFactory()

    asked = run_action(mod_client, CHANGELIST, "close", [conversation.pk])
    assert asked.status_code == 200
    assert "Close these conversations?" in asked.content.decode()
    conversation.refresh_from_db()
    assert not conversation.is_closed

    done = run_action(mod_client, CHANGELIST, "close", [conversation.pk], reason="Flame war")
    assert done.status_code == 302
    conversation.refresh_from_db()
    assert conversation.is_closed
    entry = LogEntry.objects.get(object_id=str(conversation.pk))
    assert (entry.user, entry.action_flag) == (moderator, CHANGE)
    assert entry.change_message == "Closed the conversation. Reason: Flame war"

    run_action(mod_client, CHANGELIST, "reopen", [conversation.pk], reason="Calmed down")
    conversation.refresh_from_db()
    assert not conversation.is_closed


def test_a_blank_reason_is_refused_and_nothing_changes(mod_client, run_action):
    conversation = CampaignConversationFactory()

    response = run_action(mod_client, CHANGELIST, "close", [conversation.pk], reason="  ")

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    conversation.refresh_from_db()
    assert not conversation.is_closed
    assert not LogEntry.objects.exists()


def test_soft_delete_and_restore(mod_client, moderator, run_action):
    conversation = WorkspaceConversationFactory()

    run_action(mod_client, CHANGELIST, "soft_delete", [conversation.pk], reason="Spam")
    conversation.refresh_from_db()
    assert conversation.deleted_at is not None
    assert conversation.deleted_by == moderator

    run_action(mod_client, CHANGELIST, "restore", [conversation.pk], reason="Appeal upheld")
    conversation.refresh_from_db()
    assert conversation.deleted_at is None
    messages = list(
        LogEntry.objects.filter(object_id=str(conversation.pk))
        .order_by("id")
        .values_list("change_message", flat=True)
    )
    assert messages == [
        "Deleted the conversation. Reason: Spam",
        "Restored the conversation. Reason: Appeal upheld",
    ]


def test_moderation_from_the_conversation_page_returns_there(mod_client, run_action):
    conversation = CampaignConversationFactory()
    page = change_url(conversation)

    response = run_action(mod_client, CHANGELIST, "close", [conversation.pk], reason="x", next=page)

    assert response.status_code == 302
    assert response.url == page


def test_an_offsite_next_is_ignored(mod_client, run_action):
    conversation = CampaignConversationFactory()

    response = run_action(
        mod_client, CHANGELIST, "close", [conversation.pk], reason="x", next="https://evil.example/"
    )

    assert response.status_code == 302
    assert response.url == CHANGELIST


def test_conversations_are_read_only_even_for_superusers(admin_client):
    conversation = CampaignConversationFactory(title="Before")

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.post(change_url(conversation), {"title": "After"}).status_code == 403
    assert admin_client.post(f"{CHANGELIST}{conversation.pk}/delete/").status_code == 403
    actions = admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions)
    conversation.refresh_from_db()
    assert conversation.title == "Before"
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_staff_without_the_moderation_permission_cannot_moderate(client, run_action):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    client.force_login(viewer)
    conversation = CampaignConversationFactory()

    page = client.get(CHANGELIST)
    run_action(client, CHANGELIST, "close", [conversation.pk], reason="x")

    assert page.status_code == 200
    assert "action_form" not in page.context or page.context["action_form"] is None
    conversation.refresh_from_db()
    assert not conversation.is_closed
    assert not LogEntry.objects.exists()


def test_remove_participant_logs_on_participant_and_conversation(mod_client, moderator, run_action):
    conversation = WorkspaceConversationFactory()
    keep = ParticipantFactory(conversation=conversation)
    gone = ParticipantFactory(conversation=conversation, user__username="troll")

    response = run_action(
        mod_client,
        "/admin/conversations/participant/",
        "remove_participants",
        [gone.pk],
        reason="Harassment",
    )

    assert response.status_code == 302
    assert list(Participant.objects.filter(conversation=conversation)) == [keep]
    entries = LogEntry.objects.filter(user=moderator).values_list("object_id", "change_message")
    note = "Removed participant Troll (troll). Reason: Harassment"
    assert set(entries) == {(str(gone.pk), note), (str(conversation.pk), note)}


def test_participant_count_stays_right_when_a_search_matches_participants(mod_client):
    conversation = WorkspaceConversationFactory(title="Launch")
    for name in ("ann", "anna", "annette"):
        ParticipantFactory(conversation=conversation, user__username=name)

    for q in ("launch", "ann"):
        response = mod_client.get(CHANGELIST, {"q": q})
        [row] = response.context["cl"].result_list
        assert row.participant_total == 3, q
