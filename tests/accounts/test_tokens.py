import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.authentication import BearerTokenAuthentication, token_has_scope
from accounts.tokens import ALL_SCOPES, access_token_lookup, personal_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _authenticate(header):
    django_request = RequestFactory().get("/", HTTP_AUTHORIZATION=header)
    return BearerTokenAuthentication().authenticate(Request(django_request))


def test_only_a_checksum_of_the_token_is_stored():
    raw = personal_token_create(user=UserFactory())
    stored = AccessToken.objects.get()
    assert stored.token == ""
    assert stored.token_checksum == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(AccessToken.objects.values_list())


def test_a_personal_token_authenticates_its_user_with_every_scope():
    user = UserFactory()
    authenticated, token = _authenticate(f"Bearer {personal_token_create(user=user)}")
    assert authenticated == user
    assert set(token.scope.split()) == set(ALL_SCOPES)


def _values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_the_lookup_builds_the_same_token_and_user_as_the_orm(django_assert_num_queries):
    user = UserFactory(
        suspended_until=timezone.now() + timedelta(days=1), last_login=timezone.now()
    )
    raw = personal_token_create(user=user, scopes=("messages:read",))
    expected = AccessToken.objects.select_related("user").get()

    with django_assert_num_queries(1):
        token = access_token_lookup(raw)

    assert _values(token) == _values(expected)
    assert _values(token.user) == _values(expected.user)
    assert token.user.suspended_until.tzinfo is not None  # converted, not a string
    assert not token._state.adding
    assert not token.user._state.adding


def test_the_lookup_of_a_token_without_user_or_unknown_value():
    raw = personal_token_create(user=UserFactory())
    AccessToken.objects.update(user=None)
    assert access_token_lookup(raw).user is None
    assert access_token_lookup(raw + "x") is None


def test_no_bearer_header_is_no_attempt():
    assert _authenticate("") is None
    assert _authenticate("Basic dXNlcjpwYXNz") is None


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "Bearer a b"])
def test_an_unknown_or_malformed_token_fails(header):
    with pytest.raises(AuthenticationFailed):
        _authenticate(header)


def test_an_expired_token_fails():
    raw = personal_token_create(user=UserFactory())
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(AuthenticationFailed):
        _authenticate(f"Bearer {raw}")


def test_a_revoked_token_fails():
    raw = personal_token_create(user=UserFactory())
    AccessToken.objects.get().revoke()
    with pytest.raises(AuthenticationFailed):
        _authenticate(f"Bearer {raw}")


def test_an_inactive_users_token_fails():
    user = UserFactory(is_active=False)
    with pytest.raises(AuthenticationFailed):
        _authenticate(f"Bearer {personal_token_create(user=user)}")


def test_scopes_nest_remove_over_write_over_read():
    user = UserFactory()
    _, token = _authenticate(
        f"Bearer {personal_token_create(user=user, scopes=('messages:write',))}"
    )
    assert token_has_scope(token, "messages:read")
    assert token_has_scope(token, "messages:write")
    assert not token_has_scope(token, "messages:remove")
    assert not token_has_scope(token, "workspaces:read")


def test_create_token_prints_only_a_working_token():
    user = UserFactory(username="erin")
    out = StringIO()
    call_command("create_token", "erin", "--name", "ci", "--scopes", "messages:read", stdout=out)
    raw = out.getvalue().strip()
    assert "\n" not in raw
    authenticated, token = _authenticate(f"Bearer {raw}")
    assert authenticated == user
    assert token.scope == "messages:read"
    assert token.personal.name == "ci"
    assert (token.expires - timezone.now()).days in (364, 365)


def test_create_token_for_an_unknown_user_fails():
    with pytest.raises(CommandError):
        call_command("create_token", "nobody", stdout=StringIO())
