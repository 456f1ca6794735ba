"""Hardening: login throttling, request size limits, the admin, weak passwords."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from goals.models import User
from tests.factories import PASSWORD, UserFactory

HERE = "203.0.113.7"
ELSEWHERE = "198.51.100.9"


def sign_in(email: str, password: str, address: str = HERE):
    # A fresh client each time: a signed-in one would be redirected away from the form.
    return Client().post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def ask_token(email: str, password: str, address: str = HERE):
    return APIClient().post(
        "/api/auth/token/", {"email": email, "password": password}, REMOTE_ADDR=address
    )


def fail_five_times(email: str, address: str = HERE) -> None:
    for _ in range(5):
        sign_in(email, "wrong-password", address)


def test_it_locks_the_sign_in_page_after_five_failures_even_with_the_right_password(db):
    user = UserFactory()
    for _ in range(4):
        assert sign_in(user.email, "wrong-password").status_code == 200
    assert sign_in(user.email, "wrong-password").status_code == 429

    response = sign_in(user.email, PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Wait 15 minutes" in html
    assert 'href="/password-reset/"' in html
    assert "<script>" not in html and "style=" not in html
    assert "sessionid" not in response.cookies


def test_it_counts_failures_per_account_and_address(db):
    locked, other = UserFactory(), UserFactory()
    fail_five_times(locked.email)

    assert sign_in(other.email, PASSWORD).status_code == 302
    assert sign_in(locked.email, PASSWORD, ELSEWHERE).status_code == 302
    assert sign_in(locked.email, PASSWORD).status_code == 429


def test_it_counts_the_email_whatever_its_case(db):
    user = UserFactory()
    fail_five_times(user.email.upper())

    assert sign_in(user.email, PASSWORD).status_code == 429


def test_it_lets_the_account_in_again_after_the_cool_off(db):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_five_times(user.email)
        clock.shift(timedelta(minutes=14))
        assert sign_in(user.email, PASSWORD).status_code == 429
        # That attempt during the lockout started the cool-off again.
        clock.shift(timedelta(minutes=15, seconds=1))
        assert sign_in(user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(db):
    user = UserFactory()
    for _ in range(4):
        sign_in(user.email, "wrong-password")
    assert sign_in(user.email, PASSWORD).status_code == 302

    for _ in range(4):
        assert sign_in(user.email, "wrong-password").status_code == 200
    assert sign_in(user.email, PASSWORD).status_code == 302


def test_it_locks_the_token_endpoint_with_a_json_429(db):
    user = UserFactory()
    for _ in range(4):
        assert ask_token(user.email, "wrong-password").status_code == 400

    assert ask_token(user.email, "wrong-password").status_code == 429
    response = ask_token(user.email, PASSWORD)

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Wait 15 minutes" in response.json()["detail"]
    assert ask_token(user.email, PASSWORD, ELSEWHERE).status_code == 200


def test_the_page_and_the_api_share_one_count(db):
    user = UserFactory()
    for _ in range(3):
        sign_in(user.email, "wrong-password")
    ask_token(user.email, "wrong-password")

    assert ask_token(user.email, "wrong-password").status_code == 429
    assert sign_in(user.email, PASSWORD).status_code == 429


def test_a_token_resets_the_count(db):
    user = UserFactory()
    for _ in range(4):
        ask_token(user.email, "wrong-password")
    assert ask_token(user.email, PASSWORD).status_code == 200

    for _ in range(4):
        assert ask_token(user.email, "wrong-password").status_code == 400
    assert ask_token(user.email, PASSWORD).status_code == 200


def test_it_answers_an_oversized_api_body_with_a_413(team, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"product": team.product.pk, "level": "user", "title": "x" * 2048})

    response = api(team.leader).post("/api/goals/", body, content_type="application/json")

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_it_refuses_an_oversized_form(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = client.post("/login/", {"username": "x" * 2048, "password": "x"})

    assert response.status_code == 400


def test_the_admin_signs_in_through_the_apps_sign_in_page(client, db):
    """The admin's own form would skip two-factor and the SSO-only rule."""
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/?next=%2Fadmin%2F"
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == (
        "/login/?next=%2Fadmin%2F"
    )


def test_a_staff_member_lands_on_the_admin_after_signing_in(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)

    response = client.post(
        "/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_it_refuses_the_admin_to_a_signed_in_member(team, client):
    client.force_login(team.member)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "The admin is for staff only." in response.content.decode()


def test_it_opens_the_admin_to_staff(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


def test_it_refuses_a_weak_password_when_resetting(
    team, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password-reset/", {"email": team.member.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert User.objects.get(pk=team.member.pk).check_password(PASSWORD)
