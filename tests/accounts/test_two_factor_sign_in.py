"""Signing in in two steps, organisations that require two-factor, and the token endpoint."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.middleware import TwoFactorRequiredMiddleware
from accounts.policy import SIGNED_IN_WITH
from goals.models import OrganizationMembership, User
from tests.accounts.two_factor_steps import START, code_for, next_step, turn_on
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.time_machine(START, tick=False)

CODE_PAGE = "/login/code/"
SECURITY = "/settings/security/"
REQUIRED = "Acme asks its members to use two-factor sign-in. Turn it on to continue."
API_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code."


@pytest.fixture
def person(db):
    return UserFactory(display_name="Tess Two")


def password_step(client: Client, user: User, next_url: str = ""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def signed_in(client: Client) -> bool:
    return client.get("/notifications/").status_code == 200


def member_of_acme(user: User):
    acme = OrganizationFactory(name="Acme", require_two_factor=True)
    OrganizationMembership.objects.create(organization=acme, user=user)
    return acme


# The two steps -----------------------------------------------------------------------------


def test_the_right_password_asks_for_a_code_before_signing_in(client, person, time_machine):
    turn_on(person)
    next_step(time_machine)

    response = password_step(client, person)

    assert response.status_code == 302 and response["Location"] == CODE_PAGE
    assert not signed_in(client)
    html = client.get(CODE_PAGE).content.decode()
    assert '<label for="id_code">Code from your authenticator app</label>' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert 'href="/login/code/?recovery=1"' in html
    assert "style=" not in html and "<script>" not in html


def test_a_right_code_signs_in_and_goes_to_the_page_asked_for(client, person, time_machine):
    device, _ = turn_on(person)
    next_step(time_machine)
    password_step(client, person, next_url="/notifications/")

    response = client.post(CODE_PAGE, {"code": code_for(device)})

    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert signed_in(client)
    assert client.session[SIGNED_IN_WITH] == "password"
    assert client.get(CODE_PAGE)["Location"] == "/login/"  # nothing pending any more


def test_it_keeps_no_next_url_that_leaves_the_site(client, person, time_machine):
    device, _ = turn_on(person)
    next_step(time_machine)
    password_step(client, person, next_url="https://evil.example/steal")

    response = client.post(CODE_PAGE, {"code": code_for(device)})

    assert response["Location"] == "/"


def test_a_recovery_code_signs_in_instead(client, person):
    _, codes = turn_on(person)
    password_step(client, person)

    html = client.get(f"{CODE_PAGE}?recovery=1").content.decode()
    assert '<label for="id_code">Recovery code</label>' in html
    assert 'name="recovery" value="1"' in html
    response = client.post(CODE_PAGE, {"code": codes[0], "recovery": "1"})

    assert response["Location"] == "/"
    assert signed_in(client)


def test_a_wrong_code_is_said_in_words(client, person, time_machine):
    turn_on(person)
    next_step(time_machine)
    password_step(client, person)

    response = client.post(CODE_PAGE, {"code": "000000"})

    assert response.status_code == 400
    assert "That code is not right. Check your authenticator app and try again." in (
        response.content.decode()
    )
    response = client.post(CODE_PAGE, {"code": ""})
    assert "Enter the code from your authenticator app." in response.content.decode()
    assert not signed_in(client)


def test_five_wrong_codes_end_the_sign_in(client, person, time_machine):
    device, _ = turn_on(person)
    next_step(time_machine)
    password_step(client, person)
    for wait in (0, 1, 2, 4):
        time_machine.shift(wait)
        assert client.post(CODE_PAGE, {"code": "000000"}).status_code == 400
    time_machine.shift(8)

    response = client.post(CODE_PAGE, {"code": "000000"}, follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "That was the fifth wrong code: sign in again with your email and password." in (
        response.content.decode()
    )
    time_machine.shift(30)
    assert client.post(CODE_PAGE, {"code": code_for(device)})["Location"] == "/login/"
    assert not signed_in(client)


def test_the_pending_sign_in_ends_after_five_minutes(client, person, time_machine):
    device, _ = turn_on(person)
    password_step(client, person)
    time_machine.shift(5 * 60 + 1)

    response = client.post(CODE_PAGE, {"code": code_for(device)}, follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "Five minutes passed without a code" in response.content.decode()
    assert not signed_in(client)


def test_the_code_page_without_a_password_first_sends_to_sign_in(client, db):
    assert client.get(CODE_PAGE)["Location"] == "/login/"


def test_a_password_sign_in_without_two_factor_is_marked_as_such(client, person):
    assert password_step(client, person)["Location"] == "/"
    assert client.session[SIGNED_IN_WITH] == "password"


def test_the_login_throttle_still_guards_the_password_step(person):
    turn_on(person)
    for _ in range(5):
        Client().post("/login/", {"username": person.email, "password": "wrong"})

    response = password_step(Client(), person)

    assert response.status_code == 429


def test_an_sso_only_organisation_refuses_password_sign_in(client, person):
    acme = OrganizationFactory(name="Acme", sso_only=True)
    OrganizationMembership.objects.create(organization=acme, user=person)

    response = password_step(client, person)

    assert response.status_code == 200
    assert "Acme signs in with single sign-on only" in response.content.decode()
    assert not signed_in(client)


# Organisations that require it ---------------------------------------------------------------


def test_a_member_without_two_factor_is_sent_to_the_security_page(client, person):
    member_of_acme(person)
    password_step(client, person)

    response = client.get("/notifications/", follow=True)

    assert response.redirect_chain == [(SECURITY, 302)]
    html = response.content.decode()
    assert REQUIRED in html
    assert "Turn on two-factor sign-in" in html


def test_the_way_to_turn_it_on_and_out_stays_open(client, person):
    member_of_acme(person)
    client.force_login(person)

    assert client.get(SECURITY).status_code == 200
    assert client.get("/settings/security/two-factor/").status_code == 200
    assert client.get("/healthz/").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    assert client.post("/logout/")["Location"] == "/login/"


def test_the_api_answers_such_a_session_with_a_403(client, person):
    member_of_acme(person)
    client.force_login(person)

    response = client.get("/api/organizations/")

    assert response.status_code == 403
    assert response.json() == {"detail": REQUIRED}


def test_an_htmx_request_is_sent_to_the_security_page_whole(client, person):
    member_of_acme(person)
    client.force_login(person)

    response = client.get("/notifications/", headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == SECURITY


def test_a_single_sign_on_session_is_not_asked(client, person):
    member_of_acme(person)
    client.force_login(person)
    session = client.session
    session[SIGNED_IN_WITH] = "sso"
    session.save()

    assert client.get("/notifications/").status_code == 200


def test_a_member_with_two_factor_goes_anywhere(client, person, time_machine):
    device, _ = turn_on(person)
    member_of_acme(person)
    next_step(time_machine)
    password_step(client, person)
    client.post(CODE_PAGE, {"code": code_for(device)})

    assert client.get("/notifications/").status_code == 200
    assert client.get("/api/organizations/").status_code == 200


@pytest.mark.parametrize("has_two_factor", [False, True])
def test_the_requirement_costs_no_query(client, person, settings, has_two_factor):
    """Both facts come with the signed-in user (goals.backends): a page costs as many
    queries with the middleware as without it."""
    member_of_acme(person)
    if has_two_factor:
        turn_on(person)
    client.force_login(person)
    ours = f"{TwoFactorRequiredMiddleware.__module__}.{TwoFactorRequiredMiddleware.__name__}"
    url = "/notifications/" if has_two_factor else SECURITY

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with_it = count()
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != ours]
    assert count() == with_it


def test_sending_to_the_security_page_reads_only_the_session_and_the_user(
    client, person, django_assert_num_queries
):
    member_of_acme(person)
    client.force_login(person)
    # 1. the session, 2. the user with their unread count, two-factor and requirement
    with django_assert_num_queries(2):
        assert client.get("/notifications/")["Location"] == SECURITY


# The token endpoint ------------------------------------------------------------------------------


def ask_token(user: User, **extra: str):
    body = {"email": user.email, "password": PASSWORD, **extra}
    return APIClient().post("/api/auth/token/", body, format="json")


def test_the_token_endpoint_asks_for_a_code(person, time_machine):
    device, codes = turn_on(person)
    next_step(time_machine)

    assert ask_token(person).json() == {"code": [API_CODE]}
    assert ask_token(person, code="12345x").status_code == 400
    time_machine.shift(2)
    response = ask_token(person, code=code_for(device))
    assert response.status_code == 200 and response.json()["token"]
    assert ask_token(person, code=codes[0]).status_code == 200


def test_the_token_endpoint_asks_to_turn_it_on_first(person):
    member_of_acme(person)

    response = ask_token(person)

    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert message.startswith("Acme asks its members to use two-factor sign-in.")
    assert "security settings" in message


def test_the_token_endpoint_needs_no_code_without_two_factor(person):
    assert ask_token(person).status_code == 200


def test_it_asks_the_same_under_asgi(person, async_client):
    member_of_acme(person)
    async_client.force_login(person)

    page = async_to_sync(async_client.get)("/notifications/")
    api = async_to_sync(async_client.get)("/api/organizations/")

    assert page.status_code == 302 and page["Location"] == SECURITY
    assert api.status_code == 403 and api.json() == {"detail": REQUIRED}
    assert async_to_sync(async_client.get)(SECURITY).status_code == 200
