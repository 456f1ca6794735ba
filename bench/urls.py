"""The URLs of the benchmarks' servers (bench/settings.py routes here; production never does):
the app's own, with its 404 handler, and the bare JSON endpoint `/bench/bare/` that
bench/throughput.py measures the API against."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from goalchain.urls import handler404 as handler404
from goalchain.urls import urlpatterns as app_urlpatterns


@require_GET
def bare_json(request: HttpRequest) -> JsonResponse:
    """The least a Django JSON view can do, through the same middleware as every request:
    no authentication, no database. Served only under bench.settings."""
    return JsonResponse({"ok": True})


urlpatterns = [*app_urlpatterns, path("bench/bare/", bare_json, name="bench-bare")]
