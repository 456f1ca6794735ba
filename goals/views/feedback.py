"""Pages of feedback rounds: a leader asks, the people asked answer, the leader reads."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import DomainError
from goals.forms.conversations import FeedbackAnswerForm, FeedbackRoundForm
from goals.models import FeedbackRound
from goals.selectors import conversations
from goals.selectors.organizations import product_memberships
from goals.services import feedback
from goals.services.feedback import feedback_round_open
from goals.views.common import AuthedRequest, page


@page
@require_POST
def feedback_round_new(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    access.require_role(goal, (access.Role.LEADER,), "ask for feedback")
    people = [m.user for m in product_memberships(goal.product) if m.user_id != request.user.pk]
    form = FeedbackRoundForm(request.POST, people=people)
    if form.is_valid():
        try:
            feedback_round = feedback_round_open(actor=request.user, goal=goal, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            asked = len(form.cleaned_data["people"])
            messages.success(request, f"Asked {asked} {'person' if asked == 1 else 'people'}.")
            return redirect("feedback-round", feedback_round.pk)
    context = {
        "goal": goal,
        "product": goal.product,
        "organization": goal.product.organization,
        "round_form": form,
    }
    return render(request, "goals/feedback_round_new.html", context, status=400)


@page
def feedback_round(request: AuthedRequest, pk: int) -> HttpResponse:
    return _render_round(request, access.get_feedback_round(request.user, pk))


@page
@require_POST
def feedback_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    current = access.get_feedback_round(request.user, pk)
    form = FeedbackAnswerForm(request.POST)
    if form.is_valid():
        try:
            feedback.feedback_answer(
                actor=request.user, feedback_round=current, **form.cleaned_data
            )
        except DomainError as error:
            if error.status_code == 403:
                raise
            form.show_errors(error)
        else:
            messages.success(
                request,
                "Thank you: your answer is saved. You can change it until the round closes.",
            )
            return redirect("feedback-round", current.pk)
    return _render_round(request, current, answer_form=form, status=400)


@page
@require_POST
def feedback_round_close(request: AuthedRequest, pk: int) -> HttpResponse:
    current = access.get_feedback_round(request.user, pk)
    access.require_role(current, (access.Role.LEADER,), "close feedback rounds")
    if feedback.feedback_round_close(feedback_round_id=current.pk, actor=request.user):
        messages.success(request, "The round is closed; the summary is on its way to your inbox.")
    return redirect("feedback-round", current.pk)


def _render_round(
    request: AuthedRequest,
    current: FeedbackRound,
    *,
    answer_form: FeedbackAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    goal = current.goal
    loaded = conversations.feedback_rounds_of(goal).get(pk=current.pk)
    view = conversations.round_view(loaded, request.user, access.role_of(current))
    if answer_form is None and view.mine is not None and view.open:
        mine = view.mine
        answer_form = FeedbackAnswerForm(initial={"answer": mine.answer, "comment": mine.comment})
    context = {
        "round": view,
        "goal": goal,
        "product": goal.product,
        "organization": goal.product.organization,
        "answer_form": answer_form if view.mine is not None and view.open else None,
        "goal_url": reverse("goal", args=[goal.pk]),
    }
    return render(request, "goals/feedback_round.html", context, status=status)
