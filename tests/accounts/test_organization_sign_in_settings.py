"""An organisation's sign-in settings: its email domain for single sign-on, single sign-on
only, and two-factor for password sign-ins; on its page and in the API, for admins only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.policy import SIGNED_IN_WITH
from goals.errors import DomainError
from goals.models import Organization
from goals.services.organizations import organization_update

BAD_DOMAIN = 'Enter a domain such as example.com: no "@", no spaces.'
NO_SSO = (
    "Single sign-on is not set up on this server, so members could not sign in. "
    "Ask whoever runs Goal Chain to set it up first."
)


@pytest.fixture
def org(team) -> Organization:
    return team.product.organization


@pytest.fixture
def sso_configured(settings):
    settings.OIDC_ISSUER = "https://id.example.com"
    settings.OIDC_RP_CLIENT_ID = "goal-chain"


@pytest.fixture
def sso_off(settings):
    settings.OIDC_ISSUER = ""
    settings.OIDC_RP_CLIENT_ID = ""


def through_sso(client: Client) -> Client:
    """A session signed in with single sign-on, which an organisation's two-factor
    requirement does not stop (a password session would be sent to set it up first)."""
    session = client.session
    session[SIGNED_IN_WITH] = "sso"
    session.save()
    return client


def page_form(org: Organization, **changes: object) -> dict[str, object]:
    """The edit form as the page sends it: every field, boxes ticked only when on."""
    data: dict[str, object] = {
        "name": org.name,
        "business_strategy": org.business_strategy,
        "time_zone": org.time_zone,
        "email_domain": org.email_domain,
        "version": org.version,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


# The page ---------------------------------------------------------------------------------


def test_an_admin_sets_them_on_the_organisation_page(team, org, browser_client, sso_configured):
    client = through_sso(browser_client(team.org_admin))
    response = client.post(
        f"/organizations/{org.pk}/edit/",
        page_form(org, email_domain=" Example.COM ", sso_only="on", require_two_factor="on"),
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Organisation settings saved." in html
    assert "People at example.com join with single sign-on" in html
    assert "Yes: members cannot sign in with a password" in html
    assert "Required with a password" in html
    org.refresh_from_db()
    assert (org.email_domain, org.sso_only, org.require_two_factor) == ("example.com", True, True)
    assert org.version == 2


def test_the_form_shows_the_settings_as_they_are(team, org, browser_client):
    Organization.objects.filter(pk=org.pk).update(email_domain="example.com", sso_only=True)

    html = browser_client(team.org_admin).get(f"/organizations/{org.pk}/").content.decode()

    assert 'name="email_domain" value="example.com"' in html
    assert re.search(r'<input type="checkbox" name="sso_only"[^>]* checked>', html)
    assert re.search(r'<input type="checkbox" name="require_two_factor"[^>]*id="[^"]+">', html)
    assert '<label for="id_require_two_factor">Members who sign in with a password' in html


def test_unticking_a_box_turns_it_off(team, org, browser_client, sso_off):
    Organization.objects.filter(pk=org.pk).update(sso_only=True, require_two_factor=True)
    org.refresh_from_db()

    response = through_sso(browser_client(team.org_admin)).post(
        f"/organizations/{org.pk}/edit/", page_form(org, name="Renamed")
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.sso_only, org.require_two_factor) == ("Renamed", False, False)


def test_an_organisation_already_on_single_sign_on_only_can_still_be_renamed(
    team, org, browser_client, sso_off
):
    """The server's single sign-on went away: the admin can still edit, and turn it off."""
    Organization.objects.filter(pk=org.pk).update(sso_only=True)
    org.refresh_from_db()

    response = browser_client(team.org_admin).post(
        f"/organizations/{org.pk}/edit/", page_form(org, name="Renamed", sso_only="on")
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.sso_only) == ("Renamed", True)


