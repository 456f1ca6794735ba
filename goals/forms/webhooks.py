"""The forms of a product's integrations page: add a hook, change one."""

from __future__ import annotations

from typing import Any

from django import forms

from goals.forms.common import PageForm, version_field
from goals.models import URL_MAX_LENGTH, HookKind
from goals.rules.webhooks import EVENTS

URL_HELP = (
    "The incoming-webhook address the tool gave you, starting with https://. Only addresses "
    "on the public internet are allowed."
)


class _HookFields(PageForm):
    url = forms.CharField(
        label="Address",
        max_length=URL_MAX_LENGTH,
        help_text=URL_HELP,
        error_messages={"required": "Give the address the messages are sent to."},
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/goal-chain"}),
    )
    events = forms.MultipleChoiceField(
        label="Send when",
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        # None chosen is the service's refusal, named beside the address's (if any).
        required=False,
    )
    active = forms.BooleanField(
        label="On: send these events",
        required=False,
        help_text="Switch it off to stop sending without losing the hook.",
        template_name="forms/checkbox.html",
    )


class WebhookEditForm(_HookFields):
    version = version_field()


class WebhookForm(_HookFields):
    kind = forms.ChoiceField(
        label="Tool",
        choices=HookKind.choices,
        initial=HookKind.SLACK,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the tool the messages go to."},
        help_text="Standard Webhooks sends signed JSON to your own service; the chat tools get "
        "a short message with a link.",
    )
    field_order = ["kind", "url", "events", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["active"].initial = True
        self.fields["events"].initial = ["goal.agreed", "goal.closed", "workshop.decided"]
