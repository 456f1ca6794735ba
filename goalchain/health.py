"""A health probe for load balancers and container orchestration, and the benchmarks'
bare endpoint."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def bare_json(request: HttpRequest) -> JsonResponse:
    """The least a Django JSON view can do, through the same middleware as every request:
    no authentication, no database. Served only when GOALCHAIN_BENCH_ENDPOINT=1."""
    return JsonResponse({"ok": True})
