"""The API tokens settings page: list, create with the secret shown once, revoke."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import hash_key, token_create
from goals.models import User
from tests.factories import UserFactory

URL = "/settings/tokens/"
MARCH_1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="ada@example.com")


@pytest.fixture
def page(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def secret_on(html: str) -> str | None:
    found = re.search(r'id="new-token" value="([^"]+)"', html)
    return found.group(1) if found else None


def test_it_asks_anonymous_visitors_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_it_lists_the_persons_tokens_and_no_one_elses(person, page):
    with time_machine.travel(MARCH_1, tick=False):
        token_create(user=person, name="Nightly export", read_only=True)
        reader, _ = token_create(user=person, name="Laptop", expires_on=date(2027, 6, 30))
        token_create(user=UserFactory(), name="Someone else's")
    ApiToken.objects.filter(pk=reader.pk).update(last_used_at=MARCH_1)

    with time_machine.travel(MARCH_1, tick=False):
        page.force_login(person)  # a session of that day
        html = page.get(URL).content.decode()

    assert "<h1>API tokens</h1>" in html
    assert "Nightly export" in html and "Laptop" in html and "Someone else" not in html
    assert "Read only" in html and "Read and write" in html
    assert "1 March 2027, 09:00" in html  # last used
    assert "30 June 2027" in html  # expires
    assert html.count("Never") == 2  # the export: never used, never expires
    assert f"{reader.prefix}…" in html
    assert 'id="new-token"' not in html


def test_an_expired_token_says_so(person, page):
    with time_machine.travel(MARCH_1, tick=False):
        token_create(user=person, name="Old", expires_on=date(2027, 3, 2))
    with time_machine.travel(datetime(2027, 3, 10, tzinfo=UTC), tick=False):
        page.force_login(person)
        html = page.get(URL).content.decode()
    assert "Expired on 2 March 2027" in html


def test_it_creates_a_token_and_shows_the_secret_once(person, page):
    response = page.post(
        URL,
        {"name": " Nightly export ", "access": "read-only", "expires_on": "2200-01-01"},
        follow=True,
    )

    assert response.redirect_chain == [(URL, 302)]  # a reload makes no second token
    html = response.content.decode()
    secret = secret_on(html)
    assert secret is not None and secret.startswith("gc_")
    assert "it will not be shown again" in html
    assert "Created the token “Nightly export”." in html
    token = ApiToken.objects.get(user=person)
    assert token.key_hash == hash_key(secret)
    assert (token.name, token.read_only, token.expires_on) == (
        "Nightly export",
        True,
        date(2200, 1, 1),
    )
    again = page.get(URL).content.decode()
    assert secret not in again and secret_on(again) is None
    assert secret not in str(dict(page.session))


def test_a_token_made_on_the_page_works_in_the_api(person, page):
    response = page.post(URL, {"name": "CI", "access": "read-write"}, follow=True)
    secret = secret_on(response.content.decode())
    api = Client(headers={"authorization": f"Token {secret}"})
    assert api.get("/api/tokens/").status_code == 200
    assert api.post("/api/tokens/", {"name": "more"}, "application/json").status_code == 201


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "access": "read-write"}, "Give the token a name, e.g. what will use it."),
        ({"name": "   ", "access": "read-write"}, "Give the token a name, e.g. what will use it."),
        ({"name": "x" * 101, "access": "read-write"}, "Keep the name to 100 characters or fewer."),
        ({"name": "CI"}, "Choose what the token may do."),
        ({"name": "CI", "access": "root"}, "Select a valid choice."),
        (
            {"name": "CI", "access": "read-write", "expires_on": "2027-03-01"},
            "Choose an expiry day after today.",
        ),
        (
            {"name": "CI", "access": "read-write", "expires_on": "2999-01-01"},
            "Choose a date between 1970 and 2200.",
        ),
        ({"name": "CI", "access": "read-write", "expires_on": "soon"}, "Enter a valid date."),
    ],
)
def test_it_refuses_bad_input_in_words(person, page, data, message):
    with time_machine.travel(MARCH_1, tick=False):
        page.force_login(person)
        response = page.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert secret_on(response.content.decode()) is None
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_and_says_which(person, page):
    token, secret = token_create(user=person, name="Old script")
    kept, _ = token_create(user=person, name="Laptop")

    response = page.post(f"{URL}{token.pk}/revoke/", follow=True)

    assert response.redirect_chain == [(URL, 302)]
    html = response.content.decode()
    assert "Revoked the token “Old script”" in html
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [kept.pk]
    api = Client(headers={"authorization": f"Token {secret}"})
    assert api.get("/api/tokens/").status_code == 401


def test_revoking_someone_elses_token_is_404(person, page):
    theirs, _ = token_create(user=UserFactory(), name="Theirs")
    assert page.post(f"{URL}{theirs.pk}/revoke/").status_code == 404
    assert page.post(f"{URL}{theirs.pk + 100}/revoke/").status_code == 404
    assert page.get(f"{URL}{theirs.pk}/revoke/").status_code == 405
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_the_page_costs_the_same_queries_for_1_or_40_tokens(
    person, page, django_assert_num_queries
):
    token_create(user=person, name="First")
    page.get(URL)
    # the session; the person (with their unread notifications); the tokens
    with django_assert_num_queries(3) as first:
        page.get(URL)
    ApiToken.objects.bulk_create(
        ApiToken(user=person, name=f"T{n}", key_hash=f"{n:064}", prefix="gc_x", last_used_at=(
            timezone.now()
        ))
        for n in range(39)
    )  # fmt: skip
    with django_assert_num_queries(len(first.captured_queries)):
        html = page.get(URL).content.decode()
    assert html.count('/revoke/"') == 40
