"""How the OpenAPI schema describes Parley's two authentication classes.

Imported from `AccountsConfig.ready()`: drf-spectacular finds extensions by
subclass registration, so the module only has to be loaded.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "`Authorization: Bearer <token>`: a personal access token "
                "(`manage.py create_token`, or `seed_demo` for the demo users) or an "
                "OAuth2 access token from the authorization-code flow under `/o/`. "
                "The workspace API checks Twist scopes (`messages:read`, "
                "`messages:write`, `messages:remove`); the campaign API needs none."
            ),
        }


class BrowserSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BrowserSessionAuthentication"
    name = "browserSession"
    # Wins over drf-spectacular's own extension for SessionAuthentication,
    # which would otherwise match this subclass.
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The admin's login session, honoured only for requests that accept "
                "`text/html` (the browsable API); API clients use a bearer token."
            ),
        }
