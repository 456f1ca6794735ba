"""Turns domain errors into the API's error shapes: 400 field errors, 403, 404, 409."""

from __future__ import annotations

from typing import Any

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
    return drf_exception_handler(exc, context)
