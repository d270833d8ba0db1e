import pytest

from tests.factories import (
    CampaignConversationFactory,
    CampaignFactory,
    CampaignMemberFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)


@pytest.fixture
def campaign_world(db):
    """A campaign with an admin, two players and an outsider, and one conversation."""
    campaign = CampaignFactory()
    admin = CampaignMemberFactory(campaign=campaign, role="admin").user
    player = CampaignMemberFactory(campaign=campaign).user
    other_player = CampaignMemberFactory(campaign=campaign).user
    outsider = CampaignMemberFactory().user
    conversation = CampaignConversationFactory(campaign=campaign, created_by=player)
    return {
        "campaign": campaign,
        "admin": admin,
        "player": player,
        "other_player": other_player,
        "outsider": outsider,
        "conversation": conversation,
    }


@pytest.fixture
def workspace_world(db):
    """A workspace with an admin and three members; no conversations yet."""
    workspace = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=workspace, role="admin").user
    a, b, c = (WorkspaceMemberFactory(workspace=workspace).user for _ in range(3))
    return {"workspace": workspace, "admin": admin, "a": a, "b": b, "c": c}
