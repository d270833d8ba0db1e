"""A 304 against the full answer, in-process through the test client; prints medians.

Run by hand (bench/README.md); issue 14's target: a 304 costs at most 0.3 of the full answer.
"""

import statistics
import time

import pytest
from django.db import connection

from accounts.tokens import personal_token_create
from conversations import services
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    TagFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)

PAGE = 50
REPEAT = 200

pytestmark = pytest.mark.django_db


def _interleaved_medians_ms(*works) -> list[float]:
    """Each work's median time, run in turn: on a loaded machine both see the same load."""
    samples = [[] for _ in works]
    for _ in range(REPEAT):
        for work, times in zip(works, samples, strict=True):
            start = time.perf_counter()
            work()
            times.append((time.perf_counter() - start) * 1000)
    return [statistics.median(times) for times in samples]


def _compare(client, label, url, headers):
    full = client.get(url, **headers)
    assert full.status_code == 200, full.content
    conditional = {**headers, "HTTP_IF_NONE_MATCH": full["ETag"]}
    assert client.get(url, **conditional).status_code == 304
    full_ms, cached_ms = _interleaved_medians_ms(
        lambda: client.get(url, **headers), lambda: client.get(url, **conditional)
    )
    print(
        f"{label:<40} 200 {full_ms:6.2f} ms  304 {cached_ms:6.2f} ms  "
        f"ratio {cached_ms / full_ms:.2f}  ({connection.vendor})"
    )


def _headers(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {personal_token_create(user=user)}"}


def test_twist_getone(client, settings):
    settings.WORKSPACE_API_RATE_LIMIT = 1_000_000
    workspace = WorkspaceFactory()
    me, *others = (WorkspaceMemberFactory(workspace=workspace).user for _ in range(10))
    conversation, _ = services.conversation_get_or_create(
        actor=me, role=Role.MEMBER, workspace=workspace, user_ids=[u.pk for u in others]
    )
    services.message_add(actor=me, role=Role.MEMBER, conversation=conversation, content="hi")
    url = f"/api/v1/conversations/getone?id={conversation.pk}"
    _compare(client, "Twist conversations/getone", url, _headers(me))


@pytest.mark.parametrize("resource", ["conversation_messages", "conversation_participants"])
def test_kanka_page(client, settings, resource):
    settings.CAMPAIGN_API_RATE_LIMIT = 1_000_000
    settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT = 1_000_000
    membership = CampaignMemberFactory(role="admin")
    admin = membership.user
    conversation = CampaignConversationFactory(campaign=membership.campaign)
    for n in range(PAGE):
        services.message_add(
            actor=admin, role=Role.ADMIN, conversation=conversation, content=f"message {n}"
        )
    for _ in range(PAGE):
        services.participant_add(
            actor=admin,
            role=Role.ADMIN,
            conversation=conversation,
            user_id=CampaignMemberFactory(campaign=conversation.campaign).user.pk,
        )
    base = f"/api/1.0/campaigns/{conversation.campaign_id}/conversations/{conversation.pk}"
    url = f"{base}/{resource}"
    _compare(client, f"Kanka {resource} page 1", url, _headers(admin))


def test_kanka_conversations(client, settings):
    settings.CAMPAIGN_API_RATE_LIMIT = 1_000_000
    settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT = 1_000_000
    membership = CampaignMemberFactory(role="admin")
    for _ in range(PAGE):
        conversation = CampaignConversationFactory(campaign=membership.campaign)
        conversation.entity.tags.add(TagFactory(campaign=membership.campaign))
    headers = _headers(membership.user)
    base = f"/api/1.0/campaigns/{membership.campaign_id}/conversations"
    _compare(client, "Kanka conversations page 1", base, headers)
    _compare(client, "Kanka conversation show", f"{base}/{conversation.pk}", headers)
