"""The OpenAPI schema of both APIs and its two viewers, every asset served locally."""

from functools import wraps

from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularJSONAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

# The viewers' own scripts still reach out (ReDoc's sidebar footer fetches
# Redocly's logo from cdn.redoc.ly): the browser is told to load nothing that
# this server does not serve. Both pages run an inline init script and inject
# inline styles; ReDoc's search runs in a blob: worker.
LOCAL_ONLY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'self'"
)


def local_assets_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = LOCAL_ONLY
        return response

    return wrapped


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The viewers read JSON: parsed faster in the browser than the YAML /schema/ defaults to.
    path("schema.json", SpectacularJSONAPIView.as_view(), name="schema-json"),
    path(
        "docs/",
        local_assets_only(SpectacularSwaggerView.as_view(url_name="schema-json")),
        name="swagger-ui",
    ),
    path(
        "redoc/",
        local_assets_only(
            SpectacularRedocView.as_view(url_name="schema-json", template_name="docs/redoc.html")
        ),
        name="redoc",
    ),
]
