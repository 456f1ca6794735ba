"""Page forms of conversations: comments, insights, feedback rounds and their answers, and
notification preferences. Like the other page forms they parse types; services hold the
rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from goals.forms.common import DateInWindowField, PageForm, measure_field
from goals.models import (
    COMMENT_MAX_LENGTH,
    EmailFrequency,
    FeedbackAnswer,
    InsightKind,
    User,
)


def _mention_box(label: str, rows: int, mentions_url: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": rows,
                "data-mentions": mentions_url,
                "maxlength": COMMENT_MAX_LENGTH,
            }
        ),
        help_text="Markdown. Type @ to mention someone in this product.",
    )


class CommentForm(PageForm):
    body = forms.CharField()
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, mentions_url: str = "", label: str = "Comment", **kwargs: Any):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        self.fields["body"] = _mention_box(label, 4, mentions_url)


class CommentEditForm(PageForm):
    body = forms.CharField()

    def __init__(self, *args: Any, mentions_url: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["body"] = _mention_box("Your comment", 5, mentions_url)


class InsightForm(PageForm):
    kind = forms.ChoiceField(
        label="Kind", choices=InsightKind.choices, initial=InsightKind.QUALITATIVE
    )
    summary = forms.CharField(
        label="What was found",
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(
        label="Source",
        required=False,
        help_text="Where it comes from: a study, a report, a dashboard (a link works).",
    )
    value = measure_field("Value", required=False, help_text="For a quantitative data point.")
    unit = forms.CharField(label="Unit", required=False, max_length=40, help_text="e.g. %, users")

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "insight-%s")
        super().__init__(*args, **kwargs)


class FeedbackRoundForm(PageForm):
    people = forms.TypedMultipleChoiceField(
        label="Who to ask",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = DateInWindowField(
        label="Answers due by",
        required=False,
        help_text="Answers can change until the end of this day; then the round closes and "
        "you get the summary by email.",
    )
    question = forms.CharField(
        label="What would you like feedback on?",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, people: Sequence[User], **kwargs: Any):
        kwargs.setdefault("auto_id", "round-%s")
        super().__init__(*args, **kwargs)
        self.people_by_id = {user.pk: user for user in people}
        field = self.fields["people"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(user.pk, f"{user.name} ({user.email})") for user in people]

    def clean_people(self) -> list[User]:
        return [self.people_by_id[pk] for pk in self.cleaned_data["people"]]


class FeedbackAnswerForm(PageForm):
    answer = forms.ChoiceField(
        label="Your answer",
        choices=FeedbackAnswer.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed with concerns or an objection: what would make it work for you?",
    )


class PreferencesForm(PageForm):
    email_notifications = forms.ChoiceField(
        label="Email me about notifications",
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )
