"""Personal access tokens, issued as django-oauth-toolkit AccessTokens.

Both kinds of bearer token (personal and OAuth2 authorization-code) live in
one table, so one authentication class serves both. Only a SHA-256 checksum
is stored (OAUTH2_PROVIDER["COMPLIANT_BCP_RFC9700_TOKEN_STORAGE"]): a leaked
database holds no usable token.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value

from accounts.models import PersonalAccessToken, User

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
    """The stored token for a raw bearer value, with its user, or None; expiry is the caller's.

    Hot path: every API request authenticates first. The ORM spent ~2 ms
    compiling and building this one join, against ~0.3 ms for the
    statement itself, so the statement is written out once (`_lookup_sql`)
    and the two instances are built from its row with the fields' own
    database converters: the same objects `select_related("user")` gives.
    """
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    token_fields, user_fields = _concrete_fields(AccessToken), _concrete_fields(User)
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(connection.ops.quote_name), [checksum])
        row = cursor.fetchone()
    if row is None:
        return None
    token = _from_row(AccessToken, token_fields, row[: len(token_fields)])
    user_row = row[len(token_fields) :]
    token.user = None if user_row[0] is None else _from_row(User, user_fields, user_row)
    return token


@functools.cache
def _concrete_fields(model) -> tuple:
    return tuple(model._meta.concrete_fields)


@functools.cache
def _lookup_sql(quote) -> str:
    """The newest token with this checksum, and its user's row (NULLs when it has none)."""
    token_table, user_table = AccessToken._meta.db_table, User._meta.db_table
    columns = [
        f"{quote(field.model._meta.db_table)}.{quote(field.column)}"
        for model in (AccessToken, User)
        for field in _concrete_fields(model)
    ]
    token, user = quote(token_table), quote(user_table)
    user_id = quote(AccessToken._meta.get_field("user").column)
    return (
        f"SELECT {', '.join(columns)} FROM {token} LEFT JOIN {user}"
        f" ON {user}.{quote(User._meta.pk.column)} = {token}.{user_id}"
        f" WHERE {token}.{quote('token_checksum')} = %s"
        f" ORDER BY {token}.{quote(AccessToken._meta.pk.column)} DESC LIMIT 1"
    )


def _from_row(model, fields: tuple, values: tuple):
    """An instance from raw column values, converted as the ORM converts them (dates on SQLite)."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, None, converted)


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
