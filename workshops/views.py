"""Pages of the workshop room."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from goals.views.common import AuthedRequest, page
from workshops import selectors


@page
def room(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = selectors.get_workshop(request.user, pk)
    return render(
        request,
        "workshops/room.html",
        {
            "workshop": workshop,
            "product": workshop.product,
            "organization": workshop.product.organization,
        },
    )
