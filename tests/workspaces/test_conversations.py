"""conversations/* through HTTP: objects, filters, participants, per-user state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, Participant
from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db


def _ts(dt):
    return int(dt.timestamp())


def test_getone_returns_the_v3_conversation_object(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    post(conv, alice, "first")
    last = post(conv, bob, f"Hello [Alice](twist-mention://{alice.pk})!")
    conv.refresh_from_db()

    response = call(client, "conversations/getone", as_alice, id=conv.pk)

    assert response.status_code == 200
    expected = {
        "id": conv.pk,
        "workspace_id": workspace.pk,
        "creator": alice.pk,
        "created_ts": _ts(conv.created_at),
        "user_ids": [alice.pk, bob.pk],
        "title": None,
        "private": True,
        "archived": False,
        "muted_until_ts": None,
        "message_count": 2,
        "last_obj_index": 1,
        "last_active_ts": _ts(last.created_at),
        "snippet": last.content,
        "snippet_creators": [bob.pk, alice.pk],
        "last_message": {
            "id": last.pk,
            "conversation_id": conv.pk,
            "workspace_id": workspace.pk,
            "creator": bob.pk,
            "creator_name": "Bob",
            "content": last.content,
            "obj_index": 1,
            "posted_ts": _ts(last.created_at),
            "last_edited_ts": None,
            "attachments": [],
            "actions": [],
            "reactions": {},
            "direct_mentions": [alice.pk],
            "direct_group_mentions": [],
            "system_message": None,
            "deleted": False,
            "is_deleted": False,
            "version": 0,
        },
    }
    body = response.json()
    assert body == expected
    # Same keys in §2.1/§2.2 order, not only the same dict.
    assert list(body) == list(expected)
    assert list(body["last_message"]) == list(expected["last_message"])


def test_getone_of_an_empty_titled_group(client, as_alice, workspace, alice, bob, carol):
    conv = conversation(workspace, alice, bob, carol)
    conv.title = "Plans"
    conv.save()

    body = call(client, "conversations/getone", as_alice, id=conv.pk).json()

    assert body["title"] == "Plans"
    assert body["private"] is False
    assert body["user_ids"] == [alice.pk, bob.pk, carol.pk]
    assert body["message_count"] == 0
    assert body["last_obj_index"] == -1
    assert body["snippet"] == ""
    assert body["snippet_creators"] == []
    assert body["last_message"] is None
    assert body["last_active_ts"] == body["created_ts"]


def test_snippet_is_the_first_140_characters(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    post(conv, alice, "x" * 139 + "yz")

    body = call(client, "conversations/getone", as_alice, id=conv.pk).json()

    assert body["snippet"] == "x" * 139 + "y"


def test_getone_of_other_workspace_is_404(client, as_alice, other_workspace, eve):
    theirs = conversation(other_workspace, eve)

    response = call(client, "conversations/getone", as_alice, id=theirs.pk)

    assert_error(response, 404, 124, "Conversation not found")


def test_getone_by_a_workspace_member_who_is_not_a_participant_is_404(
    client, as_alice, workspace, bob, carol
):
    theirs = conversation(workspace, bob, carol)

    response = call(client, "conversations/getone", as_alice, id=theirs.pk)

    assert_error(response, 404, 124, "Conversation not found")


# --- conversations/get ------------------------------------------------------


def _conversations_with_activity(workspace, alice, others, base=None):
    """One conversation per other user, the later ones more recently active."""
    base = base or timezone.now() - timedelta(days=1)
    convs = []
    for n, other in enumerate(others):
        conv = conversation(workspace, alice, other)
        Conversation.objects.filter(pk=conv.pk).update(last_activity_at=base + timedelta(minutes=n))
        convs.append(conv)
    return convs


@pytest.fixture
def three_conversations(workspace, alice, bob, carol, boss):
    return _conversations_with_activity(workspace, alice, [bob, carol, boss])


def test_get_lists_the_callers_conversations_newest_activity_first(
    client, as_alice, workspace, bob, carol, three_conversations
):
    conversation(workspace, bob, carol)  # not alice's

    response = call(client, "conversations/get", as_alice, workspace_id=workspace.pk)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [c.pk for c in reversed(three_conversations)]


def test_get_order_by_asc_in_any_case_and_limit(client, as_alice, workspace, three_conversations):
    response = call(
        client,
        "conversations/get",
        as_alice,
        encoding="get",
        workspace_id=workspace.pk,
        order_by="asc",
        limit="2",
    )

    assert [c["id"] for c in response.json()] == [c.pk for c in three_conversations[:2]]


def test_get_filters_by_last_active_ts_strictly(client, as_alice, workspace, three_conversations):
    middle = call(client, "conversations/getone", as_alice, id=three_conversations[1].pk).json()
    ts = middle["last_active_ts"]

    newer = call(client, "conversations/get", as_alice, workspace_id=workspace.pk, newer_than_ts=ts)
    older = call(client, "conversations/get", as_alice, workspace_id=workspace.pk, older_than_ts=ts)

    assert [c["id"] for c in newer.json()] == [three_conversations[2].pk]
    assert [c["id"] for c in older.json()] == [three_conversations[0].pk]


def test_get_archived_returns_only_the_callers_archived(
    client, as_alice, as_bob, workspace, alice, bob, three_conversations
):
    archived = three_conversations[0]
    call(client, "conversations/archive", as_alice, id=archived.pk)

    mine = call(client, "conversations/get", as_alice, workspace_id=workspace.pk, archived="true")
    unarchived = call(client, "conversations/get", as_alice, workspace_id=workspace.pk)
    bobs = call(client, "conversations/get", as_bob, workspace_id=workspace.pk)

    assert [c["id"] for c in mine.json()] == [archived.pk]
    assert mine.json()[0]["archived"] is True
    assert archived.pk not in [c["id"] for c in unarchived.json()]
    assert [(c["id"], c["archived"]) for c in bobs.json()] == [(archived.pk, False)]


def test_get_clamps_a_large_limit(client, as_alice, workspace, three_conversations, monkeypatch):
    from workspaces.api import serializers

    monkeypatch.setattr(serializers, "CONVERSATIONS_LIMIT", (1, 2))

    default = call(client, "conversations/get", as_alice, workspace_id=workspace.pk)
    large = call(client, "conversations/get", as_alice, workspace_id=workspace.pk, limit=10**30)

    assert len(default.json()) == 1
    assert len(large.json()) == 2


def test_get_default_and_maximum_limits_are_50_and_500():
    from workspaces.api import serializers

    assert serializers.CONVERSATIONS_LIMIT == (50, 500)
    assert serializers.MESSAGES_LIMIT == (20, 200)


@pytest.mark.parametrize("limit", [0, -1, "many"])
def test_get_with_a_bad_limit_is_400(client, as_alice, workspace, alice, limit):
    response = call(client, "conversations/get", as_alice, workspace_id=workspace.pk, limit=limit)

    assert_error(response, 400, 20, "Invalid argument value")


def test_get_of_other_workspace_is_404(client, as_alice, other_workspace, eve):
    conversation(other_workspace, eve)

    response = call(client, "conversations/get", as_alice, workspace_id=other_workspace.pk)

    assert_error(response, 404, 105, "Workspace not found")


@pytest.mark.parametrize("size", [2, 50])
def test_get_runs_a_fixed_number_of_queries(
    client, workspace, alice, bearer, django_assert_num_queries, size
):
    from tests.factories import UserFactory, WorkspaceMemberFactory

    others = [
        WorkspaceMemberFactory(workspace=workspace, user=UserFactory()).user for _ in range(size)
    ]
    for conv in _conversations_with_activity(workspace, alice, others):
        post(conv, alice, f"hi [x](twist-mention://{others[0].pk})")
    headers = bearer(alice)

    # token lookup, conversations (the membership check a condition of the page's query),
    # participants and the last messages' mentions and reactions (one UNION ALL)
    with django_assert_num_queries(3):
        response = call(client, "conversations/get", headers, workspace_id=workspace.pk)

    assert len(response.json()) == size
    assert all(c["last_message"]["creator_name"] == "Alice" for c in response.json())


@pytest.mark.parametrize("size", [2, 50])
def test_getone_runs_a_fixed_number_of_queries(
    client, workspace, alice, bearer, django_assert_num_queries, size
):
    from tests.factories import UserFactory, WorkspaceMemberFactory

    others = [
        WorkspaceMemberFactory(workspace=workspace, user=UserFactory()).user for _ in range(size)
    ]
    conv = conversation(workspace, alice, *others)
    post(conv, alice, " ".join(f"[x](twist-mention://{u.pk})" for u in others))
    headers = bearer(alice)

    # token lookup, conversation (with the caller's state, role and last message),
    # participants and the last message's mentions and reactions (one UNION ALL)
    with django_assert_num_queries(3):
        response = call(client, "conversations/getone", headers, id=conv.pk)

    assert len(response.json()["user_ids"]) == size + 1
    assert response.json()["last_message"]["direct_mentions"] == [u.pk for u in others]


# --- get_or_create ----------------------------------------------------------


def test_get_or_create_creates_a_conversation_with_the_caller(
    client, as_alice, workspace, alice, bob
):
    response = call(
        client,
        "conversations/get_or_create",
        as_alice,
        workspace_id=workspace.pk,
        user_ids=[bob.pk],
    )

    assert response.status_code == 200
    body = response.json()
    assert body["user_ids"] == sorted([alice.pk, bob.pk])
    assert body["creator"] == alice.pk
    assert body["private"] is True
    assert Conversation.objects.get(pk=body["id"]).workspace == workspace
    assert call(client, "conversations/getone", as_alice, id=body["id"]).json() == body


def test_get_or_create_returns_the_same_conversation_for_the_same_set(
    client, as_alice, as_bob, workspace, alice, bob, carol
):
    first = call(
        client,
        "conversations/get_or_create",
        as_alice,
        encoding="form",
        workspace_id=workspace.pk,
        user_ids=[bob.pk, carol.pk],
    ).json()
    again = call(
        client,
        "conversations/get_or_create",
        as_bob,
        encoding="get",
        workspace_id=workspace.pk,
        user_ids=[carol.pk, alice.pk, bob.pk],
    ).json()
    smaller = call(
        client,
        "conversations/get_or_create",
        as_alice,
        workspace_id=workspace.pk,
        user_ids=[bob.pk],
    ).json()

    assert again["id"] == first["id"]
    assert smaller["id"] != first["id"]
    assert Conversation.objects.count() == 2


def test_get_or_create_with_the_caller_alone(client, as_alice, workspace, alice):
    response = call(
        client, "conversations/get_or_create", as_alice, workspace_id=workspace.pk, user_ids=[]
    )

    assert response.json()["user_ids"] == [alice.pk]


def test_get_or_create_with_a_non_member_is_404_and_creates_nothing(
    client, as_alice, workspace, bob, eve
):
    before = database_snapshot()

    response = call(
        client,
        "conversations/get_or_create",
        as_alice,
        workspace_id=workspace.pk,
        user_ids=[bob.pk, eve.pk],
    )

    assert_error(response, 404, 106, "User not found")
    assert database_snapshot() == before


def test_get_or_create_in_other_workspace_is_404(client, as_alice, other_workspace, eve):
    before = database_snapshot()

    response = call(
        client,
        "conversations/get_or_create",
        as_alice,
        workspace_id=other_workspace.pk,
        user_ids=[eve.pk],
    )

    assert_error(response, 404, 105, "Workspace not found")
    assert database_snapshot() == before


# --- update -----------------------------------------------------------------


def test_update_sets_the_title_and_the_callers_archived_flag(
    client, as_alice, as_bob, workspace, alice, bob
):
    conv = conversation(workspace, alice, bob)

    response = call(
        client, "conversations/update", as_alice, id=conv.pk, title="New Title", archived=True
    )

    assert response.status_code == 200
    assert response.json()["title"] == "New Title"
    assert response.json()["archived"] is True
    bobs = call(client, "conversations/getone", as_bob, id=conv.pk).json()
    assert (bobs["title"], bobs["archived"]) == ("New Title", False)


def test_update_with_an_empty_title_clears_it_and_without_title_keeps_it(
    client, as_alice, workspace, alice, bob
):
    conv = conversation(workspace, alice, bob)
    call(client, "conversations/update", as_alice, id=conv.pk, title="Named")

    kept = call(client, "conversations/update", as_alice, id=conv.pk, archived="1").json()
    cleared = call(client, "conversations/update", as_alice, id=conv.pk, title="").json()

    assert kept["title"] == "Named"
    assert cleared["title"] is None
    assert call(client, "conversations/getone", as_alice, id=conv.pk).json() == cleared


def test_update_of_other_workspace_is_404_and_nothing_changes(
    client, as_alice, other_workspace, eve
):
    theirs = conversation(other_workspace, eve)
    before = database_snapshot()

    response = call(client, "conversations/update", as_alice, id=theirs.pk, title="Mine now")

    assert_error(response, 404, 124, "Conversation not found")
    assert database_snapshot() == before


# --- participants -----------------------------------------------------------


def _user_ids(conv):
    return set(Participant.objects.filter(conversation=conv).values_list("user_id", flat=True))


def test_add_user_makes_a_private_conversation_a_group(
    client, as_alice, workspace, alice, bob, carol
):
    conv = conversation(workspace, alice, bob)

    response = call(client, "conversations/add_user", as_alice, id=conv.pk, user_id=carol.pk)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert _user_ids(conv) == {alice.pk, bob.pk, carol.pk}
    assert call(client, "conversations/getone", as_alice, id=conv.pk).json()["private"] is False


def test_add_users_is_idempotent(client, as_alice, workspace, alice, bob, carol, boss):
    conv = conversation(workspace, alice, bob)

    response = call(
        client,
        "conversations/add_users",
        as_alice,
        encoding="form",
        id=conv.pk,
        user_ids=[bob.pk, carol.pk, boss.pk],
    )

    assert response.json() == {"status": "ok"}
    assert _user_ids(conv) == {alice.pk, bob.pk, carol.pk, boss.pk}
    shown = call(client, "conversations/getone", as_alice, id=conv.pk).json()
    assert shown["user_ids"] == sorted([alice.pk, bob.pk, carol.pk, boss.pk])


@pytest.mark.parametrize("method", ["conversations/add_users", "conversations/remove_users"])
def test_a_non_member_in_user_ids_is_404_and_nothing_changes(
    client, as_alice, workspace, alice, bob, carol, eve, method
):
    conv = conversation(workspace, alice, bob, carol)
    call(client, "conversations/remove_user", as_alice, id=conv.pk, user_id=carol.pk)
    before = database_snapshot()

    response = call(client, method, as_alice, id=conv.pk, user_ids=[carol.pk, bob.pk, eve.pk])

    assert_error(response, 404, 106, "User not found")
    assert database_snapshot() == before


def test_remove_user_by_get_and_remove_users(client, as_alice, workspace, alice, bob, carol, boss):
    conv = conversation(workspace, alice, bob, carol, boss)

    one = call(
        client, "conversations/remove_user", as_alice, encoding="get", id=conv.pk, user_id=bob.pk
    )
    many = call(
        client,
        "conversations/remove_users",
        as_alice,
        encoding="get",
        id=conv.pk,
        user_ids=[carol.pk, boss.pk],
    )

    assert one.json() == many.json() == {"status": "ok"}
    assert _user_ids(conv) == {alice.pk}
    assert call(client, "conversations/getone", as_alice, id=conv.pk).json()["user_ids"] == [
        alice.pk
    ]


def test_removing_every_participant_is_400(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    before = database_snapshot()

    response = call(
        client, "conversations/remove_users", as_alice, id=conv.pk, user_ids=[alice.pk, bob.pk]
    )

    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


def test_a_user_who_left_no_longer_sees_the_conversation(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    call(client, "conversations/remove_user", as_alice, id=conv.pk, user_id=alice.pk)

    response = call(client, "conversations/getone", as_alice, id=conv.pk)

    assert_error(response, 404, 124, "Conversation not found")


# --- archive, mute ----------------------------------------------------------


def test_archive_is_per_user_and_a_new_message_unarchives_it(
    client, as_alice, as_bob, workspace, alice, bob
):
    conv = conversation(workspace, alice, bob)

    archived = call(client, "conversations/archive", as_alice, id=conv.pk)

    assert archived.json() == {"status": "ok"}
    assert call(client, "conversations/getone", as_alice, id=conv.pk).json()["archived"] is True
    assert call(client, "conversations/getone", as_bob, id=conv.pk).json()["archived"] is False

    call(client, "conversation_messages/add", as_bob, conversation_id=conv.pk, content="ping")

    assert call(client, "conversations/getone", as_alice, id=conv.pk).json()["archived"] is False


def test_unarchive_clears_the_callers_flag(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    call(client, "conversations/archive", as_alice, id=conv.pk)

    response = call(client, "conversations/unarchive", as_alice, id=conv.pk)

    assert response.json() == {"status": "ok"}
    assert call(client, "conversations/getone", as_alice, id=conv.pk).json()["archived"] is False


def test_mute_returns_the_conversation_muted_for_the_caller_only(
    client, as_alice, as_bob, workspace, alice, bob
):
    conv = conversation(workspace, alice, bob)
    before = timezone.now()

    response = call(client, "conversations/mute", as_alice, id=conv.pk, minutes="30")

    assert response.status_code == 200
    muted = response.json()["muted_until_ts"]
    assert (
        _ts(before + timedelta(minutes=30)) <= muted <= _ts(timezone.now() + timedelta(minutes=30))
    )
    assert response.json()["id"] == conv.pk
    assert call(client, "conversations/getone", as_bob, id=conv.pk).json()["muted_until_ts"] is None


def test_unmute_returns_the_conversation_unmuted(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    call(client, "conversations/mute", as_alice, id=conv.pk, minutes=30)

    response = call(client, "conversations/unmute", as_alice, id=conv.pk)

    assert response.status_code == 200
    assert response.json()["muted_until_ts"] is None


def test_an_expired_mute_shows_as_null(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    Participant.objects.filter(conversation=conv, user=alice).update(
        muted_until=timezone.now() - timedelta(seconds=1)
    )

    body = call(client, "conversations/getone", as_alice, id=conv.pk).json()

    assert body["muted_until_ts"] is None


@pytest.mark.parametrize("minutes", [0, -5, "soon", 10**12])
def test_mute_with_bad_minutes_is_400(client, as_alice, workspace, alice, bob, minutes):
    conv = conversation(workspace, alice, bob)

    response = call(client, "conversations/mute", as_alice, id=conv.pk, minutes=minutes)

    assert_error(response, 400, 20, "Invalid argument value")
    assert Participant.objects.get(conversation=conv, user=alice).muted_until is None
