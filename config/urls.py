from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from config.views import api_not_found, landing

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/", include("config.docs_urls")),
    path("api/1.0/", include("campaigns.api.urls")),
    path("api/v1/", include("workspaces.api.urls")),
    path("api/v3/", include("workspaces.api.urls")),
    re_path(r"^api/", api_not_found),
]

if settings.PROMETHEUS_METRICS:
    urlpatterns.insert(0, path("", include("django_prometheus.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
