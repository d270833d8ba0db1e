"""Suspension: tokens only read (writes are each dialect's 403), sessions end; lifting restores."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from accounts import services as account_services
from conversations import moderation
from conversations.models import Message
from tests.dbstate import database_snapshot
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
    moderators_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def member():
    member = WorkspaceMemberFactory()
    conversation = WorkspaceConversationFactory(workspace=member.workspace)
    ParticipantFactory(conversation=conversation, user=member.user)
    member.conversation = conversation
    return member


def twist_add(client, headers, conversation):
    return client.post(
        "/api/v1/conversation_messages/add",
        {"conversation_id": conversation.pk, "content": "hi"},
        **headers,
    )


def test_suspended_users_workspace_writes_are_403_and_reads_work(client, bearer, member, moderator):
    headers = bearer(member.user)
    moderation.users_suspend(moderator=moderator, users=[member.user], reason="Spam")
    before = database_snapshot()

    write = twist_add(client, headers, member.conversation)
    read = client.get("/api/v1/conversations/getone", {"id": member.conversation.pk}, **headers)
    me = client.get("/api/v1/users/get_session_user", **headers)

    assert write.status_code == 403
    assert (write.json()["error_code"], write.json()["error_string"]) == (109, "Forbidden")
    assert database_snapshot() == before
    assert read.status_code == 200
    assert me.json()["removed"] is True


def test_suspended_users_campaign_writes_are_403_with_the_reason(client, bearer, moderator):
    player = CampaignMemberFactory().user
    conversation = CampaignConversationFactory(campaign=player.campaign_memberships.get().campaign)
    ParticipantFactory(conversation=conversation, user=player)
    headers = bearer(player)
    until = timezone.now() + timedelta(days=3)
    moderation.users_suspend(moderator=moderator, users=[player], reason="Abuse", until=until)
    url = (
        f"/api/1.0/campaigns/{conversation.campaign_id}/conversations/{conversation.pk}"
        "/conversation_messages"
    )

    write = client.post(url, {"message": "hi"}, content_type="application/json", **headers)
    read = client.get(url, **headers)

    assert write.status_code == 403
    assert write.json() == {
        "code": 403,
        "error": f"This account is suspended until {until:%Y-%m-%d %H:%M} UTC.",
    }
    assert read.status_code == 200
    assert not Message.objects.exists()


def test_lifting_the_suspension_restores_writes_and_is_logged(client, bearer, member, moderator):
    headers = bearer(member.user)
    moderation.users_suspend(moderator=moderator, users=[member.user], reason="Spam")

    moderation.users_unsuspend(moderator=moderator, users=[member.user], reason="Appeal accepted")

    assert twist_add(client, headers, member.conversation).status_code == 200
    assert list(
        LogEntry.objects.filter(object_id=str(member.user.pk)).values_list(
            "change_message", flat=True
        )
    ) == ["Lifted the suspension. Reason: Appeal accepted", "Suspended. Reason: Spam"]


def test_a_suspension_past_its_end_is_over(client, bearer, member):
    headers = bearer(member.user)
    account_services.user_suspend(
        user=member.user, reason="Spam", until=timezone.now() + timedelta(seconds=30)
    )
    type(member.user).objects.filter(pk=member.user.pk).update(
        suspended_until=timezone.now() - timedelta(seconds=1)
    )

    assert twist_add(client, headers, member.conversation).status_code == 200


def test_suspension_ends_sessions_and_refuses_login(client, member, moderator):
    user = member.user
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200

    moderation.users_suspend(moderator=moderator, users=[user], reason="Compromised")

    assert client.get("/admin/").status_code == 302
    assert not client.login(username=user.username, password="secret-pass")


def test_a_session_is_refused_even_without_the_session_row_deleted(client, member):
    user = member.user
    user.is_staff = True
    user.save()
    client.force_login(user)
    type(user).objects.filter(pk=user.pk).update(suspended_at=timezone.now())

    assert client.get("/admin/").status_code == 302


def test_moderators_suspend_from_the_user_admin_with_a_reason(client, member, moderator):
    client.force_login(moderator)
    url = "/admin/accounts/user/"
    data = {"action": "suspend", "_selected_action": [member.user.pk]}

    asked = client.post(url, {**data, "index": "0"})
    done = client.post(url, {**data, "confirm": "yes", "reason": "Spam", "until": ""})

    assert 'name="until"' in asked.content.decode()
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert (member.user.is_suspended, member.user.suspension_reason) == (True, "Spam")
