"""A Python client generated from /api/schema/ (openapi-python-client) calls both dialects.

What an integrator does first: generate a client and call the API with it.
The client parses every answer into its models, so a schema that disagrees
with the server fails here. Generated once per module into a temporary
folder; select these tests with `-m generated_client`.
"""

import importlib
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from accounts.tokens import personal_token_create
from campaigns.models import CampaignMember
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    UserFactory,
    WorkspaceMemberFactory,
)

pytestmark = [pytest.mark.generated_client, pytest.mark.django_db(transaction=True)]

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "parley_client"


@pytest.fixture(scope="module")
def client_package(live_server, tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("generated-client")
    schema = folder / "schema.json"
    url = f"{live_server.url}/api/schema/?format=json"
    # The schema reads no rows, but the server thread checks its connection per request.
    with django_db_blocker.unblock(), urllib.request.urlopen(url, timeout=30) as answer:
        schema.write_bytes(answer.read())
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: the code is only imported
    command = [GENERATOR, "generate", "--path", schema, "--meta", "none", "--config", config]
    result = subprocess.run(
        [*command, "--output-path", folder / PACKAGE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The generator reports what it could not understand as warnings and leaves it out.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def api(package, name: str):
    """`api(package, "campaign_conversations.kanka_conversations_list")`: a generated operation."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def model(package, name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def connect(package, live_server, user):
    return package.AuthenticatedClient(
        base_url=live_server.url,
        token=personal_token_create(user=user),
        raise_on_unexpected_status=True,
    )


def test_the_campaign_api_through_the_generated_client(client_package, live_server):
    member = CampaignMemberFactory(role=CampaignMember.Role.ADMIN, user__display_name="Gwen")
    existing = CampaignConversationFactory(campaign=member.campaign, title="Old news")
    client = connect(client_package, live_server, member.user)
    campaign_id = member.campaign_id

    profile = api(client_package, "campaigns.kanka_profile_get").sync(client=client)
    created = api(client_package, "campaign_conversations.kanka_conversations_create").sync(
        campaign_id,
        client=client,
        body=model(client_package, "ConversationInput")(name="Loot split"),
    )
    page = api(client_package, "campaign_conversations.kanka_conversations_list").sync(
        campaign_id, client=client, per_page=1
    )
    message = api(
        client_package, "campaign_conversation_messages.kanka_conversation_messages_create"
    ).sync(
        campaign_id,
        created.data.id,
        client=client,
        body=model(client_package, "MessageInput")(message="Who has the gold?"),
    )
    missing = api(client_package, "campaign_conversations.kanka_conversations_get").sync(
        campaign_id, 10**9, client=client
    )

    assert (profile.data.id, profile.data.name) == (member.user_id, "Gwen")
    assert created.data.name == "Loot split"
    assert ([c.id for c in page.data], page.meta.total) == ([existing.pk], 2)
    assert (message.data.message, message.data.conversation_id) == (
        "Who has the gold?",
        created.data.id,
    )
    assert (missing.code, missing.error) == (
        404,
        f"No query results for model [App\\Models\\Conversation] {10**9}",
    )


def test_the_workspace_api_through_the_generated_client(client_package, live_server):
    alice = WorkspaceMemberFactory(user=UserFactory(username="alice"))
    bob = WorkspaceMemberFactory(workspace=alice.workspace, user=UserFactory(username="bob"))
    client = connect(client_package, live_server, alice.user)

    me = api(client_package, "workspace_users.twist_users_get_session_user").sync(client=client)
    conversation = api(
        client_package, "workspace_conversations.twist_conversations_get_or_create"
    ).sync(
        client=client,
        body=model(client_package, "TwistGetOrCreateInput")(
            workspace_id=alice.workspace_id, user_ids=[bob.user_id]
        ),
    )
    added = api(
        client_package, "workspace_conversation_messages.twist_conversation_messages_add"
    ).sync(
        client=client,
        body=model(client_package, "TwistMessageAddInput")(
            conversation_id=conversation.id, content="Hi Bob!"
        ),
    )
    history = api(
        client_package, "workspace_conversation_messages.twist_conversation_messages_get"
    ).sync(
        client=client,
        body=model(client_package, "TwistMessagesGetInput")(conversation_id=conversation.id),
    )
    missing = api(client_package, "workspace_conversations.twist_conversations_getone").sync(
        client=client, body=model(client_package, "TwistIdInput")(id=10**9)
    )

    assert (me.id, me.default_workspace) == (alice.user_id, alice.workspace_id)
    assert sorted(conversation.user_ids) == sorted([alice.user_id, bob.user_id])
    assert (added.content, added.obj_index) == ("Hi Bob!", 0)
    assert [m.id for m in history] == [added.id]
    assert (missing.error_code, missing.error_string) == (124, "Conversation not found")
