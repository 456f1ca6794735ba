"""Forms of the workshop pages. They only parse types; the rules live in workshops/services/."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms import BoundField

from goals.forms.common import (
    DateTimeInWindowField,
    PageForm,
    choice_field,
    date_field,
    people_field,
    text_field,
    version_field,
)
from goals.models import Goal, Level, User
from goals.rules.timeframes import whole_number
from goals.wording import plain_number
from workshops.models import (
    STRATEGIC_LEVELS,
    DecisionRule,
    Phase,
    VotingMethod,
    Workshop,
    default_rule,
)
from workshops.rules import BALLOT_CHOICES
from workshops.services.proposals import MAX_KEY_RESULTS
from workshops.services.setup import PLANNED_ONLY_FIELDS

# Phases that get a timebox on the create form, with how the form names them.
TIMEBOXED = {
    Phase.DRAFTING: "Drafting",
    Phase.VOTING: "Voting",
    Phase.REVEALED: "Discussing the results",
}
KEY_RESULT_COLUMNS = ("title", "baseline", "target", "unit", "owner", "due_on")
EMPTY_KEY_RESULT_ROWS = 1


# Workshop set-up -----------------------------------------------------------------------------


class TimeboxesWidget(forms.MultiWidget):
    """Minutes for each timeboxed phase, each with its own label."""

    template_name = "workshops/widgets/timeboxes.html"

    def __init__(self) -> None:
        super().__init__(
            {
                phase: forms.NumberInput(attrs={"min": 1, "max": 480, "inputmode": "numeric"})
                for phase in TIMEBOXED
            }
        )

    def decompress(self, value: Any) -> list[Any]:
        return [(value or {}).get(phase) for phase in TIMEBOXED]

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        for subwidget, label in zip(subwidgets, TIMEBOXED.values(), strict=True):
            subwidget["label"] = label
        return context


class TimeboxesField(forms.MultiValueField):
    widget = TimeboxesWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = [forms.IntegerField(required=False) for _ in TIMEBOXED]
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dict[str, int]:
        # An empty MultiValueField compresses an empty list.
        minutes = zip(TIMEBOXED, data_list or [None] * len(TIMEBOXED), strict=True)
        return {str(phase): value for phase, value in minutes if value is not None}


class WorkshopForm(PageForm):
    """Plan a workshop. Parent choices are the goals one level above the target level."""

    title = text_field("Title")
    target_level = forms.ChoiceField(
        label="What the workshop agrees on", choices=Level.choices, initial=Level.PRODUCT
    )
    parent_goal = forms.TypedChoiceField(
        label="The adopted goal will serve", coerce=int, empty_value=None, required=False
    )
    facilitator = forms.TypedChoiceField(
        label="Facilitator",
        coerce=int,
        help_text="Runs the room: phases, timer, reveal and decisions.",
    )
    scheduled_at = DateTimeInWindowField(label="When", required=False)
    agenda = text_field("Agenda and notes", rows=4, help_text="Markdown.")
    ground_rules = text_field(
        "Ground rules", rows=3, help_text="e.g. Everyone speaks once before anyone speaks twice."
    )
    voting_method = forms.ChoiceField(
        label="Voting method",
        choices=VotingMethod.choices,
        initial=VotingMethod.CONSENT,
        widget=forms.RadioSelect,
    )
    decision_rule = forms.ChoiceField(label="Decision rule", choices=DecisionRule.choices)
    dots_per_voter = forms.IntegerField(
        label="Dots per voter",
        initial=3,
        help_text="How many dots each voter places across the proposals.",
        required=False,
    )
    anonymous = forms.BooleanField(
        label="Anonymous: never show who voted what, not even after the reveal", required=False
    )
    timeboxes = TimeboxesField(label="Timebox per phase, in minutes")

    def __init__(
        self,
        *args: Any,
        level: str,
        parent_options: Sequence[Goal],
        facilitators: Sequence[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parent_goals = {goal.pk: goal for goal in parent_options}
        parent = choice_field(self, "parent_goal")
        if level == Level.VISION:
            parent.choices = [("", "Nothing: the vision is the top of the chain")]
        else:
            parent.choices = [("", "Choose a goal")] + [
                (goal.pk, f"{goal.title} ({goal.get_level_display().lower()})")
                for goal in parent_options
            ]
        # Vision, user and business goals are always agreed unanimously: the page shows the
        # rule as fixed text (the service refuses any other rule whatever is posted).
        self.rule_fixed = level in STRATEGIC_LEVELS
        self.fields["decision_rule"].initial = default_rule(level)
        self.fields["decision_rule"].help_text = (
            f"The default for a {Level(level).label.lower()} is "
            f"{DecisionRule(default_rule(level)).label.lower()}; dot voting decides "
            "unanimously or by majority."
            if level in Level.values
            else ""
        )
        self.people = {user.pk: user for user in facilitators}
        choice_field(self, "facilitator").choices = people_field(facilitators, None)

    @property
    def dots_shown(self) -> bool:
        """Dots per voter mean something to dot voting only: the box shows for it alone."""
        return self["voting_method"].value() == VotingMethod.DOT

    def full_clean(self) -> None:
        if self.is_bound and not self.dots_shown:
            # The box was hidden, so what it holds is nobody's choice: the number saved (or
            # the default) stays, and nothing in it can stand in the way of saving.
            self.fields["dots_per_voter"].disabled = True
        super().full_clean()

    def clean_parent_goal(self) -> Goal | None:
        pk = self.cleaned_data["parent_goal"]
        return self.parent_goals.get(pk) if pk else None

    def clean_facilitator(self) -> User | None:
        return self.people.get(self.cleaned_data["facilitator"])

    def clean_dots_per_voter(self) -> int:
        dots: int | None = self.cleaned_data["dots_per_voter"]
        return 3 if dots is None else dots


class WorkshopEditForm(WorkshopForm):
    """Edit a workshop: what it agrees on stays; how it votes and decides only while planned."""

    version = version_field()

    def __init__(self, *args: Any, workshop: Workshop, facilitators: Sequence[User], **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "title": workshop.title,
                "facilitator": workshop.facilitator_id,
                "scheduled_at": workshop.scheduled_at,
                "agenda": workshop.agenda,
                "ground_rules": workshop.ground_rules,
                "voting_method": workshop.voting_method,
                "decision_rule": workshop.decision_rule,
                "dots_per_voter": workshop.dots_per_voter,
                "anonymous": workshop.anonymous,
                "timeboxes": workshop.timeboxes,
                "version": workshop.version,
            },
        )
        super().__init__(
            *args,
            level=workshop.target_level,
            parent_options=[],
            facilitators=facilitators,
            **kwargs,
        )
        del self.fields["target_level"], self.fields["parent_goal"]
        self.fixed_by_start = workshop.phase != Phase.PLANNED
        if self.fixed_by_start:
            # Once the room has started, its votes were cast under these: they stay.
            for name in PLANNED_ONLY_FIELDS:
                self.fields[name].disabled = True

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class CancelForm(PageForm):
    reason = text_field(
        "Why is it cancelled?",
        required=True,
        rows=3,
        help_text="Every participant gets one email with this reason.",
        max_length=2000,
        error_messages={"required": "Say why the workshop is cancelled; participants read it."},
    )


PARTICIPATION_CHOICES = [
    ("", "As their role suggests: stakeholders observe, everyone else votes"),
    ("voter", "Voters"),
    ("observer", "Observers"),
]


class ParticipantsForm(PageForm):
    """Seat several product members at once, as voters or observers."""

    members = forms.TypedMultipleChoiceField(
        label="Product members",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person."},
    )
    role = forms.ChoiceField(
        label="They take part as", choices=PARTICIPATION_CHOICES, required=False
    )

    def __init__(self, *args: Any, candidates: Sequence[tuple[User, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user, _ in candidates}
        choice_field(self, "members").choices = [
            (user.pk, f"{user.name} ({role})") for user, role in candidates
        ]

    def clean_members(self) -> list[User]:
        return [self.people[pk] for pk in self.cleaned_data["members"]]

    def clean_role(self) -> bool | None:
        return {"voter": True, "observer": False}.get(self.cleaned_data["role"])


# Proposals -----------------------------------------------------------------------------------


class KeyResultRows(forms.Widget):
    """Rows of draft key results; a row left empty is skipped."""

    template_name = "workshops/widgets/key_result_rows.html"
    use_fieldset = True

    def __init__(self, people: Sequence[User] = ()) -> None:
        super().__init__()
        self.people = list(people)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        drafts = [d for d in value or [] if isinstance(d, dict)]
        id_ = context["widget"]["attrs"].get("id") or name
        rows = []
        for i in range(min(MAX_KEY_RESULTS, len(drafts) + EMPTY_KEY_RESULT_ROWS)):
            draft = drafts[i] if i < len(drafts) else {}
            values = {c: "" if draft.get(c) is None else str(draft[c]) for c in KEY_RESULT_COLUMNS}
            values |= {c: plain_number(draft.get(c)) for c in ("baseline", "target")}
            rows.append({"number": i + 1, "name": f"{name}-{i}", "id": f"{id_}-{i}", **values})
        context["widget"].update(rows=rows, people=self.people)
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        rows = []
        for i in range(MAX_KEY_RESULTS):
            row = {c: (data.get(f"{name}-{i}-{c}") or "").strip() for c in KEY_RESULT_COLUMNS}
            if any(row.values()):
                rows.append(row)
        return rows

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-0-title"


class KeyResultsField(forms.Field):
    """Draft key results as the service takes them; it checks the numbers and owners."""

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        return [{**row, "owner": whole_number(row.get("owner", ""))} for row in value or []]


class CheckedBoundField(BoundField):
    """A field that the as-you-type check writes under; it is described by what it says."""

    template_name = "workshops/_checked_field.html"

    @property
    def aria_describedby(self) -> str:
        return " ".join(filter(None, [super().aria_describedby, f"{self.auto_id}_check"]))


class ProposalForm(PageForm):
    title = text_field("Title")
    description = text_field("Description", rows=4, help_text="Markdown.")
    starts_on = date_field("Starts on")
    ends_on = date_field("Ends on")
    key_results = KeyResultsField(
        label="Draft key results",
        required=False,
        help_text="What you will measure, from a baseline to a target, and who moves it.",
    )
    version = version_field()

    # Fields under which the as-you-type check writes what the chain rules say.
    checked = ("title", "ends_on", "key_results")

    def __init__(
        self, *args: Any, people: Sequence[User], new: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if new:  # an edit sends the version it was made on; a new proposal has none yet
            del self.fields["version"]
        self.fields["key_results"].widget = KeyResultRows(people)
        for name in self.checked:
            self.fields[name].bound_field_class = CheckedBoundField

    def check_data(self) -> dict[str, Any]:
        """What the as-you-type check needs, from whatever parses; the rest stays empty."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data.get(name)
            for name in ("title", "description", "starts_on", "ends_on", "key_results")
        }

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class VoteForm(PageForm):
    """One voter's ballot on one proposal, in the workshop's voting method."""

    value = forms.ChoiceField(label="Your vote", widget=forms.RadioSelect)
    reason = text_field("Reason", rows=2)

    def __init__(self, *args: Any, method: str, dots_allowed: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if method == VotingMethod.DOT:
            self.fields["value"] = forms.IntegerField(
                label="Dots on this proposal",
                widget=forms.NumberInput(attrs={"min": 0, "max": dots_allowed}),
                help_text=f"You can place up to {dots_allowed} here.",
            )
            self.fields["reason"].label = "Comment (optional)"
        else:
            choice_field(self, "value").choices = BALLOT_CHOICES[method]
            self.fields["reason"].help_text = (
                "Needed when you object."
                if method == VotingMethod.CONSENT
                else "Needed when you give a 1."
            )
