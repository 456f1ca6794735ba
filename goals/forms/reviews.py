"""Page forms of the feedback loop: check-ins, the review schedule, retrospectives and a
sprint's verdict. They parse types; the rules live in the services (reviews, check-ins,
outcomes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from goals.forms.common import PageForm, measure_field, version_field
from goals.models import Cadence, KeyResult, Level, SprintVerdict
from goals.rules.schedule import MAX_REMIND_DAYS_BEFORE
from goals.services.check_ins import NOTE_MAX_LENGTH, Value
from goals.services.outcomes import RETROSPECTIVE_FIELDS, TEXT_MAX_LENGTH
from goals.wording import amount

CONFIDENCE_CHOICES = [
    (1, "1: not sure at all"),
    (2, "2: doubtful"),
    (3, "3: could go either way"),
    (4, "4: fairly sure"),
    (5, "5: certain"),
]


class CheckInForm(PageForm):
    """A value for each key result (starting from its current one), confidence, a note."""

    confidence = forms.TypedChoiceField(
        label="Confidence (fist of five)",
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "How sure is the team? Choose 1 to 5."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What moved, what is in the way, what you need.",
    )

    def __init__(self, *args: Any, key_results: Sequence[KeyResult], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "check-in")
        super().__init__(*args, **kwargs)
        self.key_results = list(key_results)
        fields = {}
        for kr in self.key_results:
            unit = f" ({kr.unit})" if kr.unit else ""
            fields[self.value_field(kr)] = measure_field(
                f"{kr.title}{unit}",
                initial=kr.current,
                help_text=f"Baseline {amount(kr.baseline)}, target {amount(kr.target)}.",
                error_messages={
                    "required": "Give the value it has now.",
                    "invalid": "Enter a number.",
                },
            )
        # Key results first: the data, then how sure the team is.
        self.fields = {**fields, **self.fields}

    @staticmethod
    def value_field(key_result: KeyResult) -> str:
        return f"kr-{key_result.pk}"

    @property
    def value_fields(self) -> list[forms.BoundField]:
        return [self[self.value_field(kr)] for kr in self.key_results]

    def values(self) -> list[Value]:
        return [Value(kr.pk, self.cleaned_data[self.value_field(kr)]) for kr in self.key_results]


class ReviewScheduleForm(PageForm):
    vision = forms.ChoiceField(label="Product vision", choices=Cadence.choices)
    user = forms.ChoiceField(label="User goals", choices=Cadence.choices)
    business = forms.ChoiceField(label="Business goals", choices=Cadence.choices)
    product = forms.ChoiceField(label="Product goals", choices=Cadence.choices)
    sprint = forms.ChoiceField(label="Sprint goals", choices=Cadence.choices)
    remind_days_before = forms.IntegerField(
        label="Remind owners this many days before",
        min_value=0,
        max_value=MAX_REMIND_DAYS_BEFORE,
    )
    reminder_hour = forms.TypedChoiceField(
        label="Reminders go out at",
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
    )
    version = version_field()

    @staticmethod
    def initial_for(schedule: Any) -> dict[str, Any]:
        return {
            **{level: schedule.cadence(level) for level in Level.values},
            "remind_days_before": schedule.remind_days_before,
            "reminder_hour": schedule.reminder_hour,
            "version": schedule.version,
        }


class RetrospectiveForm(PageForm):
    what_happened = forms.CharField(
        label="What happened?",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The events and the circumstances, not the people.",
        error_messages={"required": RETROSPECTIVE_FIELDS["what_happened"]},
    )
    what_we_learned = forms.CharField(
        label="What did we learn?",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": RETROSPECTIVE_FIELDS["what_we_learned"]},
    )
    what_we_change = forms.CharField(
        label="What do we change?",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to whoever drafts the next goal at this level.",
        error_messages={"required": RETROSPECTIVE_FIELDS["what_we_change"]},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SprintVerdictForm(PageForm):
    sprint_verdict = forms.ChoiceField(
        label="Did the sprint meet its goal?",
        choices=SprintVerdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose met or not met."},
    )
    close = forms.BooleanField(
        label="Also close this sprint goal: as achieved if met, as missed if not",
        required=False,
    )
    outcome_note = forms.CharField(
        label="Outcome note",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to close it: what was achieved, or what got in the way.",
    )

    version = version_field()

    def __init__(self, *args: Any, may_close: bool, **kwargs: Any) -> None:
        """`may_close`: the goal is still agreed and the person may close goals."""
        super().__init__(*args, **kwargs)
        if not may_close:
            del self.fields["close"]
            del self.fields["outcome_note"]
