"""Pages of the feedback loop: check-ins, the review meeting and its schedule, a sprint's
verdict and a missed goal's retrospective.

Forms that sit on the goal page post here: with htmx an invalid form comes back in place
and a saved one reloads the goal page; without, each has a page of its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from goals import access
from goals.access import may_check_in, may_judge
from goals.errors import Conflict, DomainError, Forbidden
from goals.forms.reviews import (
    CheckInForm,
    RetrospectiveForm,
    ReviewScheduleForm,
    SprintVerdictForm,
)
from goals.models import Goal, KeyResult, Level, Retrospective, Status
from goals.rules.schedule import product_today, review_due
from goals.selectors import reviews
from goals.selectors.reviews import schedule_of
from goals.services.check_ins import NOT_ALLOWED, check_in_create
from goals.services.outcomes import retrospective_save, sprint_verdict_set
from goals.services.reviews import schedule_update
from goals.views.common import AuthedRequest, invalid_status, is_htmx, page, stale_form


def goal_reviews(
    request: AuthedRequest, goal: Goal, key_results: list[KeyResult]
) -> dict[str, Any]:
    """The goal page's review section: when the next review is due, the check-in form for
    those who may check in, check-ins, a chart per key result, a sprint's verdict and a
    missed goal's retrospective."""
    today = product_today(goal.product)
    review = reviews.goal_review(goal, request.user, key_results, today=today)
    can_edit = access.can_edit_goals(goal)
    retrospective = review.retrospective
    return {
        "review": review,
        "review_today": today,
        "check_in_form": CheckInForm(key_results=key_results) if review.can_check_in else None,
        "verdict_form": _verdict_form(goal) if _may_give_verdict(request, goal) else None,
        "retrospective_form": _retrospective_form(retrospective)
        if can_edit and goal.status == Status.MISSED
        else None,
    }


