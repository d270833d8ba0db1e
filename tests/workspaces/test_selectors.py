import pytest

from conversations import exceptions
from conversations.policy import Role
from tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from tests.workspaces.twist import conversation as conversation_of
from tests.workspaces.twist import post
from workspaces import selectors

pytestmark = pytest.mark.django_db


def test_a_stranger_is_not_a_workspace_member():
    with pytest.raises(exceptions.WorkspaceNotFound):
        selectors.access_workspace(user=UserFactory(), workspace_id=WorkspaceFactory().pk)


def test_workspace_roles_map_to_domain_roles():
    workspace = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=workspace, role="admin").user
    member = WorkspaceMemberFactory(workspace=workspace).user

    assert selectors.access_workspace(user=admin, workspace_id=workspace.pk)[1] == Role.ADMIN
    assert selectors.access_workspace(user=member, workspace_id=workspace.pk)[1] == Role.MEMBER


@pytest.mark.parametrize("count", [2, 50])
def test_a_page_of_conversations_loads_people_in_one_more_query(count, django_assert_num_queries):
    workspace = WorkspaceFactory()
    me = WorkspaceMemberFactory(workspace=workspace).user
    others = [WorkspaceMemberFactory(workspace=workspace).user for _ in range(count)]
    for other in others:
        conversation = conversation_of(workspace, me, other)
        post(conversation, other, f"[me](twist-mention://{me.pk})")

    with django_assert_num_queries(2):  # the page, then people and reactions (one UNION ALL)
        page = selectors.conversations_page(user=me, workspace_id=workspace.pk, limit=count)

    assert sorted(c["user_ids"][1] for c in page) == sorted(u.pk for u in others)
    assert all(c["user_ids"][0] == me.pk for c in page)
    assert all(c["last_message"]["direct_mention_ids"] == [me.pk] for c in page)
    assert all(c["last_message"]["workspace_id"] == workspace.pk for c in page)
    assert all(c["last_message"]["reactions"] == {} for c in page)


def test_an_empty_page_of_a_stranger_is_workspace_not_found():
    workspace = WorkspaceFactory()

    with pytest.raises(exceptions.WorkspaceNotFound):
        selectors.conversations_page(user=UserFactory(), workspace_id=workspace.pk, limit=50)


def test_the_lean_membership_check_gives_the_role_or_not_found():
    workspace = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=workspace, role="admin").user

    assert selectors.require_workspace_member(user=admin, workspace_id=workspace.pk) == Role.ADMIN
    for workspace_id in (WorkspaceFactory().pk, -1, "x"):
        with pytest.raises(exceptions.WorkspaceNotFound):
            selectors.require_workspace_member(user=admin, workspace_id=workspace_id)


def test_unread_of_a_former_member_is_workspace_not_found(django_assert_num_queries):
    workspace = WorkspaceFactory()
    membership = WorkspaceMemberFactory(workspace=workspace)
    me, other = membership.user, WorkspaceMemberFactory(workspace=workspace).user
    chat = conversation_of(workspace, me, other)
    post(chat, other, "hello")
    with django_assert_num_queries(1):  # the membership check a condition of the query
        assert selectors.unread_of_member(user=me, workspace_id=workspace.pk) == [
            {"conversation_id": chat.pk, "obj_index": 0, "direct_mention": False}
        ]

    membership.delete()  # still a participant, no longer a member

    for workspace_id in (workspace.pk, -1, 2**63):
        with pytest.raises(exceptions.WorkspaceNotFound):
            selectors.unread_of_member(user=me, workspace_id=workspace_id)
