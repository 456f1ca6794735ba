from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.admin_sign_in import admin_sign_in
from goalchain.probes import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("goals.api.urls")),
    path("api/", include("workshops.api_urls")),
    path("api/", include("accounts.api_urls")),
    path(f"{settings.ADMIN_URL}login/", admin_sign_in, name="admin-sign-in"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("goals.urls")),
    path("", include("workshops.urls")),
    path("", include("accounts.urls")),
]

handler404 = "goals.api.errors.page_not_found"
