"""Turns domain errors into the API's error shapes: 400 field errors, 403, 404, 409, 413."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from goals.errors import NON_FIELD, DomainError, NotFound


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound):
        return Response({"detail": "Not found."}, status=404)
    if isinstance(exc, DomainError):
        if exc.status_code == 403:
            return Response({"detail": exc.message}, status=403)
        return Response(exc.errors, status=exc.status_code)
    if isinstance(exc, ParseError):
        # A body that is not JSON is a 400 like any other: errors keyed by field.
        return Response({NON_FIELD: [str(exc.detail)]}, status=400)
    if isinstance(exc, RequestDataTooBig):
        # Django would answer an HTML 400; the API says what is wrong, in JSON.
        return Response({"detail": "Request body is too large."}, status=413)
    return drf_exception_handler(exc, context)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown URLs under /api/ (`/api/goals/abc/`) answer in JSON like the API's other 404s."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# `{"field": ["message", ...]}`; nested input (a list of values, key results) nests its errors.
_FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
}
_ERRORS = {
    "400": ("Bad input: messages per field (`non_field_errors` for the rest).", "FieldErrors"),
    "401": ("Not signed in.", "ErrorDetail"),
    "403": ("Signed in but not allowed.", "ErrorDetail"),
    "404": ("Unknown or not visible to you.", "ErrorDetail"),
    "409": ("A version conflict, or not allowed in this phase or state.", "FieldErrors"),
    "413": ("The request body is too large.", "ErrorDetail"),
    "415": ("The body is not JSON, a form or multipart form data.", "ErrorDetail"),
}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the error responses
    this handler gives, so clients (and the API fuzzing) can rely on them."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(
        ErrorDetail=_DETAIL, FieldErrors=_FIELD_ERRORS
    )
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = ["400", "403", "404"]
            if operation.get("security"):
                codes.append("401")
            if method != "get":
                codes += ["409", "413", "415"]
            for code in codes:
                description, component = _ERRORS[code]
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result