@page
def check_in(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    key_results = list(goal.key_results.select_related("owner"))
    role = access.role_of(goal)
    if not may_check_in(goal, request.user, key_results, role=role):
        raise Forbidden(NOT_ALLOWED)
    posted = request.POST if request.method == "POST" else None
    form = CheckInForm(posted, key_results=key_results)
    if form.is_bound and form.is_valid():
        try:
            saved = check_in_create(
                actor=request.user,
                goal=goal,
                values=form.values(),
                confidence=form.cleaned_data["confidence"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            next_review = (
                f" Next review: {dateformat.format(saved.next_review_on, 'j M Y')}."
                if saved.next_review_on
                else ""
            )
            messages.success(request, f"Check-in saved.{next_review}")
            return _to_goal(request, goal, "check-ins")
    today = product_today(goal.product)
    context = {
        "goal": goal,
        "product": goal.product,
        "organization": goal.product.organization,
        "check_in_form": form,
        "due": review_due(goal.next_review_on, today),
        "recent": list(reviews.check_ins_of(goal)[:3]),
    }
    status = invalid_status(request) if form.is_bound else 200
    template = "goals/check_in.html#form" if is_htmx(request) else "goals/check_in.html"
    return render(request, template, context, status=status)


@page
def review_meeting(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    if request.method != "POST":
        return _render_meeting(request, product)
    access.require_role(product, (access.Role.LEADER,), "change the review schedule")
    form = ReviewScheduleForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            schedule_update(
                actor=request.user, product=product, data=data, version=form.cleaned_data["version"]
            )
        except Conflict as error:
            schedule = schedule_of(product)
            form = stale_form(ReviewScheduleForm, request.POST, schedule.version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Review schedule saved.")
            return redirect(reverse("review-meeting", args=[product.pk]) + "#schedule")
    return _render_meeting(request, product, schedule_form=form, status=400)


def _render_meeting(
    request: AuthedRequest,
    product: Any,
    *,
    schedule_form: ReviewScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    schedule = schedule_of(product)
    today = product_today(product)
    can_lead = access.can_lead(product)
    if can_lead and schedule_form is None:
        schedule_form = ReviewScheduleForm(initial=ReviewScheduleForm.initial_for(schedule))
    context = {
        "product": product,
        "organization": product.organization,
        "schedule": schedule,
        "levels": reviews.review_meeting(product, schedule, today=today),
        "today": today,
        "can_lead": can_lead,
        "can_edit": access.can_edit_goals(product),
        "schedule_form": schedule_form,
    }
    return render(request, "goals/review_meeting.html", context, status=status)


@page
def sprint_verdict(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    if not _may_give_verdict(request, goal):
        raise Forbidden("The sprint goal's owner or a leader gives its verdict.")
    form = _verdict_form(goal, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        close = form.cleaned_data.get("close", False)
        try:
            sprint_verdict_set(
                actor=request.user,
                goal=goal,
                verdict=form.cleaned_data["sprint_verdict"],
                close=close,
                outcome_note=form.cleaned_data.get("outcome_note", ""),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(
                request, "Verdict saved; the sprint goal is closed." if close else "Verdict saved."
            )
            return _to_goal(request, goal, "verdict")
    return _render_outcome(request, goal, "goals/sprint_verdict.html", verdict_form=form)


@page
def retrospective(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    access.require_role(goal, access.EDITORS, "write retrospectives")
    current = Retrospective.objects.filter(goal=goal).first()
    if request.method != "POST":
        form = _retrospective_form(current)
        return _render_outcome(request, goal, "goals/retrospective.html", retrospective_form=form)
    form = RetrospectiveForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            retrospective_save(
                actor=request.user, goal=goal, data=data, version=form.cleaned_data["version"]
            )
        except Conflict as error:
            fresh = Retrospective.objects.filter(goal=goal).first()
            version = fresh.version if fresh else 1
            form = stale_form(RetrospectiveForm, request.POST, version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Retrospective saved. Thank you for looking back.")
            return _to_goal(request, goal, "retrospective")
    return _render_outcome(request, goal, "goals/retrospective.html", retrospective_form=form)


def _render_outcome(
    request: AuthedRequest, goal: Goal, template: str, **forms: Any
) -> HttpResponse:
    context = {
        "goal": goal,
        "product": goal.product,
        "organization": goal.product.organization,
        **forms,
    }
    form = next(iter(forms.values()))
    status = invalid_status(request) if form.is_bound else 200
    return render(
        request, f"{template}#form" if is_htmx(request) else template, context, status=status
    )


def _retrospective_form(current: Retrospective | None) -> RetrospectiveForm:
    if current is None:
        return RetrospectiveForm()
    fields = ("what_happened", "what_we_learned", "what_we_change", "version")
    return RetrospectiveForm(initial={name: getattr(current, name) for name in fields})


def _verdict_form(goal: Goal, data: Any = None) -> SprintVerdictForm:
    """Offers to close the sprint goal in the same step while it is open."""
    may_close = goal.status == Status.AGREED and access.can_edit_goals(goal)
    return SprintVerdictForm(
        data,
        initial={"sprint_verdict": goal.sprint_verdict, "version": goal.version},
        may_close=may_close,
    )


def _may_give_verdict(request: AuthedRequest, goal: Goal) -> bool:
    return goal.level == Level.SPRINT and may_judge(access.role_of(goal), request.user, goal)


def _to_goal(request: AuthedRequest, goal: Goal, anchor: str) -> HttpResponse:
    """After a save: the whole goal page again, since progress, confidence and history moved.

    A form on the goal page itself reloads it (a redirect to the same page with an anchor
    would only scroll)."""
    url = reverse("goal", args=[goal.pk])
    if not is_htmx(request):
        return redirect(f"{url}#{anchor}")
    here = urlsplit(request.htmx.current_url or "").path  # type: ignore[attr-defined]
    if here == url:
        return HttpResponseClientRefresh()
    return HttpResponseClientRedirect(f"{url}#{anchor}")
