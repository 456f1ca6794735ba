"""Home: my organisations and products, my goals and key results."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import DomainError
from goals.forms.organizations import OrganizationForm
from goals.selectors.chain import my_goals, my_key_results
from goals.selectors.organizations import invitations_for
from goals.services.organizations import organization_create
from goals.views.common import AuthedRequest, page


@page
def home(request: AuthedRequest) -> HttpResponse:
    return _render_home(request, OrganizationForm())


@page
@require_POST
def organization_new(request: AuthedRequest) -> HttpResponse:
    form = OrganizationForm(request.POST)
    if form.is_valid():
        try:
            org = organization_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"{org.name} is ready. Invite your colleagues.")
            return redirect("organization", org.pk)
    return _render_home(request, form, status=400)


def _render_home(request: AuthedRequest, form: OrganizationForm, status: int = 200) -> HttpResponse:
    user = request.user
    products = list(access.visible_products(user))
    organizations = [
        (org, [(p, access.role_of(p)) for p in products if p.organization_id == org.pk])
        for org in access.visible_organizations(user)
    ]
    context = {
        "organizations": organizations,
        "goals": my_goals(user),
        "key_results": my_key_results(user),
        "invitations": invitations_for(user),
        "form": form,
    }
    return render(request, "goals/home.html", context, status=status)
