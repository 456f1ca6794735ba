"""The goal page: details, edit form, key results, history, links up and down."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goals import access
from goals.access import may_agree_from_round, may_record_agreement
from goals.errors import Conflict, DomainError, Forbidden
from goals.forms.goals import (
    AgreementRecordForm,
    AgreementRoundForm,
    GoalForm,
    KeyResultDeleteForm,
    KeyResultForm,
)
from goals.forms.metrics import DataSourceForm
from goals.models import CLOSED_STATUSES, Goal, KeyResult, User
from goals.rules.feedback import round_supported
from goals.rules.health import goal_findings
from goals.rules.schedule import product_today
from goals.selectors.chain import goal_children, goal_history_entries, parent_options
from goals.selectors.conversations import RoundView
from goals.selectors.organizations import product_memberships
from goals.services import key_results
from goals.services.agreement import (
    AGREEABLE_STATUSES,
    goal_agreed_by_feedback,
    goal_agreed_by_record,
)
from goals.services.goals import goal_update
from goals.services.key_results import key_result_create, key_result_update
from goals.views.comments import goal_conversation
from goals.views.common import (
    AuthedRequest,
    back_to,
    came_from,
    go_to,
    invalid_status,
    is_htmx,
    page,
    stale_form,
    swap,
)
from goals.views.reviews import goal_reviews
from goals.views.tree import HEALTH_LABELS
from workshops.selectors import decision_record


@page
def goal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    page_data = _GoalPage(request, goal)
    if request.method != "POST":
        return page_data.render()
    access.require_role(goal, access.EDITORS, "edit goals")
    form = page_data.goal_form(request.POST)
    if form.is_valid():
        try:
            goal_update(
                actor=request.user,
                goal=goal,
                data=form.changes(),
                version=form.cleaned_data["version"],
                change_reason=form.cleaned_data.get("change_reason") or "",
            )
        except Conflict as error:
            form = page_data.stale_goal_form(request.POST, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Goal saved.")
            return back_to(reverse("goal", args=[goal.pk]))
    return page_data.render(goal_form=form, status=400)


@page
@require_POST
def agreement_record(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record an agreement reached elsewhere: who agreed and why."""
    goal = access.get_goal(request.user, pk)
    page_data = _GoalPage(request, goal)
    if not may_record_agreement(page_data.role, goal.level):
        raise Forbidden("Your role in this product does not allow you to record agreements here.")
    form = AgreementRecordForm(request.POST, people=page_data.people)
    if form.is_valid():
        try:
            goal_agreed_by_record(
                actor=request.user,
                goal=goal,
                agreed_by=form.cleaned_data["agreed_by"],
                reason=form.cleaned_data["reason"] or "",
                role=page_data.role,
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"“{goal.title}” is agreed; the record is in its history.")
            return back_to(reverse("goal", args=[goal.pk]))
    return page_data.render(agreement_form=form, status=400)


@page
@require_POST
def agreement_from_round(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark a goal agreed from a closed feedback round in which everyone asked supported it."""
    goal = access.get_goal(request.user, pk)
    page_data = _GoalPage(request, goal)
    if not may_agree_from_round(page_data.role):
        raise Forbidden("Your role in this product does not allow you to agree goals.")
    form = AgreementRoundForm(request.POST)
    if form.is_valid():
        feedback_round = goal.feedback_rounds.filter(pk=form.cleaned_data["feedback_round"]).first()
        if feedback_round is None:
            form.add_error(None, "That feedback round is not about this goal.")
        else:
            try:
                goal_agreed_by_feedback(
                    actor=request.user,
                    goal=goal,
                    feedback_round=feedback_round,
                    role=page_data.role,
                )
            except DomainError as error:
                form.show_errors(error)
            else:
                messages.success(
                    request, f"“{goal.title}” is agreed: everyone asked in the round supported it."
                )
                return back_to(reverse("goal", args=[goal.pk]))
    return page_data.render(round_agreement_form=form, status=400)


@page
def key_result_new(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    access.require_role(goal, access.EDITORS, "add key results")
    page_data = _GoalPage(request, goal)
    form = KeyResultForm(request.POST or None, people=page_data.people, goal=goal, new=True)
    if request.method == "POST" and form.is_valid():
        try:
            key_result_create(
                actor=request.user,
                goal=goal,
                change_reason=form.cleaned_data.get("change_reason") or "",
                **form.key_result_data(),
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            return _key_results_saved(request, page_data, "Key result added.")
    return page_data.render_key_results(
        add_form=form, status=invalid_status(request) if form.is_bound else 200
    )


@page
def key_result_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    key_result = access.get_key_result(request.user, pk)
    access.require_role(key_result, access.EDITORS, "edit key results")
    goal = access.get_goal(request.user, key_result.goal_id)
    page_data = _GoalPage(request, goal)
    prefix = f"kr{key_result.pk}"
    if request.method != "POST":
        return key_result_page(request, key_result, page_data=page_data)
    form = KeyResultForm(request.POST, people=page_data.people, goal=goal, prefix=prefix)
    if form.is_valid():
        data = form.key_result_data()
        if data["current"] is None:
            data["current"] = data["baseline"]
        try:
            key_result_update(
                actor=request.user, key_result=key_result, data=data,
                version=form.cleaned_data["version"],
                change_reason=form.cleaned_data.get("change_reason") or "",
            )  # fmt: skip
        except Conflict as error:
            form = stale_form(
                KeyResultForm, request.POST, key_result.version, error,
                people=page_data.people, goal=goal, prefix=prefix,
            )  # fmt: skip
        except DomainError as error:
            form.show_errors(error)
        else:
            return _key_results_saved(request, page_data, "Key result saved.")
    return page_data.render_key_results(
        edit_form=form, editing=key_result, status=invalid_status(request)
    )


@page
def key_result_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """POST only: remove a key result, asking why when its goal is agreed."""
    key_result = access.get_key_result(request.user, pk)
    access.require_role(key_result, access.EDITORS, "delete key results")
    goal = access.get_goal(request.user, key_result.goal_id)
    page_data = _GoalPage(request, goal)
    if request.method != "POST":
        return back_to(reverse("key-result-edit", args=[key_result.pk]))
    form = KeyResultDeleteForm(request.POST, goal=goal)
    if form.is_valid():
        try:
            key_results.key_result_delete(
                actor=request.user,
                key_result=key_result,
                change_reason=form.cleaned_data.get("change_reason") or "",
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            return _key_results_saved(request, page_data, "Key result removed.")
    edit_form = KeyResultForm(
        initial=_kr_initial(key_result),
        people=page_data.people,
        goal=goal,
        prefix=f"kr{key_result.pk}",
    )
    return page_data.render_key_results(
        edit_form=edit_form, delete_form=form, editing=key_result, status=invalid_status(request)
    )


def key_result_page(
    request: AuthedRequest,
    key_result: KeyResult,
    *,
    page_data: _GoalPage | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The goal page with the key result's edit form open, and its data source."""
    if page_data is None:
        page_data = _GoalPage(request, access.get_goal(request.user, key_result.goal_id))
    form = KeyResultForm(
        initial=_kr_initial(key_result),
        people=page_data.people,
        goal=page_data.goal,
        prefix=f"kr{key_result.pk}",
    )
    return page_data.render_key_results(edit_form=form, editing=key_result, status=status, **extra)


def _key_results_saved(request: AuthedRequest, page_data: _GoalPage, message: str) -> HttpResponse:
    goal_url = reverse("goal", args=[page_data.goal.pk])
    if came_from(request, goal_url):
        page_data.reload()
        response = page_data.render_key_results(notice=message)
        return swap(response, "#key-results")
    messages.success(request, message)
    return go_to(request, f"{goal_url}#key-results")


def _kr_initial(key_result: KeyResult) -> dict[str, Any]:
    fields = ("title", "unit", "baseline", "target", "current", "due_on", "version")
    return {**{f: getattr(key_result, f) for f in fields}, "owner": key_result.owner_id}


class _GoalPage:
    """Everything the goal page shows, each part loaded once in a fixed number of queries."""

    def __init__(self, request: AuthedRequest, goal: Goal) -> None:
        self.request = request
        self.goal = goal
        self.can_edit = access.can_edit_goals(goal)
        self.can_lead = access.can_lead(goal)
        self.role = access.role_of(goal)
        self.people: list[User] = (
            [m.user for m in product_memberships(goal.product)] if self.can_edit else []
        )
        self.parents = list(goal.parents.order_by("id"))
        self.reload()

    def reload(self) -> None:
        self.key_results = list(self.goal.key_results.select_related("owner", "source"))

    def goal_form(self, data: Any = None) -> GoalForm:
        return GoalForm(data, **self._goal_form_args())

    def stale_goal_form(self, data: Any, error: DomainError) -> GoalForm:
        """Show what is saved now above the form, and keep the user's text in the form."""
        self.goal = access.get_goal(self.request.user, self.goal.pk)
        self.parents = list(self.goal.parents.order_by("id"))
        self.reload()
        return stale_form(GoalForm, data, self.goal.version, error, **self._goal_form_args())

    def _goal_form_args(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "people": self.people,
            "parent_options": parent_options(self.goal.product, self.goal.level),
            "can_set_review": self.can_lead,
            "initial": GoalForm.initial_for(self.goal, [p.pk for p in self.parents]),
        }

    def render(
        self, *, goal_form: GoalForm | None = None, status: int = 200, **extra: Any
    ) -> HttpResponse:
        goal = self.goal
        if self.can_edit and goal_form is None:
            goal_form = self.goal_form()
        context = {
            **goal_conversation(self.request, goal),
            **goal_reviews(self.request, goal, self.key_results),
            **self._key_results_context(**extra),
            "parents": self.parents,
            "children": goal_children(goal),
            "history": goal_history_entries(goal),
            "findings": goal_findings(
                goal, self.parents, self.key_results, today=product_today(goal.product)
            ),
            "health_labels": HEALTH_LABELS,
            "goal_form": goal_form,
            "is_closed": goal.status in CLOSED_STATUSES,
            "decision_record": decision_record(goal),
        }
        context["agreement"] = self._agreement(context["rounds"], **extra)
        return render(self.request, "goals/goal.html", context, status=status)

    def _agreement(
        self,
        rounds: list[RoundView],
        *,
        agreement_form: AgreementRecordForm | None = None,
        round_agreement_form: AgreementRoundForm | None = None,
        **_: Any,
    ) -> dict[str, Any] | None:
        """The ways this person may agree this goal here, with their forms; None if none."""
        goal = self.goal
        posted = agreement_form is not None or round_agreement_form is not None
        agreeable = goal.status in AGREEABLE_STATUSES and self.role in access.EDITORS
        if not (agreeable or posted):  # a refused form still shows why, whatever changed
            return None
        may_record = may_record_agreement(self.role, goal.level)
        # Only the newest round speaks for the goal now (rounds come newest first).
        newest = rounds[0] if rounds else None
        supported = (
            newest if newest and not newest.open and round_supported(newest.requests) else None
        )
        if round_agreement_form is None and supported is not None:
            round_agreement_form = AgreementRoundForm(
                initial={"feedback_round": supported.round.pk}
            )
        if agreement_form is None and may_record:
            agreement_form = AgreementRecordForm(people=self.people)
        return {
            "record_form": agreement_form if may_record else None,
            "round_form": round_agreement_form,
            "round": supported,
        }

    def render_key_results(self, *, status: int = 200, **extra: Any) -> HttpResponse:
        """With htmx only the key results section, else the whole page around it."""
        if not is_htmx(self.request):
            return self.render(status=status, **extra)
        context = self._key_results_context(**extra)
        return render(self.request, "goals/goal.html#key-results", context, status=status)

    def _key_results_context(self, **extra: Any) -> dict[str, Any]:
        editing = extra.get("editing")
        if self.can_edit and editing is not None:
            extra = {**self._data_source(editing), **extra}
        return {
            "goal": self.goal,
            "can_lead": self.can_lead,
            "product": self.goal.product,
            "organization": self.goal.product.organization,
            "key_results": self.key_results,
            "can_edit": self.can_edit,
            "add_form": KeyResultForm(people=self.people, goal=self.goal, new=True)
            if self.can_edit
            else None,
            "delete_form": KeyResultDeleteForm(goal=self.goal) if self.can_edit else None,
            **extra,
        }

    def _data_source(self, editing: KeyResult) -> dict[str, Any]:
        """The key result's data source (read with the key results) and its form."""
        loaded = next((kr for kr in self.key_results if kr.pk == editing.pk), None)
        source = getattr(loaded, "source", None) if loaded is not None else None
        fields = ("url", "format", "path", "every")
        initial = {field: getattr(source, field) for field in fields} if source else None
        return {"source": source, "source_form": DataSourceForm(initial=initial)}
