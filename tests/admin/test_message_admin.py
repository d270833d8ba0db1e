import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from conversations import exceptions, services
from conversations.models import Message
from conversations.policy import Role
from conversations.services import removal
from tests.factories import (
    CharacterFactory,
    MessageFactory,
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/conversations/message/"


def test_message_list_searches_content_and_author(mod_client, conversation_with_messages):
    conversation = conversation_with_messages(messages=2)
    needle = MessageFactory(conversation=conversation, content="buy cheap gold here")
    by_author = MessageFactory(
        conversation=conversation,
        created_by=UserFactory(username="spammer", display_name="Sp Ammer"),
    )
    character = CharacterFactory(campaign=conversation.campaign, entity__name="Vex")
    as_character = MessageFactory(conversation=conversation, author_character=character)

    def found(q):
        return {m.pk for m in mod_client.get(CHANGELIST, {"q": q}).context["cl"].result_list}

    assert found("cheap gold") == {needle.pk}
    assert found("spammer") == {by_author.pk}
    assert found("vex") == {as_character.pk}


def test_message_list_query_count_does_not_grow_with_rows(
    mod_client, conversation_with_messages, django_assert_max_num_queries
):
    conversation_with_messages(messages=2)
    with django_assert_max_num_queries(8) as small:
        assert mod_client.get(CHANGELIST).status_code == 200

    conversation_with_messages(messages=48)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = mod_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 50


def test_remove_messages_asks_for_a_reason_first(
    mod_client, conversation_with_messages, run_action
):
    conversation = conversation_with_messages(messages=2)
    message = conversation.messages.get(obj_index=1)

    asked = run_action(mod_client, CHANGELIST, "remove_messages", [message.pk])

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "they can be restored for 30 days" in html
    assert "line 1" in html
    assert 'name="reason"' in html
    assert Message.objects.filter(pk=message.pk).exists()


def test_remove_messages_without_a_reason_removes_nothing(
    mod_client, conversation_with_messages, run_action
):
    conversation = conversation_with_messages(messages=2)
    message = conversation.messages.get(obj_index=1)

    response = run_action(mod_client, CHANGELIST, "remove_messages", [message.pk], reason="")

    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert Message.objects.filter(pk=message.pk).exists()


def test_remove_messages_goes_through_the_domain_and_is_logged(
    mod_client, moderator, conversation_with_messages, run_action
):
    conversation = conversation_with_messages(messages=3)
    newest = conversation.messages.get(obj_index=2)
    author = newest.author_user.username

    response = run_action(mod_client, CHANGELIST, "remove_messages", [newest.pk], reason="Doxxing")

    assert response.status_code == 302
    assert not Message.objects.filter(pk=newest.pk).exists()
    kept = Message.all_objects.get(pk=newest.pk)
    assert (kept.removed_by, kept.removal_reason, kept.content) == (moderator, "Doxxing", "line 2")
    conversation.refresh_from_db()
    assert (conversation.message_count, conversation.last_obj_index) == (2, 2)
    assert conversation.last_message.obj_index == 1
    note = f"Removed message #2 by {author}. Reason: Doxxing"
    entries = LogEntry.objects.filter(user=moderator)
    assert {
        (e.content_type.model, e.object_id, e.action_flag, e.change_message) for e in entries
    } == {
        ("message", str(newest.pk), CHANGE, note),
        ("conversation", str(conversation.pk), CHANGE, note),
    }


def test_messages_can_be_removed_from_the_conversation_page(
    mod_client, conversation_with_messages, run_action
):
    conversation = conversation_with_messages(messages=2)
    page = f"/admin/conversations/conversation/{conversation.pk}/change/"
    ids = list(conversation.messages.values_list("pk", flat=True))

    html = mod_client.get(page).content.decode()
    response = run_action(
        mod_client, CHANGELIST, "remove_messages", ids, reason="Off topic", next=page
    )

    assert 'action="/admin/conversations/message/"' in html
    assert 'value="remove_messages"' in html
    assert response.url == page
    assert not conversation.messages.exists()


def test_message_content_cannot_be_edited_or_deleted_in_the_admin(
    admin_client, conversation_with_messages
):
    message = conversation_with_messages(messages=1).messages.get()

    edit = admin_client.post(f"{CHANGELIST}{message.pk}/change/", {"content": "rewritten"})
    delete = admin_client.post(f"{CHANGELIST}{message.pk}/delete/", {"post": "yes"})

    assert (edit.status_code, delete.status_code) == (403, 403)
    message.refresh_from_db()
    assert message.content == "line 0"


def test_a_removed_message_is_gone_from_the_campaign_api(
    mod_client, client, bearer, conversation_with_messages, run_action
):
    conversation = conversation_with_messages(messages=2)
    reader = conversation.participants.get().user
    removed, kept = conversation.messages.order_by("-obj_index")
    url = (
        f"/api/1.0/campaigns/{conversation.campaign_id}/conversations/"
        f"{conversation.pk}/conversation_messages"
    )

    def listed_ids():
        response = client.get(url, **bearer(reader))
        assert response.status_code == 200
        return [m["id"] for m in response.json()["data"]]

    assert sorted(listed_ids()) == sorted([removed.pk, kept.pk])
    run_action(mod_client, CHANGELIST, "remove_messages", [removed.pk], reason="Spoilers")

    assert listed_ids() == [kept.pk]


def test_a_removed_message_is_gone_from_the_workspace_api(mod_client, client, bearer, run_action):
    member = WorkspaceMemberFactory()
    conversation = WorkspaceConversationFactory(workspace=member.workspace)
    ParticipantFactory(conversation=conversation, user=member.user)
    post = {"actor": member.user, "role": Role.MEMBER, "conversation": conversation}
    kept = services.message_add(**post, content="kept")
    removed = services.message_add(**post, content="removed")
    as_member = bearer(member.user)

    def listed():
        listing = client.get(
            "/api/v1/conversation_messages/get", {"conversation_id": conversation.pk}, **as_member
        )
        getone = client.get("/api/v1/conversations/getone", {"id": conversation.pk}, **as_member)
        return [m["id"] for m in listing.json()], getone.json()["last_message"]["id"]

    assert listed() == ([removed.pk, kept.pk], removed.pk)
    run_action(mod_client, CHANGELIST, "remove_messages", [removed.pk], reason="Spam")

    assert listed() == ([kept.pk], kept.pk)
    gone = client.get("/api/v1/conversation_messages/getone", {"id": removed.pk}, **as_member)
    assert (gone.status_code, gone.json()["error_code"]) == (404, 125)


def test_a_domain_error_during_removal_is_an_error_message_not_a_500(
    mod_client, conversation_with_messages, run_action, monkeypatch
):
    conversation = conversation_with_messages(messages=2)
    message = conversation.messages.get(obj_index=1)

    def removed_meanwhile(**kwargs):
        # What the service raises when another moderator removed it first.
        raise exceptions.MessageNotFound()

    monkeypatch.setattr(removal, "message_hide", removed_meanwhile)
    response = run_action(mod_client, CHANGELIST, "remove_messages", [message.pk], reason="Spam")

    assert response.status_code == 302
    shown = [str(m) for m in mod_client.get(response.url).context["messages"]]
    assert shown == ["Stopped: Not found"]
    assert not LogEntry.objects.exists()
