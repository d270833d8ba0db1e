"""Every admin list page runs the same number of queries for 2 rows as for 50."""

import pytest

from accounts.tokens import personal_token_create
from conversations.models import Mention
from tests.factories import (
    CampaignMemberFactory,
    CharacterFactory,
    EntityFactory,
    MessageFactory,
    ParticipantFactory,
    TagFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db


def _mention():
    message = MessageFactory(created_by=UserFactory())
    Mention.objects.create(message=message, user=UserFactory())


def _character_participant():
    character = CharacterFactory()
    ParticipantFactory(user=None, character=character)


# Each maker adds one row to its list, with distinct related objects, so that
# a relation loaded per row would show as extra queries.
LISTS = {
    "accounts/user": UserFactory,
    "accounts/personalaccesstoken": lambda: personal_token_create(user=UserFactory()),
    "campaigns/campaignmember": CampaignMemberFactory,
    "campaigns/entity": EntityFactory,
    "campaigns/character": CharacterFactory,
    "campaigns/tag": TagFactory,
    "workspaces/workspace": lambda: WorkspaceFactory(creator=UserFactory()),
    "workspaces/workspacemember": WorkspaceMemberFactory,
    "conversations/participant": _character_participant,
    "conversations/mention": _mention,
}


@pytest.mark.parametrize("model", LISTS)
def test_list_page_query_count_does_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, model
):
    make = LISTS[model]
    url = f"/admin/{model}/"
    existing = len(admin_client.get(url).context["cl"].result_list)
    for _ in range(2 - existing):
        make()
    with django_assert_max_num_queries(12) as small:
        assert len(admin_client.get(url).context["cl"].result_list) == 2

    for _ in range(48):
        make()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 50
