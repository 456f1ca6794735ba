"""Single sign-on with OpenID Connect: whom the claims let in, and the whole sign-in against a
real provider (tests/oidc, started by the `oidc_provider` fixture)."""

from __future__ import annotations

import html
import re
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sso_provider
from accounts.policy import SIGNED_IN_WITH
from accounts.sso import Refused, SSOBackend
from goals.models import (
    Invitation,
    Notification,
    OrganizationMembership,
    OrgRole,
    ProductMembership,
    ProductRole,
    User,
)
from tests.accounts.conftest import OidcProvider
from tests.factories import (
    PASSWORD,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

UNINVITED = (
    "No organisation on Goal Chain has invited {} yet. "
    "Ask your admin for an invitation, then sign in again."
)


@pytest.fixture
def configured(settings):
    """Single sign-on configured with a provider the unit tests never reach."""
    settings.OIDC_ISSUER = "https://id.example.com"
    settings.OIDC_RP_CLIENT_ID = "goal-chain"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-secret"
    settings.OIDC_PROVIDER_NAME = "Example ID"
    settings.OIDC_ALLOWED_DOMAINS = []
    return settings


def sign_in_with(claims: dict[str, Any]) -> User:
    """What the backend makes of the claims the provider's userinfo endpoint answered."""
    backend = SSOBackend()
    with mock.patch.object(backend, "get_userinfo", return_value=claims):
        return backend.get_or_create_user("access-token", "id-token", {})


# Whom the claims let in ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_signs_in_the_account_with_the_email_whatever_its_case(configured):
    person = UserFactory(email="ada@example.com")

    assert sign_in_with({"email": "Ada@Example.COM", "email_verified": True}) == person
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_switched_off_account(configured):
    UserFactory(email="ada@example.com", is_active=False)

    with pytest.raises(Refused, match=re.escape("account of ada@example.com is switched off")):
        sign_in_with({"email": "ada@example.com"})


@pytest.mark.django_db
def test_a_new_invited_email_gets_an_account_and_accepts_every_invitation(configured):
    org = OrganizationFactory()
    product = ProductFactory(organization=org)
    other_org = OrganizationFactory()
    Invitation.objects.create(organization=org, email="ada@example.com", role=OrgRole.ADMIN)
    Invitation.objects.create(
        organization=org, product=product, email="ada@example.com", product_role=ProductRole.TEAM
    )
    Invitation.objects.create(organization=other_org, email="ada@example.com")

    person = sign_in_with({"email": "ada@example.com", "name": "Ada Lovelace"})

    assert person.display_name == "Ada Lovelace"
    assert not person.has_usable_password()
    roles = dict(
        OrganizationMembership.objects.filter(user=person).values_list("organization", "role")
    )
    assert roles == {org.pk: OrgRole.ADMIN, other_org.pk: OrgRole.MEMBER}
    assert ProductMembership.objects.get(user=person).role == ProductRole.TEAM
    assert not Invitation.objects.filter(accepted_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_new_email_at_an_organisations_domain_joins_it_as_member(configured):
    org = OrganizationFactory(email_domain="example.com")
    OrganizationFactory(email_domain="example.org")

    person = sign_in_with({"email": "ada@example.com", "name": "Ada"})

    membership = OrganizationMembership.objects.get(user=person)
    assert (membership.organization, membership.role) == (org, OrgRole.MEMBER)


@pytest.mark.django_db
def test_an_invitation_as_admin_wins_over_joining_by_domain(configured):
    org = OrganizationFactory(email_domain="example.com")
    Invitation.objects.create(organization=org, email="ada@example.com", role=OrgRole.ADMIN)

    person = sign_in_with({"email": "ada@example.com"})

    assert OrganizationMembership.objects.get(user=person).role == OrgRole.ADMIN


@pytest.mark.django_db
def test_a_new_email_nobody_invited_is_refused_and_gets_no_account(configured):
    OrganizationFactory(email_domain="example.org")
    accepted = Invitation.objects.create(
        organization=OrganizationFactory(), email="ada@example.com"
    )
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())

    with pytest.raises(Refused) as refused:
        sign_in_with({"email": "ada@example.com", "name": "Ada"})

    assert refused.value.message == UNINVITED.format("ada@example.com")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_product_invitation_alone_does_not_make_an_account(configured):
    """A product's invitation needs the organisation's membership, which nothing gives."""
    product = ProductFactory()
    Invitation.objects.create(
        organization=product.organization, product=product, email="ada@example.com",
        product_role=ProductRole.TEAM,
    )  # fmt: skip

    with pytest.raises(Refused, match=re.escape("has invited ada@example.com")):
        sign_in_with({"email": "ada@example.com"})
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("verified", [False, "false"])
def test_an_email_the_provider_says_is_unverified_is_refused(configured, verified):
    UserFactory(email="ada@example.com")

    with pytest.raises(
        Refused, match=re.escape("Example ID has not confirmed that ada@example.com")
    ):
        sign_in_with({"email": "ada@example.com", "email_verified": verified})


@pytest.mark.django_db
def test_an_email_the_provider_says_nothing_about_verifying_signs_in(configured):
    person = UserFactory(email="ada@example.com")

    assert sign_in_with({"email": "ada@example.com"}) == person


@pytest.mark.django_db
def test_only_emails_at_the_allowed_domains_sign_in(configured):
    configured.OIDC_ALLOWED_DOMAINS = ["example.com", "example.net"]
    ada = UserFactory(email="ada@example.com")
    UserFactory(email="bob@example.org")

    assert sign_in_with({"email": "ada@example.com"}) == ada
    with pytest.raises(
        Refused, match=re.escape("only for addresses at example.com or example.net")
    ):
        sign_in_with({"email": "bob@example.org"})


@pytest.mark.django_db
@pytest.mark.parametrize("claims", [{}, {"email": ""}, {"email": "not an email"}, {"email": 7}])
def test_claims_without_an_email_are_refused(configured, claims):
    with pytest.raises(Refused, match="Example ID did not tell Goal Chain your email address"):
        sign_in_with(claims)


@pytest.mark.django_db
def test_without_single_sign_on_configured_the_backend_signs_in_nobody(settings, rf):
    settings.OIDC_ISSUER = ""
    settings.OIDC_RP_CLIENT_ID = ""
    request = rf.get("/sso/callback/", {"code": "c", "state": "s"})

    assert SSOBackend().authenticate(request, nonce="n", code_verifier="v") is None


@pytest.mark.django_db
def test_a_password_sign_in_works_beside_single_sign_on(configured, rf):
    """Django asks every backend; ours must neither fail nor reach the provider."""
    person = UserFactory(email="ada@example.com")
    request = rf.post("/login/?code=c&state=s")

    with mock.patch("accounts.sso_provider.requests.get") as fetch:
        assert authenticate(request, username="ada@example.com", password=PASSWORD) == person
    fetch.assert_not_called()


@pytest.mark.django_db
def test_the_signed_in_user_is_read_with_the_unread_count_in_one_query(
    configured, django_assert_num_queries
):
    person = UserFactory()
    Notification.objects.create(
        recipient=person, kind="comment", key="hello", product=ProductFactory(), text="Hello"
    )

    with django_assert_num_queries(1):
        user = SSOBackend().get_user(person.pk)

    assert user.unread_notifications == 1  # type: ignore[union-attr]


def id_token(**claims: Any) -> str:
    """An ID token signed with the client secret (HS256), as a provider could send one."""
    payload = {"iss": "https://id.example.com", "aud": "goal-chain", "nonce": "n", **claims}
    return jwt.encode(payload, "not-a-secret-but-long-enough-for-hs256", algorithm="HS256")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({}, True),
        ({"aud": ["other-client", "goal-chain"]}, True),
        ({"iss": "https://evil.example.com"}, False),
        ({"aud": "other-client"}, False),
        ({"nonce": "other"}, False),
    ],
)
def test_an_id_token_must_be_the_issuers_for_this_client_and_this_sign_in(
    configured, claims, accepted
):
    configured.OIDC_RP_SIGN_ALGO = "HS256"
    configured.OIDC_RP_CLIENT_SECRET = "not-a-secret-but-long-enough-for-hs256"
    token = id_token(**claims)

    if accepted:
        assert SSOBackend().verify_token(token, nonce="n")["aud"] == claims.get("aud", "goal-chain")
    else:
        with pytest.raises(SuspiciousOperation):
            SSOBackend().verify_token(token, nonce="n")


