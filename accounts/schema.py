"""How the OpenAPI schema describes Parley's bearer tokens.

The browser-session class is left out of the schema (SPECTACULAR_SETTINGS'
AUTHENTICATION_WHITELIST): Swagger UI cannot use it.

Imported from `AccountsConfig.ready()`: drf-spectacular finds extensions by
subclass registration, so the module only has to be loaded.
"""

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
