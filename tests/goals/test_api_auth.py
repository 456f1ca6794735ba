"""POST /api/auth/token/ and what the API says to someone not signed in."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import hash_key
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def person(db):
    return UserFactory(email="ada@example.com")


def test_it_gives_a_token_for_the_right_email_and_password(person):
    response = APIClient().post(
        "/api/auth/token/",
        {"email": "ada@example.com", "password": PASSWORD},
        HTTP_USER_AGENT="curl/8.5.0",
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=person)
    assert response.json() == {
        "token": response.json()["token"],
        "id": token.pk,
        "name": "Signed in from curl/8.5.0",
    }
    assert token.key_hash == hash_key(response.json()["token"])
    assert not token.read_only and token.expires_on is None


def test_it_gives_a_new_token_each_time(person):
    body = {"email": "ada@example.com", "password": PASSWORD}
    first = APIClient().post("/api/auth/token/", body).json()["token"]
    second = APIClient().post("/api/auth/token/", body).json()["token"]
    assert second != first
    assert ApiToken.objects.filter(user=person).count() == 2
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/organizations/").status_code == 200


def test_it_matches_the_email_whatever_its_case(person):
    response = APIClient().post(
        "/api/auth/token/", {"email": "ADA@Example.COM", "password": PASSWORD}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ada@example.com", "password": "wrong"},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "ada@example.com", "password": PASSWORD.upper()},
        {"email": "ada@example.com"},
        {"password": PASSWORD},
        {},
        {"email": "not-an-email", "password": PASSWORD},
    ],
)
def test_it_refuses_wrong_credentials_with_a_400(person, body):
    response = APIClient().post("/api/auth/token/", body)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_it_refuses_a_deactivated_account(person):
    person.is_active = False
    person.save()
    response = APIClient().post(
        "/api/auth/token/", {"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_it_accepts_the_token_it_gave(person):
    client = APIClient()
    token = client.post(
        "/api/auth/token/", {"email": "ada@example.com", "password": PASSWORD}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/organizations/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/organizations/",
        "/api/organizations/1/",
        "/api/organizations/1/members/",
        "/api/products/",
        "/api/products/1/",
        "/api/products/1/members/",
        "/api/products/1/chain/",
        "/api/products/1/health/",
        "/api/goals/",
        "/api/goals/1/",
        "/api/goals/1/history/",
        "/api/key-results/",
        "/api/key-results/1/",
    ],
)
def test_it_answers_401_without_authentication(db, path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_it_answers_401_to_an_unknown_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert client.get("/api/goals/").status_code == 401
    assert client.post("/api/goals/", {"title": "x"}).status_code == 401
