"""A moderator removes a message in the admin, and the APIs stop returning it."""

import pytest

from accounts.tokens import personal_token_create
from conversations import services
from conversations.policy import Role
from tests.factories import (
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.browser


def test_moderator_finds_a_message_by_content_and_removes_it_with_a_reason(
    page, log_in, screenshot, moderators_group
):
    moderator = UserFactory(username="moderator", is_staff=True)
    moderator.groups.add(moderators_group)
    member = WorkspaceMemberFactory(user__username="poster")
    conversation = WorkspaceConversationFactory(workspace=member.workspace, title="Lobby")
    ParticipantFactory(conversation=conversation, user=member.user)
    post = {"actor": member.user, "role": Role.MEMBER, "conversation": conversation}
    services.message_add(**post, content="Welcome, everyone")
    spam = services.message_add(**post, content="Buy cheap gold at example.test")
    headers = {"Authorization": f"Bearer {personal_token_create(user=member.user)}"}
    getone = f"/api/v1/conversation_messages/getone?id={spam.pk}"
    assert page.request.get(getone, headers=headers).status == 200

    log_in(page, "moderator")
    page.goto("/admin/conversations/message/")
    page.fill("#searchbar", "cheap gold")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    rows.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "remove_messages")
    page.click("button[name=index]")
    page.fill("textarea[name=reason]", "Spam")
    page.click("#moderation-confirm")

    assert "Removed 1 message(s)." in page.locator(".messagelist").inner_text()
    page.goto(f"/admin/conversations/conversation/{conversation.pk}/change/")
    messages = page.locator("#conversation-messages").inner_text()
    assert "Welcome, everyone" in messages
    assert "cheap gold" not in messages
    page.goto(f"/admin/conversations/conversation/{conversation.pk}/history/")
    assert "Reason: Spam" in page.locator("#change-history").inner_text()
    page.goto(f"/admin/conversations/conversation/{conversation.pk}/change/")
    # The moderation boxes sit below the (floated) fields, not painted behind them.
    fields = page.locator("#conversation_form").bounding_box()
    moderation = page.locator("#conversation-moderation").bounding_box()
    assert moderation["y"] >= fields["y"] + fields["height"]
    screenshot(page, "admin-conversation.png")

    gone = page.request.get(getone, headers=headers)
    assert gone.status == 404
    assert gone.json()["error_code"] == 125
