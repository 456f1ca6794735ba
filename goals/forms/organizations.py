"""Page forms of organisations and products: creating and editing them, importing a product,
inviting people, members and their roles, and the chain's filter. They only parse types;
goals/services/organizations.py holds the rules.
"""

from __future__ import annotations

from typing import Any

from django import forms

from goals.forms.common import PageForm, text_field, version_field
from goals.models import MAX_ID, Level, OrgRole, ProductRole, Status
from goals.rules.schedule import time_zone_names


class OrganizationForm(PageForm):
    name = text_field("Name")
    business_strategy = text_field(
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
    version = version_field()

    def clean_time_zone(self) -> str | None:
        """Not sent: left as it is."""
        return self.cleaned_data["time_zone"] or None


class InviteForm(PageForm):
    email = forms.CharField(label="Email", widget=forms.EmailInput(), required=False)
    role = forms.ChoiceField(label="Role", choices=OrgRole.choices, initial=OrgRole.MEMBER)


class OrgRoleForm(PageForm):
    role = forms.ChoiceField(label="Role", choices=OrgRole.choices)


class ProductForm(PageForm):
    name = text_field("Name")
    portfolio_strategy = text_field(
        "Portfolio strategy", rows=3, help_text="Markdown. Where this product fits."
    )


class ProductEditForm(ProductForm):
    version = version_field()


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

    # Not shown as fields: the links that open a big chain's folded branches set them.
    open = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    expand = forms.BooleanField(required=False)

    def filters(self) -> tuple[str, str]:
        """The level and status to show; a value that is not one of them is ignored."""
        self.is_valid()  # a field that does not validate is left out of cleaned_data
        return self.cleaned_data.get("level", ""), self.cleaned_data.get("status", "")

    def unfolding(self) -> tuple[int | None, bool]:
        """The goal whose branch to draw open, and whether to open every branch; an odd
        value is ignored, the filters kept."""
        self.is_valid()
        return self.cleaned_data.get("open"), self.cleaned_data.get("expand", False)
