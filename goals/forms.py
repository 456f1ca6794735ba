"""Page forms. They only parse types; every rule lives in the services.

A service's DomainError is mapped back onto these forms with `show_errors`, so a rule
is written once and reads the same on a page and in the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms import renderers
from django.utils.functional import cached_property

from accounts.policy import password_sign_in_refusal
from goals.errors import DomainError
from goals.models import (
    MAX_PARENTS,
    MEASURE_DIGITS,
    MEASURE_PLACES,
    PARENT_LEVELS,
    Goal,
    Level,
    OrgRole,
    ProductRole,
    Status,
    User,
)
from goals.rules import DATE_WINDOW_MESSAGE, EARLIEST_DAY, LATEST_DAY, in_date_window
from goals.schedule import time_zone_names
from goals.services.goals import WAYS_TO_AGREE, status_choices
from goals.services.versioning import VERSION_REQUIRED
from goals.wording import plain_number


class PageRenderer(renderers.DjangoTemplates):
    """Fields render through templates/forms/field.html: label, input, help and errors."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(renderers.__file__).parent / "templates",
                    settings.BASE_DIR / "templates",
                ],
                "NAME": "pageforms",
                "OPTIONS": {},
            }
        )


# One instance, so its template engine (and cache) is shared by every form.
PAGE_RENDERER = PageRenderer()


class PageForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("renderer", PAGE_RENDERER)
        super().__init__(*args, **kwargs)

    def show_errors(self, error: DomainError) -> None:
        """Put a service's field errors under the matching inputs, the rest on top."""
        for name, messages in error.errors.items():
            visible = name in self.fields and not self.fields[name].widget.is_hidden
            for message in messages:
                self.add_error(name if visible else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(
            format="%Y-%m-%d",
            attrs={"min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()},
        )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(
            format="%Y-%m-%dT%H:%M",
            attrs={
                "min": f"{EARLIEST_DAY.isoformat()}T00:00",
                "max": f"{LATEST_DAY.isoformat()}T23:59",
            },
        )


def _check_date_window(value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not in_date_window(day):
        raise ValidationError(DATE_WINDOW_MESSAGE, code="date_window")


class DateInWindowField(forms.DateField):
    """A date someone types: refused outside 1970 to 2200, where it can only be a typo."""

    widget = DateInput
    default_validators = [_check_date_window]


class DateTimeInWindowField(forms.DateTimeField):
    """A moment someone types, on a day between 1970 and 2200."""

    widget = DateTimeInput
    default_validators = [_check_date_window]


class MeasureInput(forms.NumberInput):
    """A measure in its box as people write it: 2600, not the column's 2600.0000 (ungrouped,
    so the browser's number box reads it back)."""

    def format_value(self, value: Any) -> str | None:
        return None if value is None or value == "" else plain_number(value)


def measure_field(label: str, **kwargs: Any) -> forms.DecimalField:
    """A key result's or an insight's number, as precise as the database keeps it."""
    return forms.DecimalField(
        label=label,
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        widget=MeasureInput,
        **kwargs,
    )


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


def _text(label: str, *, required: bool = False, rows: int | None = None, **kw: Any) -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, widget=widget, strip=False, **kw)


def _date(label: str) -> forms.DateField:
    return DateInWindowField(label=label, required=False)


def _version() -> forms.IntegerField:
    """The version the form was opened on: an edit without it is refused, as in the API."""
    return forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": VERSION_REQUIRED}
    )


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _people(users: Iterable[User], blank: str | None) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", blank)] if blank is not None else []
    return choices + [(user.pk, f"{user.name} ({user.email})") for user in users]


class _PeopleMixin:
    """Owner choices from a list of users loaded once by the view (no query per render)."""

    people: dict[int, User]

    def _person(self, value: Any) -> User | None:
        return self.people.get(int(value)) if value not in (None, "") else None


# Sign-in and invitations ------------------------------------------------------------------


class _AuthPage:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("renderer", PAGE_RENDERER)
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]


class LoginForm(_AuthPage, AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})

    def confirm_login_allowed(self, user: Any) -> None:
        """Members of an organisation that signs in through SSO only may not use a password."""
        super().confirm_login_allowed(user)
        refusal = password_sign_in_refusal(user)
        if refusal is not None:
            raise ValidationError(refusal, code="single_sign_on_only")