@pytest.mark.parametrize("domain", ["@example.com", "ada@example.com", "exa mple.com", "example"])
def test_the_page_refuses_a_domain_that_is_not_one(team, org, browser_client, domain):
    response = browser_client(team.org_admin).post(
        f"/organizations/{org.pk}/edit/", page_form(org, email_domain=domain, name="Renamed")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert BAD_DOMAIN.replace('"', "&quot;") in html
    assert re.search(r'<input type="text" name="email_domain"[^>]*aria-invalid="true"', html)
    org.refresh_from_db()
    assert (org.name, org.email_domain) == (team.product.organization.name, "")


def test_the_page_refuses_single_sign_on_only_without_single_sign_on(
    team, org, browser_client, sso_off
):
    response = browser_client(team.org_admin).post(
        f"/organizations/{org.pk}/edit/", page_form(org, sso_only="on")
    )

    assert response.status_code == 400
    assert NO_SSO in response.content.decode()
    org.refresh_from_db()
    assert not org.sso_only


def test_members_see_the_settings_but_no_form(team, org, browser_client):
    Organization.objects.filter(pk=org.pk).update(require_two_factor=True)

    client = through_sso(browser_client(team.member))
    html = client.get(f"/organizations/{org.pk}/").content.decode()

    assert "Required with a password" in html
    assert "None: people join when invited" in html
    assert 'name="sso_only"' not in html


def test_members_who_are_not_admins_cannot_change_them(team, org, browser_client):
    response = browser_client(team.leader).post(
        f"/organizations/{org.pk}/edit/", page_form(org, require_two_factor="on")
    )

    assert response.status_code == 403
    org.refresh_from_db()
    assert not org.require_two_factor


# The API ----------------------------------------------------------------------------------


def test_the_api_shows_them_to_members(team, api, org):
    body = api(team.stakeholder).get(f"/api/organizations/{org.pk}/").json()

    assert (body["email_domain"], body["sso_only"], body["require_two_factor"]) == (
        "",
        False,
        False,
    )


def test_an_admin_sets_them_through_the_api(team, api, org, sso_configured):
    response = api(team.org_admin).patch(
        f"/api/organizations/{org.pk}/",
        {"email_domain": "Example.com", "sso_only": True, "require_two_factor": True, "version": 1},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["email_domain"], body["sso_only"], body["require_two_factor"]) == (
        "example.com",
        True,
        True,
    )
    assert body["version"] == 2


def test_an_empty_domain_clears_it(team, api, org):
    Organization.objects.filter(pk=org.pk).update(email_domain="example.com")

    response = api(team.org_admin).patch(
        f"/api/organizations/{org.pk}/", {"email_domain": "", "version": 1}
    )

    assert response.status_code == 200
    assert response.json()["email_domain"] == ""


def test_the_api_asks_for_the_version(team, api, org):
    response = api(team.org_admin).patch(
        f"/api/organizations/{org.pk}/", {"require_two_factor": True}
    )

    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.parametrize("user", ["leader", "member", "stakeholder"])
def test_only_admins_change_them_through_the_api(team, api, org, user):
    response = api(getattr(team, user)).patch(
        f"/api/organizations/{org.pk}/", {"require_two_factor": True, "version": 1}
    )

    assert response.status_code == 403
    org.refresh_from_db()
    assert not org.require_two_factor


def test_outsiders_do_not_find_the_organisation(team, api, org):
    response = api(team.outsider).patch(
        f"/api/organizations/{org.pk}/", {"require_two_factor": True, "version": 1}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email_domain": "@example.com"}, "email_domain"),
        ({"email_domain": "x" * 254}, "email_domain"),
        ({"email_domain": 7}, "email_domain"),
        ({"sso_only": "sometimes"}, "sso_only"),
        ({"require_two_factor": None}, "require_two_factor"),
    ],
)
def test_the_api_refuses_what_is_not_a_setting(team, api, org, body, field):
    response = api(team.org_admin).patch(f"/api/organizations/{org.pk}/", {**body, "version": 1})

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_api_refuses_single_sign_on_only_without_single_sign_on(team, api, org, sso_off):
    response = api(team.org_admin).patch(
        f"/api/organizations/{org.pk}/", {"sso_only": True, "name": "Renamed", "version": 1}
    )

    assert response.status_code == 400
    assert response.json() == {"sso_only": [NO_SSO]}
    org.refresh_from_db()
    assert (org.sso_only, org.version) == (False, 1)


# The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("example.com", "example.com"),
        ("  Mail.Example.CO.UK ", "mail.example.co.uk"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("my-company.io", "my-company.io"),
        ("", ""),
    ],
)
def test_it_keeps_a_domain_lower_cased(team, org, typed, kept):
    admin = team.org_admin
    admin.email = f"ada@{kept or 'example.com'}"
    admin.save()
    updated = organization_update(
        actor=admin, organization=org, data={"email_domain": typed}, version=1
    )

    assert updated.email_domain == kept


def test_an_admin_names_only_their_own_emails_domain(team, org):
    """Whoever the provider signs in at a domain joins the organisation naming it: naming
    someone else's domain would draw strangers in."""
    team.org_admin.email = "ada@acme.com"
    team.org_admin.save()

    with pytest.raises(DomainError) as refused:
        organization_update(
            actor=team.org_admin, organization=org, data={"email_domain": "rival.com"}, version=1
        )

    assert refused.value.errors == {
        "email_domain": [
            "Use your own email's domain (acme.com): people at a domain join the organisation "
            "that names it, so only someone at that domain may name it."
        ]
    }
    org.refresh_from_db()
    assert org.email_domain == ""


def test_another_admin_keeps_a_domain_already_named(team, org):
    """An admin elsewhere may still save the other settings, and clear the domain."""
    Organization.objects.filter(pk=org.pk).update(email_domain="acme.com")
    team.org_admin.email = "it@outsourced.example"
    team.org_admin.save()

    kept = organization_update(
        actor=team.org_admin,
        organization=org,
        data={"email_domain": "acme.com", "require_two_factor": True},
        version=1,
    )
    assert (kept.email_domain, kept.require_two_factor) == ("acme.com", True)
    cleared = organization_update(
        actor=team.org_admin, organization=org, data={"email_domain": ""}, version=2
    )
    assert cleared.email_domain == ""


@pytest.mark.parametrize(
    "typed",
    ["example", "@example.com", "a@example.com", "exa mple.com", "-example.com", "example..com",
     "example.com.", "exam_ple.com", "example.com/path", "http://example.com"],
)  # fmt: skip
def test_it_refuses_what_is_not_a_domain(team, org, typed):
    with pytest.raises(DomainError) as refused:
        organization_update(
            actor=team.org_admin, organization=org, data={"email_domain": typed}, version=1
        )

    assert refused.value.errors == {"email_domain": [BAD_DOMAIN]}
