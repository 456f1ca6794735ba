"""The organisation page: business strategy, members and invitations, products."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from goalchain import parsers
from goals import access, exchange
from goals.errors import Conflict, DomainError
from goals.forms.organizations import (
    InviteForm,
    OrganizationEditForm,
    OrgRoleForm,
    ProductForm,
    ProductImportForm,
)
from goals.models import Invitation, Organization, OrganizationMembership, OrgRole
from goals.selectors.organizations import organization_memberships, pending_invitations
from goals.services.organizations import (
    organization_member_add,
    organization_member_remove,
    organization_member_set_role,
    organization_update,
    product_create,
)
from goals.views.common import AuthedRequest, page, stale_form, withdraw_invitation
from goals.wording import full_stop

# The new product's form sits beside the organisation's, which has a name field too.
NEW_PRODUCT_IDS = "product_%s"


@page
def organization(request: AuthedRequest, pk: int) -> HttpResponse:
    org = access.get_organization(request.user, pk)
    return _render(request, org)


@page
@require_POST
def organization_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    org = access.get_organization(request.user, pk)
    access.require_org_admin(org)
    form = OrganizationEditForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            organization_update(
                actor=request.user,
                organization=org,
                data=data,
                version=form.cleaned_data["version"],
            )
        except Conflict as error:
            form = stale_form(OrganizationEditForm, request.POST, org.version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Organisation settings saved.")
            return redirect("organization", org.pk)
    return _render(request, org, strategy_form=form, status=400)


@page
@require_POST
def member_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    org = access.get_organization(request.user, pk)
    access.require_org_admin(org)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            added = organization_member_add(
                actor=request.user, organization=org, **form.cleaned_data
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"Invitation sent to {added.email}.")
            return redirect("organization", org.pk)
    return _render(request, org, invite_form=form, status=400)


@page
@require_POST
def invitation_withdraw(request: AuthedRequest, pk: int, invitation_id: int) -> HttpResponse:
    org = access.get_organization(request.user, pk)
    access.require_org_admin(org)
    invitation = get_object_or_404(
        Invitation, pk=invitation_id, organization=org, product__isnull=True
    )
    withdraw_invitation(request, invitation)
    return redirect("organization", org.pk)


@page
@require_POST
def member_role(request: AuthedRequest, pk: int, member_id: int) -> HttpResponse:
    org, membership = _membership(request, pk, member_id)
    form = OrgRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError({"role": ["Choose a role."]})
        organization_member_set_role(membership=membership, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{membership.user.name} is now {membership.get_role_display().lower()}."
        )
    return redirect("organization", org.pk)


@page
@require_POST
def member_remove(request: AuthedRequest, pk: int, member_id: int) -> HttpResponse:
    org, membership = _membership(request, pk, member_id)
    try:
        organization_member_remove(membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, full_stop(f"{membership.user.name} was removed from {org.name}"))
    return redirect("organization", org.pk)


@page
@require_POST
def product_new(request: AuthedRequest, pk: int) -> HttpResponse:
    org = access.get_organization(request.user, pk)
    access.require_org_admin(org)
    form = ProductForm(request.POST, auto_id=NEW_PRODUCT_IDS)
    if form.is_valid():
        try:
            product = product_create(actor=request.user, organization=org, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"{product.name} is ready: start with its vision.")
            return redirect("product-chain", product.pk)
    return _render(request, org, product_form=form, status=400)


@page
@require_POST
def product_import(request: AuthedRequest, pk: int) -> HttpResponse:
    org = access.get_organization(request.user, pk)
    access.require_org_admin(org)
    form = ProductImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = parsers.loads(form.cleaned_data["document"].read())
        except parsers.TooDeep as error:
            form.add_error("document", str(error))
        except ValueError:
            form.add_error("document", "This file is not JSON: choose a Goal Chain export.")
        else:
            try:
                imported = exchange.import_document(
                    actor=request.user,
                    organization=org,
                    document=document,
                    name=form.cleaned_data["name"],
                )
            except DomainError as error:
                for where, problems in error.errors.items():
                    for problem in problems:
                        if where == "name":
                            form.add_error("name", problem)
                        else:
                            form.add_error("document", f"{where}: {problem}")
            else:
                note = ""
                if imported.unmatched_people:
                    note = (
                        " Not in this organisation, so their goals are yours now: "
                        + ", ".join(imported.unmatched_people)
                        + "."
                    )
                messages.success(request, full_stop(f"Imported {imported.product.name}") + note)
                return redirect("product-chain", imported.product.pk)
    return _render(request, org, import_form=form, status=400)


def _membership(
    request: AuthedRequest, pk: int, member_id: int
) -> tuple[Organization, OrganizationMembership]:
    org = access.get_organization(request.user, pk)
    access.require_org_admin(org)
    membership = get_object_or_404(
        OrganizationMembership.objects.select_related("user"), pk=member_id, organization=org
    )
    return org, membership


def _render(
    request: AuthedRequest, org: Organization, *, status: int = 200, **forms: Any
) -> HttpResponse:
    is_admin = org.my_org_role == OrgRole.ADMIN  # type: ignore[attr-defined]
    products = access.visible_products(request.user).filter(organization=org)
    context = {
        "organization": org,
        "is_admin": is_admin,
        "members": organization_memberships(org),
        "invitations": pending_invitations(org) if is_admin else [],
        "products": [(p, access.role_of(p)) for p in products],
        "role_choices": OrgRole.choices,
        "strategy_form": forms.get("strategy_form")
        or OrganizationEditForm(
            initial={
                "name": org.name,
                "business_strategy": org.business_strategy,
                "time_zone": org.time_zone,
                "email_domain": org.email_domain,
                "sso_only": org.sso_only,
                "require_two_factor": org.require_two_factor,
                "version": org.version,
            }
        ),
        "invite_form": forms.get("invite_form") or InviteForm(),
        "product_form": forms.get("product_form") or ProductForm(auto_id=NEW_PRODUCT_IDS),
        "import_form": forms.get("import_form") or ProductImportForm(),
    }
    return render(request, "goals/organization.html", context, status=status)