@pytest.mark.django_db
def test_a_page_reads_as_many_rows_signed_in_either_way(configured):
    """The page query-count tests hold for people who signed in with single sign-on too."""
    person = UserFactory()
    counts = []
    for backend in ("goals.backends.UserBackend", "accounts.sso.SSOBackend"):
        client = Client()
        client.force_login(person, backend=backend)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The pages without the provider -----------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_offers_single_sign_on_only_when_it_is_on(client, configured):
    page = client.get("/login/?next=/organizations/")
    assert 'href="/sso/start/?next=/organizations/"' in page.content.decode()
    assert "Sign in with Example ID" in page.content.decode()

    configured.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get("/login/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sso/start/", "/sso/callback/?code=c&state=s"])
def test_the_single_sign_on_pages_are_not_found_when_it_is_off(client, settings, path):
    settings.OIDC_ISSUER = ""

    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_a_provider_that_does_not_answer_gives_the_try_again_page(client, configured):
    configured.OIDC_ISSUER = "http://127.0.0.1:9"

    page = client.get("/sso/start/")

    assert page.status_code == 400
    assert "Sign-in through Example ID did not work. Please try again." in page.content.decode()


@pytest.mark.django_db
def test_a_callback_no_sign_in_started_gives_the_try_again_page(client, configured):
    page = client.get("/sso/callback/", {"code": "c", "state": "s"})

    assert page.status_code == 400
    assert "did not work" in page.content.decode()


# Against the real provider ------------------------------------------------------------------


