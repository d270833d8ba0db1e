"""Webhook management in the Twist dialect, and a signed workspace delivery."""

import json

import pytest
from django.core.management import call_command
from standardwebhooks.webhooks import Webhook as StandardWebhook

from events.models import Webhook
from tests.events.test_webhooks import by_hand, receiver_factory  # noqa: F401 (fixture)
from tests.factories import (
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db(transaction=True)


def call(client, bearer, user, method, **params):
    return client.post(
        f"/api/v3/{method}", json.dumps(params), content_type="application/json", **bearer(user)
    )


@pytest.fixture
def setup():
    conversation = WorkspaceConversationFactory()
    boss = WorkspaceMemberFactory(
        workspace=conversation.workspace, user=UserFactory(), role=WorkspaceMember.Role.ADMIN
    ).user
    ParticipantFactory(conversation=conversation, user=boss)
    return conversation.workspace, conversation, boss


def test_subscribe_is_201_with_the_secret_then_200_for_a_known_url(client, bearer, setup):
    workspace, _, boss = setup
    url = "https://hooks.example.com/t"
    first = call(
        client,
        bearer,
        boss,
        "hooks/subscribe",
        workspace_id=workspace.pk,
        target_url=url,
        event_type="message_added",
    )
    assert first.status_code == 201
    body = first.json()
    assert body["event_types"] == ["conversation_message.added"]
    assert body["secret"].startswith("whsec_")
    again = call(
        client,
        bearer,
        boss,
        "hooks/subscribe",
        workspace_id=workspace.pk,
        target_url=url,
        event="message_deleted",
    )
    assert again.status_code == 200
    assert "secret" not in again.json()
    assert again.json()["event_types"] == [
        "conversation_message.added",
        "conversation_message.removed",
    ]
    listed = call(client, bearer, boss, "hooks/get", workspace_id=workspace.pk).json()
    assert [h["id"] for h in listed] == [body["id"]]
    gone = call(client, bearer, boss, "hooks/unsubscribe", target_url=url)
    assert gone.json() == {"status": "ok"}
    assert not Webhook.objects.exists()


def test_a_member_who_is_not_admin_gets_109(client, bearer, setup):
    workspace, conversation, _ = setup
    member = ParticipantFactory(conversation=conversation).user
    response = call(
        client,
        bearer,
        member,
        "hooks/subscribe",
        workspace_id=workspace.pk,
        target_url="https://hooks.example.com/t",
        event_type="message_added",
    )
    assert (response.status_code, response.json()["error_code"]) == (403, 109)
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"target_url": "http://hooks.example.com/t", "event_type": "message_added"}, "target_url"),
        ({"target_url": "https://hooks.example.com/t", "event_type": "nope"}, "event_type"),
        (
            # A conversation of another workspace (or none) is no filter of this one's hook.
            {
                "target_url": "https://hooks.example.com/t",
                "event": "message_added",
                "conversation_id": 0,
            },
            "conversation_id",
        ),
    ],
)
def test_bad_subscriptions_are_code_20_naming_the_argument(client, bearer, setup, params, argument):
    workspace, _, boss = setup
    response = call(client, bearer, boss, "hooks/subscribe", workspace_id=workspace.pk, **params)
    body = response.json()
    assert (response.status_code, body["error_code"], body["error_extra"]) == (
        400,
        20,
        {"argument": argument},
    )
    assert not Webhook.objects.exists()


def test_update_refuses_another_workspaces_conversation_and_changes_nothing(client, bearer, setup):
    workspace, conversation, boss = setup
    hook = call(
        client,
        bearer,
        boss,
        "hooks/subscribe",
        workspace_id=workspace.pk,
        target_url="https://hooks.example.com/t",
        event="message_added",
        conversation_id=conversation.pk,
    ).json()
    elsewhere = WorkspaceConversationFactory()

    response = call(
        client, bearer, boss, "hooks/update", id=hook["id"], conversation_id=elsewhere.pk
    )

    assert (response.status_code, response.json()["error_extra"]) == (
        400,
        {"argument": "conversation_id"},
    )
    assert Webhook.objects.get().conversation_id == conversation.pk
    cleared = call(client, bearer, boss, "hooks/update", id=hook["id"], conversation_id=None)
    assert cleared.json()["conversation_id"] is None


def delivered(client, bearer, setup, receiver, content):
    """Subscribe the workspace admin's hook to `receiver`, post `content`, run the worker:
    the hook, the posted message and the verified delivery's headers and body."""
    workspace, conversation, boss = setup
    hook = call(
        client,
        bearer,
        boss,
        "hooks/subscribe",
        workspace_id=workspace.pk,
        target_url=receiver.url,
        event_type="message_added",
    ).json()
    posted = call(
        client,
        bearer,
        boss,
        "conversation_messages/add",
        conversation_id=conversation.pk,
        content=content,
    ).json()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    headers, body = receiver.requests[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert by_hand(hook["secret"], headers, body)
    StandardWebhook(hook["secret"]).verify(body, headers)
    return posted, headers, json.loads(body)


def test_a_workspace_delivery_is_the_bare_object_signed(client, bearer, setup, receiver_factory):  # noqa: F811
    posted, headers, body = delivered(client, bearer, setup, receiver_factory(), "Hi")

    assert body == posted
    assert "parley-payload" not in headers


def test_a_workspace_body_over_the_size_cap_is_the_tombstone_flagged_by_header(
    client,
    bearer,
    setup,
    receiver_factory,  # noqa: F811
    settings,
):
    settings.PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES = 300
    workspace, conversation, _ = setup

    posted, headers, body = delivered(client, bearer, setup, receiver_factory(), "x" * 400)

    assert headers["parley-payload"] == "thin"
    assert body == {
        "id": posted["id"],
        "conversation_id": conversation.pk,
        "workspace_id": workspace.pk,
        "obj_index": posted["obj_index"],
    }
