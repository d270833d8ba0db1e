import json
from io import StringIO

import pytest
from django.core.management import call_command
from oauth2_provider.models import AccessToken

from accounts.models import User
from accounts.tokens import personal_token_create
from campaigns.models import Campaign, CampaignMember, Character, Tag
from conversations.models import Conversation, Message
from workspaces.models import Workspace, WorkspaceMember

pytestmark = pytest.mark.django_db


def _seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_json_output_is_exactly_the_documented_object():
    result = json.loads(_seed("--json"))

    assert list(result) == ["users", "campaign", "workspace", "password"]
    assert list(result["users"]) == ["alice", "bob", "carol", "dave"]
    for name, entry in result["users"].items():
        assert set(entry) == {"id", "token"}
        assert User.objects.get(pk=entry["id"]).username == name
    campaign = Campaign.objects.get(pk=result["campaign"]["id"])
    assert set(result["campaign"]) == {"id", "characters", "tags"}
    assert sorted(result["campaign"]["characters"]) == sorted(
        Character.objects.filter(campaign=campaign).values_list("pk", flat=True)
    )
    assert len(result["campaign"]["characters"]) == 3
    assert sorted(result["campaign"]["tags"]) == sorted(
        Tag.objects.filter(campaign=campaign).values_list("pk", flat=True)
    )
    assert result["workspace"] == {"id": Workspace.objects.get().pk}
    assert result["password"] == "parley-demo"


def test_the_demo_world_has_its_roles_and_content():
    result = json.loads(_seed("--json", "--password", "s3cret-pw"))
    users = {name: User.objects.get(pk=u["id"]) for name, u in result["users"].items()}
    campaign_roles = dict(CampaignMember.objects.values_list("user__username", "role"))
    workspace_roles = dict(WorkspaceMember.objects.values_list("user__username", "role"))

    assert campaign_roles == {"alice": "admin", "bob": "player", "carol": "player"}
    assert workspace_roles == {"alice": "admin", "bob": "member", "carol": "member"}
    assert users["alice"].is_superuser
    assert users["alice"].is_staff
    assert not users["dave"].is_staff
    assert all(user.check_password("s3cret-pw") for user in users.values())
    assert Conversation.objects.filter(campaign__isnull=False, is_private=True).count() == 1
    assert Conversation.objects.filter(workspace__isnull=False).count() >= 1
    for conversation in Conversation.objects.all():
        assert conversation.message_count == conversation.messages.count() > 0


def test_running_twice_keeps_the_world_and_issues_fresh_tokens():
    first = json.loads(_seed("--json"))
    counts = (Conversation.objects.count(), Message.objects.count(), User.objects.count())
    second = json.loads(_seed("--json"))

    assert (Conversation.objects.count(), Message.objects.count(), User.objects.count()) == counts
    assert second["campaign"] == first["campaign"]
    assert second["workspace"] == first["workspace"]
    assert all(
        second["users"][name]["token"] != first["users"][name]["token"] for name in first["users"]
    )


def test_reseeding_revokes_the_earlier_demo_tokens_and_keeps_other_tokens(client):
    first = json.loads(_seed("--json"))
    alice = User.objects.get(username="alice")
    own = personal_token_create(user=alice, name="my script")
    second = json.loads(_seed("--json"))

    def status(token):
        return client.get("/api/1.0/profile", HTTP_AUTHORIZATION=f"Bearer {token}").status_code

    assert [status(u["token"]) for u in first["users"].values()] == [401] * 4
    assert [status(u["token"]) for u in second["users"].values()] == [200] * 4
    assert status(own) == 200
    assert AccessToken.objects.count() == 5


def test_human_output_names_the_admin_tokens_and_both_apis(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)

    out = _seed()
    assert "http://127.0.0.1:8000/admin/" in out
    assert "alice / parley-demo" in out
    assert "/api/1.0/campaigns/" in out
    assert "/api/v1/conversations/get" in out
    assert out.count("parley_") >= 4


def test_human_output_points_at_the_port_bin_run_serves_on(monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    out = _seed()

    assert "http://127.0.0.1:8123/admin/" in out
    assert "http://127.0.0.1:8123/api/1.0/campaigns/" in out
    assert "http://127.0.0.1:8123/api/v1/conversations/get" in out
    assert ":8000" not in out
