import pytest

from conversations import exceptions
from conversations.policy import Role
from tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
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
