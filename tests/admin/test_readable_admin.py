"""Messages as readers see them, "private" as each API means it, search by a message's word."""

import pytest

from conversations import services
from conversations.policy import Role
from conversations.rendering import render_message
from tests.factories import (
    CampaignConversationFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/conversations/conversation/"


def test_mentions_become_names_and_links_become_links():
    html = render_message(
        "Hi [Bob](twist-mention://2), see [the plan](https://example.com/p?a=1&b=2) "
        "or https://example.org/x.\nBye",
        {2: "Bob Builder"},
    )

    assert html == (
        'Hi <span class="mention">@Bob Builder</span>, see '
        '<a href="https://example.com/p?a=1&amp;b=2" rel="noopener noreferrer nofollow">'
        "the plan</a> or "
        '<a href="https://example.org/x" rel="noopener noreferrer nofollow">'
        "https://example.org/x</a>.<br>Bye"
    )


def test_everything_else_is_escaped():
    html = render_message(
        "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))", {}
    )

    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_an_unknown_mention_keeps_its_link_text():
    assert render_message("[Gone](twist-mention://99)", {}) == (
        '<span class="mention">@Gone</span>'
    )


def _workspace_chat(*users_count):
    member = WorkspaceMemberFactory()
    conversation = WorkspaceConversationFactory(workspace=member.workspace)
    users = [member.user] + [
        WorkspaceMemberFactory(workspace=member.workspace).user for _ in range(users_count[0] - 1)
    ]
    for user in users:
        ParticipantFactory(conversation=conversation, user=user)
    return conversation, users


def test_conversation_page_renders_mentions_as_names(mod_client):
    conversation, (alice, bob) = _workspace_chat(2)
    bob.display_name = "Bobby"
    bob.save()
    services.message_add(
        actor=alice,
        role=Role.MEMBER,
        conversation=conversation,
        content=f"[Bob](twist-mention://{bob.pk}) <b>hey</b>",
    )

    html = mod_client.get(f"{CHANGELIST}{conversation.pk}/change/").content.decode()

    assert '<span class="mention">@Bobby</span> &lt;b&gt;hey&lt;/b&gt;' in html
    assert "twist-mention://" not in html


@pytest.mark.parametrize("size", [2, 50])
def test_conversation_page_with_mentions_runs_a_bounded_number_of_queries(
    mod_client, django_assert_max_num_queries, size
):
    conversation, (alice, bob) = _workspace_chat(2)
    for n in range(size):
        services.message_add(
            actor=alice,
            role=Role.MEMBER,
            conversation=conversation,
            content=f"[Bob](twist-mention://{bob.pk}) {n}",
        )
    mod_client.get(CHANGELIST)

    with django_assert_max_num_queries(16):
        response = mod_client.get(f"{CHANGELIST}{conversation.pk}/change/")

    assert len(response.context["message_rows"]) == min(size, 20)


def test_private_is_labelled_as_each_api_means_it(mod_client):
    direct, _ = _workspace_chat(2)
    group, _ = _workspace_chat(3)
    private_campaign = CampaignConversationFactory(is_private=True)
    public_campaign = CampaignConversationFactory()

    response = mod_client.get(CHANGELIST)

    labels = {
        c.pk: response.context["cl"].model_admin.privacy(c)
        for c in response.context["cl"].result_list
    }
    assert labels == {
        direct.pk: "Direct message (private)",
        group.pk: "—",
        private_campaign.pk: "Private (campaign admins only)",
        public_campaign.pk: "—",
    }
    direct_only = mod_client.get(CHANGELIST, {"privacy": "direct"}).context["cl"].result_list
    assert [c.pk for c in direct_only] == [direct.pk]
    page = mod_client.get(f"{CHANGELIST}{direct.pk}/change/").content.decode()
    assert "Direct message (private)" in page
    assert "Is private" not in page


def test_conversation_search_finds_a_word_of_its_messages(mod_client):
    gold, (alice, _) = _workspace_chat(2)
    other, (carol, _) = _workspace_chat(2)
    services.message_add(actor=alice, role=Role.MEMBER, conversation=gold, content="cheap GOLD")
    services.message_add(actor=carol, role=Role.MEMBER, conversation=other, content="silver")

    found = mod_client.get(CHANGELIST, {"q": "gold"}).context["cl"].result_list

    assert [c.pk for c in found] == [gold.pk]


def test_search_still_finds_by_participant_name(mod_client):
    conversation, (alice, _) = _workspace_chat(2)
    alice.username = "zelda"
    alice.save()

    found = mod_client.get(CHANGELIST, {"q": "zelda"}).context["cl"].result_list

    assert [c.pk for c in found] == [conversation.pk]