def provider_login_page(session: requests.Session, url: str) -> requests.Response:
    """Follow Goal Chain's start page to the provider's own login page."""
    page = session.get(url)
    assert "Sign-in" in page.text, page.text
    return page


def sign_in_at_provider(
    session: requests.Session, base_url: str, email: str, start: str = "/sso/start/"
) -> requests.Response:
    """The whole walk: Goal Chain's start page, the provider's login page (which takes the
    email as the account and any password), back to Goal Chain's callback and on."""
    page = provider_login_page(session, base_url + start)
    match = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert match, page.text
    action = urljoin(page.url, html.unescape(match.group(1)))
    return session.post(action, data={"prompt": "login", "login": email, "password": "any"})


def session_of(browser: requests.Session) -> SessionStore:
    return SessionStore(session_key=browser.cookies["sessionid"])


def test_a_person_with_an_account_signs_in_through_the_provider(live_server, sso_on):
    person = UserFactory(email="ada@example.com", display_name="Ada L.")
    browser = requests.Session()

    page = sign_in_at_provider(browser, live_server.url, "ada@example.com")

    assert page.status_code == 200
    assert page.url == f"{live_server.url}/"
    assert [step.url.split("?")[0] for step in page.history][-1] == (
        f"{live_server.url}/sso/callback/"
    )
    assert "Ada L." in page.text
    session = session_of(browser)
    assert session["_auth_user_id"] == str(person.pk)
    assert session[SIGNED_IN_WITH] == "sso"


def test_an_invited_person_gets_an_account_and_lands_on_the_page_they_asked_for(
    live_server, sso_on
):
    org = OrganizationFactory(name="Acme Health")
    Invitation.objects.create(organization=org, email="ada.lovelace@example.com")
    browser = requests.Session()

    page = sign_in_at_provider(
        browser, live_server.url, "ada.lovelace@example.com",
        start=f"/sso/start/?next=/organizations/{org.pk}/",
    )  # fmt: skip

    assert page.status_code == 200
    assert page.url == f"{live_server.url}/organizations/{org.pk}/"
    person = User.objects.get(email="ada.lovelace@example.com")
    assert person.display_name == "Ada Lovelace"
    assert OrganizationMembership.objects.filter(organization=org, user=person).exists()


def test_a_person_nobody_invited_is_asked_to_get_an_invitation(live_server, sso_on):
    browser = requests.Session()

    page = sign_in_at_provider(browser, live_server.url, "stranger@example.com")

    assert page.status_code == 403
    assert html.escape(UNINVITED.format("stranger@example.com")) in page.text
    assert 'href="/login/"' in page.text
    assert not User.objects.exists()
    assert "_auth_user_id" not in session_of(browser)


def start_state(browser: requests.Session, base_url: str) -> str:
    """Start a sign-in without finishing it: the state the provider would send back."""
    answer = browser.get(f"{base_url}/sso/start/", allow_redirects=False)
    assert answer.status_code == 302
    query = parse_qs(urlparse(answer.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    return query["state"][0]


@pytest.mark.parametrize(
    "callback",
    [
        {"code": "made-up", "state": "{state}"},  # the provider does not know the code
        {"code": "made-up", "state": "another"},  # not the state this browser started
        {"error": "access_denied", "state": "{state}"},  # the person said no at the provider
    ],
)
def test_a_sign_in_that_goes_wrong_gives_the_try_again_page(live_server, sso_on, callback):
    browser = requests.Session()
    state = start_state(browser, live_server.url)
    params = {key: value.format(state=state) for key, value in callback.items()}

    page = browser.get(f"{live_server.url}/sso/callback/", params=params)

    assert page.status_code == 400
    assert "Sign-in through Test ID did not work. Please try again." in page.text
    assert "_auth_user_id" not in session_of(browser)


def test_a_discovery_document_of_another_issuer_is_not_used(live_server, sso_on, settings):
    # The same provider, named differently: its document names 127.0.0.1.
    settings.OIDC_ISSUER = sso_on.issuer.replace("127.0.0.1", "localhost")

    page = requests.get(f"{live_server.url}/sso/start/", allow_redirects=False)

    assert page.status_code == 400
    assert "did not work" in page.text


def test_the_discovery_document_is_read_once(live_server, sso_on: OidcProvider):
    real_get = requests.get
    with mock.patch.object(sso_provider.requests, "get", side_effect=real_get) as fetch:
        for _ in range(3):
            start_state(requests.Session(), live_server.url)
    discovery = f"{sso_on.issuer}/.well-known/openid-configuration"
    assert [call.args[0] for call in fetch.call_args_list] == [discovery]


def test_failed_single_sign_ons_do_not_lock_anyone_out(live_server, sso_on):
    UserFactory(email="ada@example.com")
    for _ in range(6):
        browser = requests.Session()
        state = start_state(browser, live_server.url)
        browser.get(f"{live_server.url}/sso/callback/", params={"code": "x", "state": state})

    assert not AccessAttempt.objects.exists()
    assert sign_in_at_provider(requests.Session(), live_server.url, "ada@example.com").ok
