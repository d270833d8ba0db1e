"""Moderators in the admin: removing messages, and the reports queue from report to restore."""

import pytest

from accounts.tokens import personal_token_create
from conversations import services
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
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
    # Kept for moderators, marked, and restorable.
    removed = page.locator("#conversation-messages tr.removed-message").inner_text()
    assert "cheap gold" in removed
    assert "Spam (restorable until" in removed
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


def test_report_remove_restore_through_the_queue_and_both_apis(
    page, log_in, screenshot, moderators_group
):
    moderator = UserFactory(username="moderator", is_staff=True)
    moderator.groups.add(moderators_group)
    # A workspace conversation, reported through the workspace API.
    member = WorkspaceMemberFactory(user__username="poster")
    reader = WorkspaceMemberFactory(workspace=member.workspace, user__username="reader")
    chat = WorkspaceConversationFactory(workspace=member.workspace, title="Lobby")
    for user in (member.user, reader.user):
        ParticipantFactory(conversation=chat, user=user)
    post = {"actor": member.user, "role": Role.MEMBER, "conversation": chat}
    services.message_add(**post, content=f"Hello [Reader](twist-mention://{reader.user.pk})")
    spam = services.message_add(**post, content="Buy cheap gold at https://example.test")
    services.message_add(**post, content="Anyone around?")
    # A campaign conversation, reported through the campaign API.
    player = CampaignMemberFactory(user__username="player")
    campaign = player.campaign
    other = CampaignMemberFactory(campaign=campaign, user__username="bard")
    tavern = CampaignConversationFactory(campaign=campaign, title="Tavern")
    played = services.message_add(
        actor=other.user, role=Role.PLAYER, conversation=tavern, content="<b>Gold</b> for sale"
    )
    as_reader = {"Authorization": f"Bearer {personal_token_create(user=reader.user)}"}
    as_player = {"Authorization": f"Bearer {personal_token_create(user=player.user)}"}
    kanka_messages = (
        f"/api/1.0/campaigns/{campaign.pk}/conversations/{tavern.pk}/conversation_messages"
    )

    reported = page.request.post(
        "/api/v1/conversation_messages/report",
        headers=as_reader,
        data={"id": spam.pk, "reason": "spam", "text": "an advert"},
    )
    assert reported.status == 200
    assert (
        page.request.post(
            f"{kanka_messages}/{played.pk}/report", headers=as_player, data={"reason": "spam"}
        ).status
        == 200
    )

    def twist_ids():
        listed = page.request.get(
            f"/api/v1/conversation_messages/get?conversation_id={chat.pk}", headers=as_reader
        )
        return [m["id"] for m in listed.json()]

    def kanka_ids():
        return [m["id"] for m in page.request.get(kanka_messages, headers=as_player).json()["data"]]

    assert spam.pk in twist_ids()
    assert played.pk in kanka_ids()

    log_in(page, "moderator")
    page.goto("/admin/")
    summary = page.locator("#reports-summary")
    assert "2 reported messages" in summary.inner_text()
    summary.locator("a.button").click()
    page.wait_for_load_state()
    box = page.locator(f"#reported-message-{spam.pk}")
    assert "an advert" in box.inner_text()
    assert "@Reader" in box.inner_text()  # the mention, as readers see it
    assert box.locator("a[href='https://example.test']").count() == 1
    assert page.locator(f"#reported-message-{played.pk}").locator("b").count() == 0
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "admin-reports-queue.png")
    assert box.locator("input[name=reason]").input_value() == "Spam (reported by 1 user)"
    box.locator("button[value=remove]").click()
    page.wait_for_load_state()
    assert "Remove the message: done" in page.locator(".messagelist").inner_text()
    page.locator(f"#reported-message-{played.pk} button[value=remove]").click()
    page.wait_for_load_state()
    assert page.locator("#queue-empty").is_visible()

    assert spam.pk not in twist_ids()
    assert played.pk not in kanka_ids()
    gone = page.request.get(f"/api/v1/conversation_messages/getone?id={spam.pk}", headers=as_reader)
    assert gone.status == 404

    for conversation in (chat, tavern):
        page.goto(f"/admin/conversations/conversation/{conversation.pk}/change/")
        row = page.locator("#conversation-messages tr.removed-message")
        assert "Spam (reported by 1 user)" in row.inner_text()
        if conversation is chat:
            screenshot(page, "admin-conversation-with-removed-message.png")
        row.locator("input[name=_selected_action]").check()
        page.click("#conversation-messages button[value=restore_messages]")
        page.fill("textarea[name=reason]", "Appeal accepted")
        page.click("#moderation-confirm")
        assert "Restored 1 message(s)." in page.locator(".messagelist").inner_text()

    assert spam.pk in twist_ids()
    assert played.pk in kanka_ids()
    again = page.request.get(
        f"/api/v1/conversation_messages/getone?id={spam.pk}", headers=as_reader
    )
    assert (again.json()["obj_index"], again.json()["content"]) == (1, spam.content)

    page.goto("/admin/conversations/conversation/")
    page.fill("#searchbar", "gold")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 2
    screenshot(page, "admin-conversation-list.png")
    # Readable at 1,400 px: every column fits, nothing scrolls sideways.
    assert page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth <= r.clientWidth; })()"
    )
