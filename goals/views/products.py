"""A product's chain page (the heart of the app) and its members page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import Conflict, DomainError
from goals.forms.goals import GoalCreateForm
from goals.forms.organizations import (
    ChainFilterForm,
    ProductEditForm,
    ProductMemberForm,
    ProductRoleForm,
)
from goals.models import Invitation, Level, Product, ProductMembership, User
from goals.rules.schedule import product_today
from goals.selectors import conversations, reviews
from goals.selectors.chain import parent_options
from goals.selectors.kept_chain import current_chain
from goals.selectors.organizations import pending_product_invitations, product_memberships
from goals.services import organizations
from goals.services.goals import goal_create
from goals.services.organizations import product_member_add, product_member_set_role, product_update
from goals.services.outcomes import lessons
from goals.views.common import (
    AuthedRequest,
    came_from,
    go_to,
    invalid_status,
    is_htmx,
    page,
    stale_form,
    swap,
    withdraw_invitation,
)
from goals.views.tree import HEALTH_LABELS, build_tree, find_node
from goals.wording import full_stop


@page
def product_chain(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    filters = ChainFilterForm(request.GET)
    return render(request, "goals/product_chain.html", _chain_context(product, filters))


# A node's key: the ids of the goals from the top of the tree down to it, joined by dashes.
_NODE_KEY = re.compile(r"[0-9]+(?:-[0-9]+)*")


@page
def product_branch(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    """The cards under one node of the chain (`key`, the path of ids from the top), for a
    folded branch of a big chain opened in the browser."""
    product = access.get_product(request.user, pk)
    if not _NODE_KEY.fullmatch(key):
        raise Http404("No such branch in this chain.")
    goal_id = int(key.split("-")[-1])
    context = _chain_context(product, ChainFilterForm({}), open_branch=goal_id)
    node = find_node(context["tree"], key)
    if node is None:
        raise Http404("No such branch in this chain.")
    if not is_htmx(request):  # its address opened as a page: the chain, with it open
        chain = reverse("product-chain", args=[product.pk])
        return redirect(f"{chain}?open={goal_id}#node-{key}")
    return render(request, "goals/_branch.html", {**context, "nodes": node.children})


@page
def goal_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """The add-a-goal form under a node of the chain (in place with htmx, else its own page)."""
    product = access.get_product(request.user, pk)
    access.require_role(product, access.EDITORS, "add goals")
    people = _people(product)
    slot = _slot(request.POST.get("slot") or request.GET.get("slot"))
    level = request.POST.get("level") or request.GET.get("level") or Level.VISION
    options = parent_options(product, level) if level in Level.values else []
    # Several add forms can be open on the chain page at once: keep their ids apart.
    auto_id = f"new-{slot}-%s" if slot else "id_%s"
    if request.method != "POST":
        me = request.user.pk if any(u.pk == request.user.pk for u in people) else None
        initial = {"level": level, "parent": request.GET.getlist("parent"), "owner": me}
        form = GoalCreateForm(
            initial=initial, people=people, parent_options=options, auto_id=auto_id
        )
        form.fields["title"].widget.attrs["autofocus"] = True
        return _render_goal_form(request, product, form, slot)
    form = GoalCreateForm(request.POST, people=people, parent_options=options, auto_id=auto_id)
    if form.is_valid():
        data = dict(form.cleaned_data)
        parents = data.pop("parent", [])
        try:
            goal = goal_create(actor=request.user, product=product, parents=parents, **data)
        except DomainError as error:
            form.show_errors(error)
        else:
            added = f"“{goal.title}” was added to the chain."
            chain_url = reverse("product-chain", args=[product.pk])
            if not came_from(request, chain_url):
                messages.success(request, added)
                return go_to(request, f"{chain_url}#goal-{goal.pk}")
            # Redraw the whole tree: the new goal changes its parents' progress and health too.
            filters = ChainFilterForm(_current_query(request))
            context = {**_chain_context(product, filters, focus=goal.pk), "notice": added}
            return swap(render(request, "goals/product_chain.html#chain", context), "#chain")
    return _render_goal_form(request, product, form, slot, status=invalid_status(request))


@page
def product_members(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    if request.method != "POST":
        return _render_members(request, product)
    access.require_role(product, (access.Role.LEADER,), "add members")
    form = ProductMemberForm(request.POST)
    if form.is_valid():
        try:
            added = product_member_add(actor=request.user, product=product, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"Invitation sent to {added.email}.")
            return redirect("product-members", product.pk)
    return _render_members(request, product, member_form=form, status=400)


@page
@require_POST
def product_invitation_withdraw(
    request: AuthedRequest, pk: int, invitation_id: int
) -> HttpResponse:
    product = access.get_product(request.user, pk)
    access.require_role(product, (access.Role.LEADER,), "withdraw invitations")
    invitation = get_object_or_404(Invitation, pk=invitation_id, product=product)
    withdraw_invitation(request, invitation)
    return redirect("product-members", product.pk)


@page
@require_POST
def product_member_role(request: AuthedRequest, pk: int, member_id: int) -> HttpResponse:
    product, membership = _membership(request, pk, member_id)
    form = ProductRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError({"role": ["Choose a role."]})
        product_member_set_role(membership=membership, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        role = membership.get_role_display().lower()
        messages.success(request, f"{membership.user.name} is now a {role}.")
    return redirect("product-members", product.pk)


@page
@require_POST
def product_member_remove(request: AuthedRequest, pk: int, member_id: int) -> HttpResponse:
    product, membership = _membership(request, pk, member_id)
    try:
        organizations.product_member_remove(membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, full_stop(f"{membership.user.name} was taken off {product.name}"))
    return redirect("product-members", product.pk)


@page
@require_POST
def product_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    access.require_role(product, (access.Role.LEADER,), "edit the product")
    form = ProductEditForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            product_update(
                actor=request.user, product=product, data=data, version=form.cleaned_data["version"]
            )
        except Conflict as error:
            form = stale_form(ProductEditForm, request.POST, product.version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Product saved.")
            return redirect("product-members", product.pk)
    return _render_members(request, product, product_form=form, status=400)


def _chain_context(
    product: Product,
    filters: ChainFilterForm,
    focus: int | None = None,
    open_branch: int | None = None,
) -> dict[str, Any]:
    chain = current_chain(product)
    level, status = filters.filters()
    opened, expand = filters.unfolding()
    return {
        "product": product,
        "organization": product.organization,
        "chain": chain,
        "review_today": product_today(product),
        "wins": reviews.wins(chain.goals),
        "tree": build_tree(
            chain,
            level=level,
            status=status,
            focus=focus,
            open_branch=open_branch or opened,
            expand=expand,
            insight_counts=conversations.insight_counts(product),
        ),
        "filters": filters,
        "can_edit": access.can_edit_goals(product),
        "role": access.role_of(product),
        "health_labels": HEALTH_LABELS,
        "focus": focus,
    }


def _render_goal_form(
    request: AuthedRequest, product: Product, form: GoalCreateForm, slot: str, status: int = 200
) -> HttpResponse:
    level = form["level"].value()
    context = {
        "product": product,
        "organization": product.organization,
        "form": form,
        "level_label": Level(level).label if level in Level.values else "Goal",
        "slot": slot,
        "lessons": lessons(product_id=product.pk, level=level) if level in Level.values else [],
    }
    template = "goals/goal_new.html#form" if is_htmx(request) else "goals/goal_new.html"
    return render(request, template, context, status=status)


def _slot(value: str | None) -> str:
    """The node key an add form belongs to: ids joined by dashes, or "vision"."""
    value = value or ""
    return value if value == "vision" or value.replace("-", "").isdigit() else ""


def _people(product: Product) -> list[User]:
    return [m.user for m in product_memberships(product)]


def _current_query(request: AuthedRequest) -> QueryDict:
    """The filters of the page the htmx request came from, so a redraw keeps them."""
    url = request.htmx.current_url or ""  # type: ignore[attr-defined]
    return QueryDict(urlsplit(url).query)


def _membership(
    request: AuthedRequest, pk: int, member_id: int
) -> tuple[Product, ProductMembership]:
    product = access.get_product(request.user, pk)
    access.require_role(product, (access.Role.LEADER,), "change members")
    membership = get_object_or_404(
        ProductMembership.objects.select_related("user"), pk=member_id, product=product
    )
    return product, membership


def _render_members(
    request: AuthedRequest, product: Product, *, status: int = 200, **forms: Any
) -> HttpResponse:
    can_lead = access.can_lead(product)
    context = {
        "product": product,
        "organization": product.organization,
        "members": product_memberships(product),
        "invitations": pending_product_invitations(product) if can_lead else [],
        "can_lead": can_lead,
        "role_choices": ProductMembership._meta.get_field("role").choices,
        "member_form": forms.get("member_form") or ProductMemberForm(),
        "product_form": forms.get("product_form")
        or ProductEditForm(
            initial={
                "name": product.name,
                "portfolio_strategy": product.portfolio_strategy,
                "version": product.version,
            }
        ),
        "organization_emails": (
            User.objects.filter(org_memberships__organization_id=product.organization_id)
            .exclude(product_memberships__product=product)
            .values_list("email", flat=True)
            if can_lead
            else []
        ),
    }
    return render(request, "goals/product_members.html", context, status=status)
