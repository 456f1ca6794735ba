from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from goalchain.health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("goals.api.urls")),
    path("api/", include("workshops.api_urls")),
    path("admin/", admin.site.urls),
    path("", include("goals.urls")),
    path("", include("workshops.urls")),
]
