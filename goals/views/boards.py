"""Seeing alignment: the health dashboard, the as-you-type quality check, the Product Vision
Board, the GO roadmap, the sprint goal board and the organisation's portfolio."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import Conflict, DomainError, NotFound
from goals.forms.boards import (
    QualitySettingsForm,
    TimeframeForm,
    VisionBoardForm,
    draft_from_form,
)
from goals.models import Goal, Level, Product
from goals.rules.quality import RULES, QualitySettings
from goals.selectors import boards, quality
from goals.selectors.kept_chain import current_chain
from goals.services.boards import quality_settings_update, vision_board_update
from goals.services.goals import goal_update
from goals.views.common import AuthedRequest, page, stale_form
from goals.views.tree import HEALTH_LABELS

# Health dashboard ---------------------------------------------------------------------------


@page
def product_health(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    return _render_health(request, product)


@page
@require_POST
def quality_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    access.require_role(product, (access.Role.LEADER,), "change the quality checks")
    form = QualitySettingsForm(request.POST)
    if form.is_valid():
        try:
            quality_settings_update(
                actor=request.user,
                product=product,
                rules_off=form.rules_off(),
                max_live_product_goals=form.cleaned_data["max_live_product_goals"],
                version=form.cleaned_data["version"],
            )
        except Conflict as error:
            form = stale_form(QualitySettingsForm, request.POST, product.version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Quality checks saved.")
            return redirect("product-health", product.pk)
    return _render_health(request, product, settings_form=form, status=400)


def _render_health(
    request: AuthedRequest,
    product: Product,
    *,
    settings_form: QualitySettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    chain = current_chain(product)
    today = timezone.localdate()
    can_lead = access.can_lead(product)
    tallies = quality.rule_tallies(chain)
    if can_lead and settings_form is None:
        settings = QualitySettings.of(product)
        settings_form = QualitySettingsForm(
            initial={
                "rules_on": [r.code for r in RULES if r.code not in settings.off],
                "max_live_product_goals": settings.max_live_product_goals,
                "version": product.version,
            }
        )
    context = {
        "product": product,
        "organization": product.organization,
        "chain": chain,
        "trend": boards.health_trend(product, today=today, score=chain.score),
        "groups": boards.finding_groups(chain, HEALTH_LABELS),
        "tallies": tallies,
        "settings_form": settings_form,
        # The checkboxes in the order of RULES, each with what its rule finds.
        "rule_options": list(zip(settings_form["rules_on"], tallies, strict=True))
        if settings_form
        else [],
    }
    return render(request, "goals/boards/health.html", context, status=status)


# Goal quality as people type -----------------------------------------------------------------


@page
@require_POST
def quality_check(request: AuthedRequest, pk: int) -> HttpResponse:
    """The quality findings of a goal or proposal form as typed so far, as an HTML fragment.

    Posts the form's fields plus `level` (and `goal`, the id of a goal being edited;
    `prefix`, the form's prefix if it has one). See templates/goals/quality/_live.html."""
    product = access.get_product(request.user, pk)
    level = request.POST.get("level", "")
    goal = _edited_goal(request, product)
    advice = []
    if level in Level.values:
        prefix = request.POST.get("prefix", "")
        draft = draft_from_form(request.POST, level=level, prefix=prefix, saved=goal)
        advice = quality.draft_quality(
            product, draft, today=timezone.localdate(), editing=goal.pk if goal else None
        )
    return render(request, "goals/quality/_findings.html", {"advice": advice})


def _edited_goal(request: AuthedRequest, product: Product) -> Goal | None:
    if not request.POST.get("goal"):
        return None
    goal = access.get_goal(request.user, request.POST["goal"])
    if goal.product_id != product.pk:
        raise NotFound()
    return goal


# Product Vision Board -------------------------------------------------------------------------


