"""Personal access tokens in the admin: last use noted at most once a minute, and revocation."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.utils import timezone
from oauth2_provider.models import AccessToken

from accounts.models import PersonalAccessToken
from accounts.tokens import personal_token_create
from tests.factories import UserFactory, WorkspaceMemberFactory, moderators_group

pytestmark = pytest.mark.django_db

TOKENS = "/admin/accounts/personalaccesstoken/"


@pytest.fixture
def moderator():
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(moderators_group())
    return user


def session_user(client, raw):
    return client.get("/api/v1/users/get_session_user", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_last_use_is_written_once_a_minute_not_on_every_request(client, django_assert_num_queries):
    raw = personal_token_create(user=WorkspaceMemberFactory().user, name="ci")
    token = PersonalAccessToken.objects.get()
    assert token.last_used_at is None

    session_user(client, raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # token lookup, default workspace: no write within the minute
    with django_assert_num_queries(2):
        assert session_user(client, raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first

    cache.clear()  # the minute is over
    session_user(client, raw)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_token_list_shows_owner_scopes_expiry_and_last_use(client, moderator):
    owner = UserFactory(username="owner")
    personal_token_create(user=owner, name="laptop", scopes=("messages:read",), expires_days=10)
    client.force_login(moderator)

    response = client.get(TOKENS)

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("laptop", "owner", "messages:read", "Last used at"):
        assert text in html


def test_revoke_deletes_the_token_and_is_logged_on_its_owner(client, moderator):
    owner = UserFactory()
    raw = personal_token_create(user=owner, name="leaked")
    client.force_login(moderator)
    pk = PersonalAccessToken.objects.get().pk

    response = client.post(TOKENS, {"action": "revoke", "_selected_action": [pk], "index": "0"})

    assert response.status_code == 302
    assert not AccessToken.objects.exists()
    assert session_user(client, raw).status_code == 403
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.change_message) == (
        str(owner.pk),
        "Revoked the personal access token “leaked”.",
    )


def test_tokens_cannot_be_edited_in_the_admin(client, moderator):
    personal_token_create(user=UserFactory(), name="x")
    token = PersonalAccessToken.objects.get()
    client.force_login(moderator)

    edit = client.post(f"{TOKENS}{token.pk}/change/", {"name": "renamed"})

    assert edit.status_code == 403
    token.refresh_from_db()
    assert token.name == "x"
    assert token.access_token.expires > timezone.now() + timedelta(days=300)
