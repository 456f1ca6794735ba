"""Planning workshops: a product's workshops, the plan-a-workshop form, who takes part."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import Conflict, DomainError, Forbidden
from goals.models import Level, Product, ProductRole, Status, User
from goals.selectors.chain import parent_options
from goals.selectors.organizations import product_memberships
from goals.views.common import AuthedRequest, invalid_status, is_htmx, page, stale_form
from workshops import selectors
from workshops.access import can_run, get_workshop
from workshops.forms import CancelForm, ParticipantsForm, WorkshopEditForm, WorkshopForm
from workshops.models import Participant, Workshop
from workshops.services import setup
from workshops.services.setup import participant_add, workshop_create, workshop_update


@page
def workshop_list(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    context = {
        "product": product,
        "organization": product.organization,
        "workshops": selectors.product_workshops(request.user, product),
        "can_plan": access.can_lead(product),
    }
    return render(request, "workshops/workshop_list.html", context)


@page
def workshop_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Plan a workshop; with htmx, a new target level redraws only its parent and rule fields."""
    product = access.get_product(request.user, pk)
    access.require_role(product, (access.Role.LEADER,), "plan workshops")
    data = request.POST if request.method == "POST" else None
    level = (data or request.GET).get("target_level") or Level.PRODUCT
    level = level if level in Level.values else Level.PRODUCT
    form = _workshop_form(request, product, level, data)
    if request.method != "POST":
        if is_htmx(request):
            context = {"form": form, "product": product}
            return render(request, "workshops/workshop_new.html#level-fields", context)
        return _render_new(request, product, form)
    if form.is_valid():
        try:
            workshop = workshop_create(actor=request.user, product=product, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"“{workshop.title}” is planned. Now invite who takes part.")
            return redirect("workshop-participants", workshop.pk)
    return _render_new(request, product, form, status=400)


def _facilitators(product: Product) -> list[User]:
    members = product_memberships(product)
    return [m.user for m in members if m.role in (ProductRole.LEADER, ProductRole.TEAM)]


def _workshop_form(request: AuthedRequest, product: Product, level: str, data: Any) -> WorkshopForm:
    facilitators = _facilitators(product)
    me = request.user.pk if any(u.pk == request.user.pk for u in facilitators) else None
    parents = [goal for goal in parent_options(product, level) if goal.status != Status.DROPPED]
    form = WorkshopForm(
        data,
        level=level,
        parent_options=parents,
        facilitators=facilitators,
        initial={"target_level": level, "facilitator": me},
    )
    # A new target level redraws the parent choices and the default rule in place.
    form.fields["target_level"].widget.attrs.update(
        {
            "hx-get": reverse("workshop-new", args=[product.pk]),
            "hx-target": "#level-fields",
            "hx-swap": "outerHTML",
        }
    )
    return form


def _render_new(
    request: AuthedRequest, product: Product, form: WorkshopForm, status: int = 200
) -> HttpResponse:
    context = {"product": product, "organization": product.organization, "form": form}
    return render(request, "workshops/workshop_new.html", context, status=status)


@page
def workshop_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit or reschedule a workshop before its decision (how it votes only while planned)."""
    workshop = _runnable(request, pk)
    form = WorkshopEditForm(
        request.POST if request.method == "POST" else None,
        workshop=workshop,
        facilitators=_facilitators(workshop.product),
    )
    if request.method == "POST" and form.is_valid():
        try:
            workshop_update(
                actor=request.user,
                workshop=workshop,
                data=form.changes(),
                version=form.cleaned_data["version"],
            )
        except Conflict as error:
            if "version" not in error.errors:
                form.show_errors(error)
            else:
                form = stale_form(
                    WorkshopEditForm,
                    request.POST,
                    Workshop.objects.get(pk=workshop.pk).version,
                    error,
                    workshop=workshop,
                    facilitators=_facilitators(workshop.product),
                )
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "The workshop is saved.")
            return redirect("workshop-room", workshop.pk)
    status = invalid_status(request) if form.is_bound else 200
    return render(
        request, "workshops/workshop_edit.html", _context(workshop, form=form), status=status
    )


@page
def workshop_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Call a workshop off before its decision, saying why; participants get one email."""
    workshop = _runnable(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.workshop_cancel(
                actor=request.user, workshop=workshop, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(
                request, f"“{workshop.title}” is cancelled. Every participant gets an email."
            )
            return redirect("workshop-room", workshop.pk)
    status = invalid_status(request) if form.is_bound else 200
    return render(
        request, "workshops/workshop_cancel.html", _context(workshop, form=form), status=status
    )


def _context(workshop: Workshop, **extra: Any) -> dict[str, Any]:
    return {
        "workshop": workshop,
        "product": workshop.product,
        "organization": workshop.product.organization,
        **extra,
    }


@page
def workshop_participants(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who takes part: add product members as voters or observers, take them out again."""
    workshop = _runnable(request, pk)
    seats = selectors.participants(workshop)
    form = ParticipantsForm(request.POST or None, candidates=_candidates(workshop, seats))
    if request.method == "POST" and form.is_valid():
        people: list[User] = form.cleaned_data["members"]
        try:
            with transaction.atomic():
                for person in people:
                    participant_add(
                        actor=request.user,
                        workshop=workshop,
                        user=person,
                        can_vote=form.cleaned_data["role"],
                    )
        except DomainError as error:
            form.add_error("members", f"{person.name}: {error.message}")
        else:
            names = ", ".join(person.name for person in people)
            messages.success(request, f"Invited {names}. They get an email with the time and link.")
            return redirect("workshop-participants", workshop.pk)
    context = {
        "workshop": workshop,
        "product": workshop.product,
        "organization": workshop.product.organization,
        "seats": seats,
        "form": form,
    }
    status = invalid_status(request) if form.is_bound else 200
    return render(request, "workshops/participants.html", context, status=status)


@page
@require_POST
def participant_remove(request: AuthedRequest, pk: int, participant_id: int) -> HttpResponse:
    workshop = _runnable(request, pk)
    seat = get_object_or_404(
        Participant.objects.select_related("user", "workshop"), pk=participant_id, workshop=workshop
    )
    setup.participant_remove(actor=request.user, participant=seat)
    messages.success(request, f"{seat.user.name} no longer takes part in “{workshop.title}”.")
    return redirect("workshop-participants", workshop.pk)


def _runnable(request: AuthedRequest, pk: int) -> Workshop:
    """A workshop this person runs: its facilitator or a leader of its product."""
    workshop = get_workshop(request.user, pk)
    if not can_run(workshop, request.user):
        raise Forbidden("Only the facilitator or a product leader can do this.")
    return workshop


def _candidates(workshop: Workshop, seats: list[Participant]) -> list[tuple[User, str]]:
    """Product members without a seat yet, each with their role in the product."""
    seated = {seat.user_id for seat in seats}
    return [
        (m.user, m.get_role_display().lower())
        for m in product_memberships(workshop.product)
        if m.user_id not in seated
    ]
