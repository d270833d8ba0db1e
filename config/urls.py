from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from campaigns.api.errors import page_not_found
from config.media import media_file
from config.views import landing
from events import views as event_views
from events.campaign_api import CampaignWebhookViewSet
from events.workspace_api import METHODS as HOOK_METHODS
from workspaces.api.attachments import attachment_file

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/", include("config.docs_urls")),
    # Event streams: served by events.asgi under ASGI; these answer 501 under WSGI.
    path("api/1.0/campaigns/<str:campaign_id>/events", event_views.CampaignEventsView.as_view()),
    path("api/v1/events", event_views.WorkspaceEventsView.as_view()),
    path("api/v3/events", event_views.WorkspaceEventsV3View.as_view()),
    # Webhook management, Kanka dialect (events.md §4.1).
    path(
        "api/1.0/campaigns/<str:campaign_id>/webhooks",
        CampaignWebhookViewSet.as_view({"get": "list", "post": "create"}),
    ),
    path(
        "api/1.0/campaigns/<str:campaign_id>/webhooks/<str:pk>",
        CampaignWebhookViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
    ),
    *(
        path(
            f"api/1.0/campaigns/<str:campaign_id>/webhooks/<str:pk>/{action}",
            CampaignWebhookViewSet.as_view({method: action}),
        )
        for action, method in (("rotate_secret", "post"), ("test", "post"), ("deliveries", "get"))
    ),
    # Webhook management, Twist dialect (events.md §4.2).
    *(
        path(f"api/{prefix}/{route}", view.as_view())
        for prefix in ("v1", "v3")
        for route, view in HOOK_METHODS.items()
    ),
    path("api/1.0/", include("campaigns.api.urls")),
    path("api/v1/", include("workspaces.api.urls")),
    path("api/v3/", include("workspaces.api.urls")),
    # Workspace attachments: capability URLs, no authentication (workspace-api-extras.md §4.4).
    path("attachments/<str:key>/<str:file_name>", attachment_file, name="attachment-file"),
    # Every other /api/ URL, whatever the method: JSON, never Django's HTML 404.
    re_path(r"^api/", page_not_found),
]

if settings.PROMETHEUS_METRICS:
    urlpatterns.insert(0, path("", include("django_prometheus.urls")))

if settings.MEDIA_URL.startswith("/"):
    # Served here in production too (config/media.py); an absolute MEDIA_URL
    # (a CDN or object storage) serves the files itself.
    urlpatterns.append(path(f"{settings.MEDIA_URL[1:]}<path:name>", media_file, name="media"))
