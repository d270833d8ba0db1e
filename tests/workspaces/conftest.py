import pytest

from tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from workspaces.models import WorkspaceMember


@pytest.fixture(autouse=True)
def _rate_limit_out_of_the_way(settings):
    """The rate limit has its own tests (test_rate_limit.py); elsewhere it never interferes."""
    settings.WORKSPACE_API_RATE_LIMIT = 10_000


@pytest.fixture
def workspace():
    return WorkspaceFactory(name="Acme")


@pytest.fixture
def alice(workspace):
    return WorkspaceMemberFactory(workspace=workspace, user=UserFactory(username="alice")).user


@pytest.fixture
def bob(workspace):
    return WorkspaceMemberFactory(workspace=workspace, user=UserFactory(username="bob")).user


@pytest.fixture
def carol(workspace):
    return WorkspaceMemberFactory(workspace=workspace, user=UserFactory(username="carol")).user


@pytest.fixture
def boss(workspace):
    """A workspace admin."""
    return WorkspaceMemberFactory(
        workspace=workspace, user=UserFactory(username="boss"), role=WorkspaceMember.Role.ADMIN
    ).user


@pytest.fixture
def other_workspace():
    return WorkspaceFactory(name="Elsewhere")


@pytest.fixture
def eve(other_workspace):
    """A member of another workspace only."""
    return WorkspaceMemberFactory(workspace=other_workspace, user=UserFactory(username="eve")).user


@pytest.fixture
def as_alice(bearer, alice):
    return bearer(alice)


@pytest.fixture
def as_bob(bearer, bob):
    return bearer(bob)