@page
def vision_board(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    if request.method != "POST":
        return _render_vision_board(request, product)
    access.require_role(product, (access.Role.LEADER,), "edit the Vision Board")
    form = VisionBoardForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            vision_board_update(
                actor=request.user,
                product=product,
                data=data,
                version=form.cleaned_data["version"],
            )
        except Conflict as error:
            product = access.get_product(request.user, pk)
            form = stale_form(VisionBoardForm, request.POST, product.version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Vision Board saved.")
            return redirect("product-vision-board", product.pk)
    return _render_vision_board(request, product, form=form, status=400)


def _render_vision_board(
    request: AuthedRequest,
    product: Product,
    *,
    form: VisionBoardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_lead = access.can_lead(product)
    if can_lead and form is None:
        fields = ("target_group", "needs", "product_summary", "version")
        form = VisionBoardForm(initial={name: getattr(product, name) for name in fields})
    context = {
        "product": product,
        "organization": product.organization,
        "board": boards.vision_board(product),
        "form": form,
    }
    return render(request, "goals/boards/vision_board.html", context, status=status)


# GO roadmap -----------------------------------------------------------------------------------


@page
def product_roadmap(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    everything = request.GET.get("all") == "1"
    chain = current_chain(product)
    context = {
        "product": product,
        "organization": product.organization,
        "roadmap": boards.roadmap(chain, today=timezone.localdate(), everything=everything),
        "everything": everything,
        "can_edit": access.can_edit_goals(product),
        "reason_form": TimeframeForm(auto_id="reason-%s"),
    }
    return render(request, "goals/boards/roadmap.html", context)


@page
@require_POST
def roadmap_timeframe(request: AuthedRequest, pk: int, goal_id: int) -> JsonResponse:
    """A product goal's edge dragged on the roadmap (static/js/roadmap.js): JSON in reply.

    200 with the goal's new timeframe and version; 400 with field errors (an agreed goal
    needs `change_reason`); 409 when someone changed the goal since, with what it is now."""
    product = access.get_product(request.user, pk)
    goal = access.get_goal(request.user, goal_id)
    if goal.product_id != product.pk or goal.level != Level.PRODUCT:
        raise NotFound()
    access.require_role(goal, access.EDITORS, "change timeframes")
    form = TimeframeForm(request.POST)
    if not form.is_valid():
        errors = {name: [str(e) for e in problems] for name, problems in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    data = form.cleaned_data
    try:
        goal = goal_update(
            actor=request.user,
            goal=goal,
            data={"starts_on": data["starts_on"], "ends_on": data["ends_on"]},
            version=data["version"],
            change_reason=data["change_reason"] or "",
        )
    except Conflict as error:
        now = Goal.objects.get(pk=goal.pk)
        return JsonResponse({"errors": error.errors, "goal": _bar(now)}, status=409)
    except DomainError as error:
        return JsonResponse({"errors": error.errors}, status=400)
    return JsonResponse({"goal": _bar(goal)})


def _bar(goal: Goal) -> dict[str, Any]:
    starts_on, ends_on = goal.starts_on, goal.ends_on
    return {
        "id": goal.pk,
        "title": goal.title,
        "status": goal.status,
        "version": goal.version,
        "starts_on": starts_on.isoformat() if starts_on else None,
        "ends_on": ends_on.isoformat() if ends_on else None,
    }


# Sprint goal board ----------------------------------------------------------------------------


@page
def sprint_board(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    context = {
        "product": product,
        "organization": product.organization,
        "board": boards.sprint_board(product, today=timezone.localdate()),
    }
    return render(request, "goals/boards/sprints.html", context)


# Portfolio ------------------------------------------------------------------------------------


@page
def portfolio(request: AuthedRequest, pk: int) -> HttpResponse:
    organization = access.get_organization(request.user, pk)
    products = list(
        access.visible_products(request.user).filter(organization=organization).order_by("name")
    )
    context = {
        "organization": organization,
        "rows": boards.portfolio(products, today=timezone.localdate()),
    }
    return render(request, "goals/boards/portfolio.html", context)
