"""The API's page numbers: `?page=` and `?page_size=` are whole numbers from 1, or a 400."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from goalchain.compiled import Compiled
from goals.models import MAX_ID


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self._check(request)
        return super().paginate_queryset(queryset, request, view)

    def _check(self, request: Request) -> None:
        _check_positive(request, self.page_query_param, "Give the page number: 1, 2, 3…")
        _check_positive(
            request,
            self.page_size_query_param,
            f"Give how many to list a page: 1 to {self.max_page_size}.",
        )

    def page_of(self, rows: Compiled, values: list[int], request: Request) -> list[Any]:
        """The primary keys of the page asked for of `rows` (a query of primary keys, each
        with the count of all rows beside it, as `counted` makes; run with `values`), as
        paginate_queryset would give its rows, in one query: the count of all rows comes
        with the page instead of a query of its own."""
        self._check(request)
        self.request = request
        size = self.get_page_size(request) or self.page_size
        number = int(request.query_params.get(self.page_query_param) or 1)
        start = (number - 1) * size
        found: list[tuple[Any, ...]] = []
        if start + size <= MAX_ID:  # beyond, no table has rows; the database would refuse
            found = rows.page(*values, start=start, size=size)
        paginator = _Counted(found[0][1] if found else 0, size)
        try:
            paginator.validate_number(number)
        except InvalidPage as error:
            message = self.invalid_page_message.format(page_number=number, message=str(error))
            raise NotFound(message) from None
        self.page = Page([pk for pk, _ in found], number, paginator)
        return list(self.page)

    @staticmethod
    def counted(queryset: QuerySet[Any]) -> QuerySet[Any]:
        """A query's primary keys with the count of all its rows beside each (a window)."""
        return queryset.annotate(listed=Window(Count("pk"))).values_list("pk", "listed")

    def response_around(self, bodies: list[bytes]) -> HttpResponse:
        """The page as get_paginated_response writes it, around results already written as
        JSON (cached goal bodies): they go into the envelope as they are, not read back into
        Python only to be written again."""
        envelope = orjson.dumps(
            {
                "count": self.page.paginator.count if self.page is not None else len(bodies),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
            }
        )
        body = envelope[:-1] + b',"results":[' + b",".join(bodies) + b"]}"
        return HttpResponse(body, content_type="application/json")

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def _check_positive(request: Request, name: str, message: str) -> None:
    value = request.query_params.get(name)
    if value is None:
        return
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID):
        raise serializers.ValidationError({name: [message]})


class _Counted(Paginator):
    """A paginator told its count, for a page read with the count beside it."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self.count = count
