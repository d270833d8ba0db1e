"""Personal access tokens, issued as django-oauth-toolkit AccessTokens.

Both kinds of bearer token (personal and OAuth2 authorization-code) live in
one table, so one authentication class serves both. Only a SHA-256 checksum
is stored (OAUTH2_PROVIDER["COMPLIANT_BCP_RFC9700_TOKEN_STORAGE"]): a leaked
database holds no usable token.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value

from accounts.models import PersonalAccessToken

ALL_SCOPES: tuple[str, ...] = tuple(settings.OAUTH2_PROVIDER["SCOPES"])
PERSONAL_TOKEN_PREFIX = "parley_"
# A token's `last_used_at` is written at most once per this many seconds.
LAST_USED_RESOLUTION = 60


def personal_token_create(
    *, user, name: str = "", scopes: tuple[str, ...] = ALL_SCOPES, expires_days: int = 365
) -> str:
    """Issue a personal access token and return the only copy of its value."""
    unknown = set(scopes) - set(ALL_SCOPES)
    if unknown:
        raise ValueError(f"Unknown scopes: {', '.join(sorted(unknown))}")
    raw = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(
        user=user,
        application=None,
        scope=" ".join(scopes),
        expires=timezone.now() + timedelta(days=expires_days),
    )
    set_token_value(token, raw)
    with transaction.atomic():
        token.save()
        PersonalAccessToken.objects.create(user=user, name=name, access_token=token)
    return raw


def personal_tokens_revoke(*, users, name: str) -> None:
    """Revoke the users' personal access tokens called `name` (their other tokens stay)."""
    AccessToken.objects.filter(user__in=users, personal__name=name).delete()


def access_token_lookup(raw: str) -> AccessToken | None:
    """The stored token for a raw bearer value, or None; expiry is the caller's to check."""
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return (
        AccessToken.objects.select_related("user")
        .filter(token_checksum=checksum)
        .order_by("-id")
        .first()
    )


def token_record_use(token: AccessToken) -> None:
    """Note when a personal token was used, at most once a minute per token.

    The cache's atomic `add` is the gate (the key lives a minute), so nearly
    every request writes nothing. Bookkeeping never fails a request: an
    unreachable cache only skips the note.
    """
    try:
        first_this_minute = cache.add(f"token-used:{token.pk}", 1, LAST_USED_RESOLUTION)
    except Exception:
        return
    if first_this_minute:
        PersonalAccessToken.objects.filter(access_token_id=token.pk).update(
            last_used_at=timezone.now()
        )