class ResetForm(_AuthPage, forms.Form):
    """Only the address typed: the page never looks the account up (accounts/password_reset.py
    explains why), so this is not Django's PasswordResetForm, which does."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class NewPasswordForm(_AuthPage, SetPasswordForm):
    pass


class InvitationAcceptForm(PageForm):
    display_name = forms.CharField(
        label="Your name", required=False, max_length=150, help_text="How colleagues see you."
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


# Organisations and products ---------------------------------------------------------------


class OrganizationForm(PageForm):
    name = _text("Name")
    business_strategy = _text(
        "Business strategy",
        rows=4,
        help_text="Markdown. Shown above every product's chain.",
    )


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


class OrganizationEditForm(OrganizationForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=_time_zone_choices,
        required=False,
        help_text="Review days and the hour reminders go out follow this time zone.",
    )
    # How members sign in (goals/services/organizations.py checks them).
    email_domain = forms.CharField(
        label="Email domain",
        required=False,
        max_length=253,
        help_text="People with an email at this domain join as members when they first sign in "
        "with single sign-on. For example: example.com. Leave it empty for nobody.",
    )
    sso_only = forms.BooleanField(
        label="Members sign in with single sign-on only",
        required=False,
        help_text="Members cannot sign in with a password, reset one, or get an API token "
        "with one.",
        template_name="forms/checkbox.html",
    )
    require_two_factor = forms.BooleanField(
        label="Members who sign in with a password must use two-factor sign-in",
        required=False,
        help_text="A code from an authenticator app, after the password.",
        template_name="forms/checkbox.html",
    )
    version = _version()

    def clean_time_zone(self) -> str | None:
        """Not sent: left as it is."""
        return self.cleaned_data["time_zone"] or None


class InviteForm(PageForm):
    email = forms.CharField(label="Email", widget=forms.EmailInput(), required=False)
    role = forms.ChoiceField(label="Role", choices=OrgRole.choices, initial=OrgRole.MEMBER)


class OrgRoleForm(PageForm):
    role = forms.ChoiceField(label="Role", choices=OrgRole.choices)


class ProductForm(PageForm):
    name = _text("Name")
    portfolio_strategy = _text(
        "Portfolio strategy", rows=3, help_text="Markdown. Where this product fits."
    )


class ProductEditForm(ProductForm):
    version = _version()


class ProductImportForm(PageForm):
    """Shown beside the organisation's form and the new product's, which have a name too:
    its inputs' ids start with "import_"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)

    document = forms.FileField(
        label="Export file (JSON)",
        help_text="A file from the “Export: JSON” link on a product's chain. Nothing is "
        "created unless the whole file is sound.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
    name = forms.CharField(
        label="Name of the new product",
        required=False,
        max_length=200,
        help_text="Leave it empty to use the exported name followed by “(imported)”.",
    )


class ProductMemberForm(PageForm):
    email = forms.CharField(
        label="Email of an organisation member",
        widget=forms.EmailInput(attrs={"list": "organization-emails"}),
        required=False,
    )
    role = forms.ChoiceField(label="Role", choices=ProductRole.choices, initial=ProductRole.TEAM)


class ProductRoleForm(PageForm):
    role = forms.ChoiceField(label="Role", choices=ProductRole.choices)


class ChainFilterForm(PageForm):
    level = forms.ChoiceField(
        label="Level", required=False, choices=[("", "All levels"), *Level.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *Status.choices]
    )

    def filters(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["level"], self.cleaned_data["status"]


# Goals ------------------------------------------------------------------------------------

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


class GoalCreateForm(_PeopleMixin, PageForm):
    """Add a goal: the level is fixed by the button, which also ticks the goal it serves."""

    level = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput)
    title = _text("Title")
    description = _text("Description", rows=3, help_text="Markdown.")
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    starts_on = _date("Starts on")
    ends_on = _date("Ends on")
    confidence = _confidence()

    def __init__(
        self, *args: Any, people: Sequence[User], parent_options: Sequence[Goal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in people}
        self.parent_goals = {g.pk: g for g in parent_options}
        _choice_field(self, "owner").choices = _people(people, "Nobody yet")
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


class GoalForm(_PeopleMixin, PageForm):
    """Edit a goal. Parent choices are the goals one level up."""

    title = _text("Title")
    description = _text("Description", rows=5, help_text="Markdown.")
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    status = forms.ChoiceField(label="Status", choices=Status.choices)
    starts_on = _date("Starts on")
    ends_on = _date("Ends on")
    confidence = _confidence()
    parents = forms.TypedMultipleChoiceField(label="Serves", coerce=int, required=False)
    next_review_on = _date("Next review on")
    outcome_note = _text(
        "Outcome note",
        rows=3,
        help_text="Needed to close a goal as achieved or missed: what happened, what we learned.",
    )
    change_reason = _text(
        "Why are you changing an agreed goal?",
        rows=2,
        help_text="Kept in the goal's history with your name.",
    )
    version = _version()

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
        _choice_field(self, "owner").choices = _people(people, "Nobody yet")
        if goal.level == Level.VISION:
            del self.fields["parents"]
        else:
            self.fields["parents"] = _serves(goal.level, parent_options)
        if not can_set_review:
            del self.fields["next_review_on"]
        if goal.status != Status.AGREED:
            del self.fields["change_reason"]
        # Only what this goal can become by hand: agreement is granted (see the goal page).
        status = _choice_field(self, "status")
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
    reason = _text(
        "Where and why was it agreed?",
        rows=3,
        help_text="For example: “Agreed at the offsite on 3 May: everyone backs the trial.” "
        "Kept in the goal's history with your name.",
    )

    def __init__(self, *args: Any, people: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, prefix="agreement", **kwargs)
        self.people = {user.pk: user for user in people}
        _choice_field(self, "agreed_by").choices = _people(people, None)

    def clean_agreed_by(self) -> list[User]:
        return [self.people[pk] for pk in self.cleaned_data["agreed_by"]]


class AgreementRoundForm(PageForm):
    """Mark a goal agreed from a closed feedback round in which everyone asked supported it."""

    feedback_round = forms.IntegerField(widget=forms.HiddenInput)


class KeyResultForm(_PeopleMixin, PageForm):
    title = _text("What you measure")
    unit = forms.CharField(label="Unit", required=False, max_length=40, help_text="e.g. %, users")
    baseline = measure_field(
        "Baseline", error_messages={"required": "Give the value you start from."}
    )
    target = measure_field("Target", error_messages={"required": "Give the value you aim for."})
    current = measure_field(
        "Current", required=False, help_text="Leave empty to start at the baseline."
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    due_on = _date("Due on")
    change_reason = _text(
        "Why are you changing a key result of an agreed goal?",
        rows=2,
        help_text="Kept in the goal's history with your name.",
    )
    version = _version()

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
        _choice_field(self, "owner").choices = _people(people, "Choose who moves this number")
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

    change_reason = _text(
        "Why are you removing this key result from an agreed goal?",
        rows=2,
        help_text="Kept in the goal's history with your name.",
    )

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        super().__init__(*args, prefix="delete", **kwargs)
        if goal.status != Status.AGREED:
            del self.fields["change_reason"]
