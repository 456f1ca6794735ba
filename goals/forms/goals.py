"""Page forms of goals and their key results: adding and editing a goal (with the goals it
serves), recording an agreement, and adding, editing and removing key results. They only
parse types; goals/services/goals.py and its neighbours hold the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from goals.errors import DomainError
from goals.forms.common import (
    PageForm,
    PeopleMixin,
    choice_field,
    date_field,
    measure_field,
    people_field,
    text_field,
    version_field,
)
from goals.models import MAX_PARENTS, PARENT_LEVELS, Goal, Level, Status, User
from goals.rules.statuses import WAYS_TO_AGREE, status_choices


class ServesCheckboxes(forms.CheckboxSelectMultiple):
    """The goals one level up, one checkbox each, grouped by level: usable by touch and
    keyboard, unlike a multiple select that needs Ctrl/⌘-click."""

    template_name = "forms/serves.html"


class ServesRadios(forms.RadioSelect):
    """Radio buttons for a list field (a goal that serves exactly one): posts one value,
    parses to a list of zero or one."""

    template_name = "forms/serves.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        value = data.get(name)
        return [value] if value else []


def _serves(level: str, options: Sequence[Goal]) -> forms.TypedMultipleChoiceField:
    """The "Serves" field of a goal of `level`: its choices are `options`, the goals one
    level up, each named by its title."""
    by_level: dict[str, list[tuple[Any, str]]] = {up: [] for up in PARENT_LEVELS[level]}
    for goal in options:
        by_level[goal.level].append((goal.pk, goal.title))
    groups = {f"{Level(up).label}s": found for up, found in by_level.items() if found}
    # Grouped only when there is more than one level to choose from (a product goal's).
    choices: list[Any] = (
        list(groups.items()) if len(groups) > 1 else [c for group in groups.values() for c in group]
    )
    field = forms.TypedMultipleChoiceField(
        label="Serves",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose among the goals one level up in this product."},
    )
    if MAX_PARENTS[level] == 1:
        field.choices = [("", "Not linked yet"), *choices]
        field.widget = ServesRadios(choices=field.choices)
        field.help_text = "The goal one level up that this goal serves."
    else:
        field.choices = choices
        field.widget = ServesCheckboxes(choices=choices)
        field.help_text = "Tick every goal one level up that this goal serves."
    if not options:
        field.help_text = "There is no goal one level up to serve yet."
    return field


CONFIDENCE_CHOICES = [
    ("", "Not recorded"),
    (1, "1: not sure at all"),
    (2, "2: doubtful"),
    (3, "3: could go either way"),
    (4, "4: fairly sure"),
    (5, "5: certain"),
]


def _confidence() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Confidence (fist of five)",
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )


class GoalCreateForm(PeopleMixin, PageForm):
    """Add a goal: the level is fixed by the button, which also ticks the goal it serves."""

    level = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput)
    title = text_field("Title")
    description = text_field("Description", rows=3, help_text="Markdown.")
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    starts_on = date_field("Starts on")
    ends_on = date_field("Ends on")
    confidence = _confidence()

    def __init__(
        self, *args: Any, people: Sequence[User], parent_options: Sequence[Goal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in people}
        self.parent_goals = {g.pk: g for g in parent_options}
        choice_field(self, "owner").choices = people_field(people, "Nobody yet")
        level = self.data.get("level") or self.initial.get("level")
        if level in Level.values and MAX_PARENTS[level]:
            # Posted as `parent`, the name the add buttons have always used.
            self.fields["parent"] = _serves(level, parent_options)
        if level != Level.SPRINT:
            del self.fields["confidence"]

    def clean_owner(self) -> User | None:
        return self._person(self.cleaned_data["owner"])

    def clean_parent(self) -> list[Goal]:
        return [self.parent_goals[pk] for pk in self.cleaned_data["parent"] if pk]

    def show_errors(self, error: DomainError) -> None:
        """The service calls the goals served `parents`; here they are posted as `parent`."""
        renamed = {"parent" if k == "parents" else k: v for k, v in error.errors.items()}
        super().show_errors(DomainError(renamed))


class GoalForm(PeopleMixin, PageForm):
    """Edit a goal. Parent choices are the goals one level up."""

    title = text_field("Title")
    description = text_field("Description", rows=5, help_text="Markdown.")
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    status = forms.ChoiceField(label="Status", choices=Status.choices)
    starts_on = date_field("Starts on")
    ends_on = date_field("Ends on")
    confidence = _confidence()
    parents = forms.TypedMultipleChoiceField(label="Serves", coerce=int, required=False)
    next_review_on = date_field("Next review on")
    outcome_note = text_field(
        "Outcome note",
        rows=3,
        help_text="Needed to close a goal as achieved or missed: what happened, what we learned.",
    )
    change_reason = text_field(
        "Why are you changing an agreed goal?",
        rows=2,
        help_text="Kept in the goal's history with your name.",
    )
    version = version_field()

    def __init__(
        self,
        *args: Any,
        goal: Goal,
        people: Sequence[User],
        parent_options: Sequence[Goal],
        can_set_review: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in people}
        self.parent_goals = {g.pk: g for g in parent_options}
        choice_field(self, "owner").choices = people_field(people, "Nobody yet")
        if goal.level == Level.VISION:
            del self.fields["parents"]
        else:
            self.fields["parents"] = _serves(goal.level, parent_options)
        if not can_set_review:
            del self.fields["next_review_on"]
        if goal.status != Status.AGREED:
            del self.fields["change_reason"]
        # Only what this goal can become by hand: agreement is granted (see the goal page).
        status = choice_field(self, "status")
        status.choices = [(value, Status(value).label) for value in status_choices(goal.status)]
        status.error_messages["invalid_choice"] = (
            WAYS_TO_AGREE
            if self.data.get("status") == Status.AGREED
            else "Choose one of the statuses offered."
        )

    def clean_owner(self) -> User | None:
        return self._person(self.cleaned_data["owner"])

    def clean_parents(self) -> list[Goal]:
        return [self.parent_goals[pk] for pk in self.cleaned_data["parents"] if pk]

    def changes(self) -> dict[str, Any]:
        """The goal fields for `goal_update` (it records only what really changed)."""
        skip = {"version", "change_reason"}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}

    @staticmethod
    def initial_for(goal: Goal, parent_ids: Iterable[int]) -> dict[str, Any]:
        initial = {
            name: getattr(goal, name)
            for name in (
                "title",
                "description",
                "status",
                "starts_on",
                "ends_on",
                "confidence",
                "next_review_on",
                "outcome_note",
                "version",
            )
        }
        return {**initial, "owner": goal.owner_id, "parents": list(parent_ids)}


class AgreementRecordForm(PageForm):
    """Record an agreement reached elsewhere: who agreed (product members) and why."""

    agreed_by = forms.TypedMultipleChoiceField(
        label="Who agreed",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = text_field(
        "Where and why was it agreed?",
        rows=3,
        help_text="For example: “Agreed at the offsite on 3 May: everyone backs the trial.” "
        "Kept in the goal's history with your name.",
    )

    def __init__(self, *args: Any, people: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, prefix="agreement", **kwargs)
        self.people = {user.pk: user for user in people}
        choice_field(self, "agreed_by").choices = people_field(people, None)

    def clean_agreed_by(self) -> list[User]:
        return [self.people[pk] for pk in self.cleaned_data["agreed_by"]]


class AgreementRoundForm(PageForm):
    """Mark a goal agreed from a closed feedback round in which everyone asked supported it."""

    feedback_round = forms.IntegerField(widget=forms.HiddenInput)


class KeyResultForm(PeopleMixin, PageForm):
    title = text_field("What you measure")
    unit = forms.CharField(label="Unit", required=False, max_length=40, help_text="e.g. %, users")
    baseline = measure_field(
        "Baseline", error_messages={"required": "Give the value you start from."}
    )
    target = measure_field("Target", error_messages={"required": "Give the value you aim for."})
    current = measure_field(
        "Current", required=False, help_text="Leave empty to start at the baseline."
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    due_on = date_field("Due on")
    change_reason = text_field(
        "Why are you changing a key result of an agreed goal?",
        rows=2,
        help_text="Kept in the goal's history with your name.",
    )
    version = version_field()

    def __init__(
        self,
        *args: Any,
        people: Sequence[User],
        goal: Goal,
        new: bool = False,
        prefix: str = "kr",
        **kwargs: Any,
    ):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.people = {user.pk: user for user in people}
        choice_field(self, "owner").choices = people_field(people, "Choose who moves this number")
        if new:
            del self.fields["version"]
            self.fields[
                "change_reason"
            ].label = "Why are you adding a key result to an agreed goal?"
        if goal.status != Status.AGREED:
            del self.fields["change_reason"]

    def clean_owner(self) -> User | None:
        return self._person(self.cleaned_data["owner"])

    def key_result_data(self) -> dict[str, Any]:
        """The key result's fields for its service (the reason and version go apart)."""
        skip = {"version", "change_reason"}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


class KeyResultDeleteForm(PageForm):
    """Delete a key result; on an agreed goal, say why."""

    change_reason = text_field(
        "Why are you removing this key result from an agreed goal?",
        rows=2,
        help_text="Kept in the goal's history with your name.",
    )

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        super().__init__(*args, prefix="delete", **kwargs)
        if goal.status != Status.AGREED:
            del self.fields["change_reason"]
