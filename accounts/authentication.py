"""`Authorization: Bearer <token>` for both APIs.

Returns None when no bearer header is sent (so DRF raises NotAuthenticated,
which each dialect renders as its "not logged in" error) and raises
AuthenticationFailed for an unknown, expired or revoked token (Twist: 403
code 200; Kanka: 401).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.tokens import access_token_lookup, token_record_use
from conversations.exceptions import AccountSuspended

BEARER_CHALLENGE = 'Bearer realm="api"'


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token"))
        try:
            raw = parts[1].decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token")) from None
        token = access_token_lookup(raw)
        if token is None or token.user is None or not token.is_valid():
            raise exceptions.AuthenticationFailed(_("Invalid token"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token"))
        token_record_use(token)
        return (token.user, token)

    def authenticate_header(self, request):
        return BEARER_CHALLENGE


def bearer_challenge(exc) -> str:
    """The `WWW-Authenticate` value of a 401 (RFC 6750 §3).

    A request without a bearer token gets the bare challenge; one whose
    token was refused also gets `error="invalid_token"`.
    """
    if isinstance(exc, exceptions.AuthenticationFailed):
        return f'{BEARER_CHALLENGE}, error="invalid_token"'
    return BEARER_CHALLENGE


def token_has_scope(auth, scope: str) -> bool:
    """Whether the request's credentials grant `scope`.

    Twist's scopes nest (remove ⊇ write ⊇ read, per its scope descriptions),
    so `messages:remove` also grants `messages:write` and `messages:read`.
    A browser session (no token) acts with the user's full rights.
    """
    if auth is None or not hasattr(auth, "scope"):
        return True
    granted = set((auth.scope or "").split())
    resource, _, level = scope.partition(":")
    implied = {"read": ("read", "write", "remove"), "write": ("write", "remove")}.get(
        level, (level,)
    )
    return any(f"{resource}:{lvl}" in granted for lvl in implied)


class BrowserSessionAuthentication(SessionAuthentication):
    """The admin's session login, honoured only for a browser (Accept: text/html).

    API clients authenticate with a bearer token only: a cookie a script
    happens to carry never authenticates it. The browsable API asks for HTML,
    so a developer logged in to the admin can explore both APIs.
    """

    def authenticate(self, request):
        if "text/html" not in request.META.get("HTTP_ACCEPT", ""):
            return None
        return super().authenticate(request)


class SessionReadsOnlyBySafeMethods(BasePermission):
    """With a browser session, GET (HEAD, OPTIONS) only ever reads.

    A cross-site link or image makes the browser send a GET with the session
    cookie and no CSRF token, so a session writes only by POST, PUT, PATCH or
    DELETE, where `SessionAuthentication` checks the CSRF token. A view whose
    safe methods write too (the workspace API's RPC methods answer
    GET, workspace-api.md §3.1)
    says so with `writes`; bearer-token clients are not concerned.
    """

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS:
            return True
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            return True
        return not getattr(view, "writes", False)


class SuspendedUsersOnlyRead(BasePermission):
    """A suspended user's token still reads; every write is the dialect's 403.

    Reads stay so the user can see what they wrote and what they were
    suspended for (and Twist's `removed: true` says so to their client). A
    write is a Twist method whose scope is not a read one (`view.writes`), or
    any other method than GET, HEAD and OPTIONS.
    """

    def has_permission(self, request, view):
        user = request.user
        if not getattr(user, "is_suspended", False):
            return True
        if getattr(view, "writes", request.method not in SAFE_METHODS):
            until = user.suspended_until
            raise AccountSuspended(
                f"This account is suspended until {until:%Y-%m-%d %H:%M} UTC." if until else None
            )
        return True
