"""Personal API tokens: the API, the `Token` header, expiry, read-only tokens, revocation."""

from __future__ import annotations

import asyncio
import importlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin import AdminSite, ModelAdmin
from django.core import mail
from django.db import connection
from django.test import AsyncClient, Client
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from accounts.tokens import hash_key, token_create
from goals.models import Comment, Level, ProductRole, User
from goals.services.comments import comment_create
from tests.factories import (
    PASSWORD,
    OrganizationMembershipFactory,
    ProductFactory,
    UserFactory,
    add_member,
    make_chain,
)

MARCH_1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
AFTER_TODAY = "Choose an expiry day after today."
IN_WINDOW = "Choose a date between 1970 and 2200."


def client_with(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="ada@example.com", display_name="Ada")


@pytest.fixture
def secret(person) -> str:
    return token_create(user=person, name="Laptop")[1]


# The API


def test_it_creates_a_token_and_shows_its_secret_once(person, secret):
    client = client_with(secret)

    response = client.post(
        "/api/tokens/", {"name": "  Nightly export ", "read_only": True, "expires_on": "2200-01-01"}
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "name", "prefix", "read_only", "expires_on", "created_at", "last_used_at", "token"
    }  # fmt: skip
    assert body["name"] == "Nightly export"
    assert body["read_only"] is True and body["expires_on"] == "2200-01-01"
    assert body["token"].startswith("gc_") and body["prefix"] == body["token"][:10]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_hash == hash_key(body["token"]) and body["token"] not in stored.key_hash
    listed = client.get("/api/tokens/").json()
    assert listed["count"] == 2
    assert [row["name"] for row in listed["results"]] == ["Nightly export", "Laptop"]
    assert "token" not in listed["results"][0]
    assert body["token"] not in str(listed)


def test_a_new_token_is_read_write_without_expiry_by_default(secret):
    body = client_with(secret).post("/api/tokens/", {"name": "CI"}).json()
    assert body["read_only"] is False and body["expires_on"] is None
    assert client_with(body["token"]).post("/api/tokens/", {"name": "More"}).status_code == 201


def test_it_lists_only_your_own_tokens(person, secret):
    other = UserFactory()
    token_create(user=other, name="Not yours")
    rows = client_with(secret).get("/api/tokens/").json()["results"]
    assert [row["name"] for row in rows] == ["Laptop"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "name", "Give the token a name, e.g. what will use it."),
        ({"name": "   "}, "name", "Give the token a name, e.g. what will use it."),
        ({"name": "x" * 101}, "name", "Keep the name to 100 characters or fewer."),
        ({"name": "CI", "read_only": "maybe"}, "read_only", "Give true or false."),
        ({"name": "CI", "expires_on": "2027-02-30"}, "expires_on", None),
        ({"name": "CI", "expires_on": "2027-03-01"}, "expires_on", AFTER_TODAY),
        ({"name": "CI", "expires_on": "2020-01-01"}, "expires_on", AFTER_TODAY),
        ({"name": "CI", "expires_on": "2201-01-01"}, "expires_on", IN_WINDOW),
        ({"name": "CI", "expires_on": "yesterday"}, "expires_on", None),
    ],
)  # fmt: skip
def test_it_refuses_bad_input_naming_the_field(secret, body, field, message):
    with time_machine.travel(MARCH_1, tick=False):
        response = client_with(secret).post("/api/tokens/", body)
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert ApiToken.objects.count() == 1


def test_it_refuses_a_body_that_is_not_an_object(secret):
    response = client_with(secret).post("/api/tokens/", ["name"])
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send a JSON object."]}


def test_a_token_expiring_tomorrow_is_allowed(secret):
    with time_machine.travel(MARCH_1, tick=False):
        response = client_with(secret).post(
            "/api/tokens/", {"name": "CI", "expires_on": "2027-03-02"}
        )
    assert response.status_code == 201


def test_it_revokes_a_token(person, secret):
    token, other_secret = token_create(user=person, name="Old script")
    client = client_with(secret)

    assert client.delete(f"/api/tokens/{token.pk}/").status_code == 204

    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert client_with(other_secret).get("/api/tokens/").status_code == 401
    assert client.get("/api/tokens/").status_code == 200


@pytest.mark.parametrize("whose", ["someone else", "unknown", "too large"])
def test_it_answers_404_for_a_token_that_is_not_yours(secret, whose):
    theirs, _ = token_create(user=UserFactory(), name="Theirs")
    pk = {"someone else": theirs.pk, "unknown": theirs.pk + 100, "too large": 2**70}[whose]

    response = client_with(secret).delete(f"/api/tokens/{pk}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_the_token_endpoints_need_sign_in(db):
    assert APIClient().get("/api/tokens/").status_code == 401
    assert APIClient().post("/api/tokens/", {"name": "x"}).status_code == 401
    assert APIClient().delete("/api/tokens/1/").status_code == 401


def test_a_browser_session_manages_tokens_too(person):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(person)
    response = client.post("/api/tokens/", {"name": "From the docs page"})
    assert response.status_code == 201


def test_the_token_list_costs_the_same_queries_for_1_or_40_tokens(
    person, secret, django_assert_num_queries
):
    client = client_with(secret)
    client.get("/api/tokens/")  # records this minute's use
    # the token and its person; the count; the page of tokens
    with django_assert_num_queries(3):
        assert client.get("/api/tokens/").json()["count"] == 1
    ApiToken.objects.bulk_create(
        ApiToken(user=person, name=f"T{n}", key_hash=f"{n:064}", prefix="gc_x") for n in range(39)
    )
    with django_assert_num_queries(3):
        assert client.get("/api/tokens/").json()["count"] == 40


# POST /api/auth/token/


def test_the_password_exchange_names_the_token_after_the_client(person):
    body = {"email": "ada@example.com", "password": PASSWORD}
    long_agent = "Mozilla/5.0 " + "(compatible; a very long client description) " * 5

    plain = APIClient().post("/api/auth/token/", body).json()
    long = APIClient().post("/api/auth/token/", body, HTTP_USER_AGENT=long_agent).json()

    assert plain["name"] == "Signed in through the API"
    assert len(long["name"]) == 100 and long["name"].endswith("…")
    assert long["name"].startswith("Signed in from Mozilla/5.0 (compatible;")
    names = set(ApiToken.objects.filter(user=person).values_list("name", flat=True))
    assert names == {plain["name"], long["name"]}


def test_the_token_name_keeps_only_the_printable_part_of_the_client(person):
    """A tab and a byte past ASCII (U+0085, a line break to some) are what an HTTP server lets
    through in a header (control characters such as NUL it refuses before the app sees them)."""
    response = APIClient().post(
        "/api/auth/token/",
        {"email": "ada@example.com", "password": PASSWORD},
        HTTP_USER_AGENT="curl/8.5.0\t(x)\x85",
    )
    assert response.json()["name"] == "Signed in from curl/8.5.0 (x)"


def test_the_password_exchange_refuses_members_of_a_single_sign_on_organisation(person):
    OrganizationMembershipFactory(
        user=person, organization__name="Acme Health", organization__sso_only=True
    )
    response = APIClient().post(
        "/api/auth/token/", {"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Acme Health signs in with single sign-on only: use the single sign-on button."
        ]
    }
    assert not ApiToken.objects.exists()


# The Authorization header


def test_it_signs_the_request_in_with_the_token_as_auth(person, secret):
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {secret}"))
    user, token = ApiTokenAuthentication().authenticate(request)
    assert user == person
    assert isinstance(token, ApiToken) and token.name == "Laptop"


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token gc_unknown", "Token \u00e9t\u00e9", "token gc_nope"],
)
def test_it_answers_401_to_a_bad_token(db, header):
    response = APIClient().get("/api/tokens/", HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_told_so(db):
    response = client_with("gc_" + "x" * 43).get("/api/tokens/")
    assert response.json() == {"detail": "This token is unknown or was revoked."}


def test_a_token_works_through_its_last_day_and_not_after(person):
    with time_machine.travel(MARCH_1, tick=False):
        _, secret = token_create(user=person, name="CI", expires_on=date(2027, 3, 3))
    client = client_with(secret)

    with time_machine.travel(datetime(2027, 3, 3, 23, 59, tzinfo=UTC), tick=False):
        assert client.get("/api/tokens/").status_code == 200
    with time_machine.travel(datetime(2027, 3, 4, 0, 1, tzinfo=UTC), tick=False):
        response = client.get("/api/tokens/")

    assert response.status_code == 401
    assert response.json() == {"detail": "This token expired on 3 March 2027."}


def test_expiry_follows_the_servers_time_zone(person, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # 13 hours ahead of UTC in March
    with time_machine.travel(MARCH_1, tick=False):
        _, secret = token_create(user=person, name="CI", expires_on=date(2027, 3, 3))
    # Noon in UTC on the 3rd is already the 4th in Auckland.
    with time_machine.travel(datetime(2027, 3, 3, 12, 0, tzinfo=UTC), tick=False):
        assert client_with(secret).get("/api/tokens/").status_code == 401


def test_a_deactivated_persons_token_is_refused(person, secret):
    User.objects.filter(pk=person.pk).update(is_active=False)  # not through save: no revocation
    response = client_with(secret).get("/api/tokens/")
    assert response.status_code == 401
    assert response.json() == {"detail": "This account is deactivated."}


@pytest.fixture
def chain(person):
    product = ProductFactory(name="Meal Planner")
    add_member(product, person, ProductRole.LEADER)
    return make_chain(product)


def test_a_read_only_token_reads_but_every_write_is_403(person, chain):
    comment = comment_create(actor=person, body="Looks right", goal=chain.product_goal)
    _, secret = token_create(user=person, name="Dashboard", read_only=True)
    client = client_with(secret)
    goal = chain.product_goal
    before = (goal.title, goal.version)

    assert client.get(f"/api/goals/{goal.pk}/").status_code == 200
    writes = [
        client.post(
            "/api/goals/",
            {"product": goal.product_id, "level": Level.SPRINT, "title": "Another"},
        ),
        client.patch(f"/api/goals/{goal.pk}/", {"title": "Renamed", "version": goal.version}),
        client.delete(f"/api/comments/{comment.pk}/"),
        client.post("/api/tokens/", {"name": "A read-write one"}),
        client.put(f"/api/goals/{goal.pk}/watch/", {"watching": True}),
    ]

    for response in writes:
        assert response.status_code == 403
        assert response.json()["detail"].startswith("This token is read-only: ")
    goal.refresh_from_db()
    assert (goal.title, goal.version) == before
    assert Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).exists()
    assert ApiToken.objects.filter(user=person).count() == 1


def test_the_token_and_its_person_are_read_in_one_query(person, django_assert_num_queries):
    token, secret = token_create(user=person, name="CI")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=datetime.now(UTC))
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {secret}"))
    with django_assert_num_queries(1):
        user, _ = ApiTokenAuthentication().authenticate(request)
        assert user.email == "ada@example.com"


def test_the_last_use_is_written_at_most_once_a_minute(person, django_assert_num_queries):
    with time_machine.travel(MARCH_1, tick=False) as clock:
        token, secret = token_create(user=person, name="CI")
        client = client_with(secret)
        # the token and its person; the stamp; the count; the page
        with django_assert_num_queries(4):
            client.get("/api/tokens/")
        token.refresh_from_db()
        assert token.last_used_at == MARCH_1

        clock.shift(timedelta(seconds=59))
        with django_assert_num_queries(3):
            client.get("/api/tokens/")
        token.refresh_from_db()
        assert token.last_used_at == MARCH_1

        clock.shift(timedelta(seconds=2))
        client.get("/api/tokens/")
        token.refresh_from_db()
        assert token.last_used_at == MARCH_1 + timedelta(seconds=61)
    listed = client.get("/api/tokens/").json()["results"][0]
    assert listed["last_used_at"] is not None


def test_the_schema_documents_the_token_header(db, client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    assert {"tokenAuth": []} in schema["paths"]["/api/tokens/"]["get"]["security"]
    assert "401" in schema["paths"]["/api/tokens/{id}/"]["delete"]["responses"]


@pytest.mark.django_db(transaction=True)
def test_the_workshop_event_stream_refuses_an_expired_token():
    person = UserFactory()
    with time_machine.travel(MARCH_1, tick=False):
        _, secret = token_create(user=person, name="Room", expires_on=date(2027, 3, 2))

    async def status() -> int:
        response = await AsyncClient().get(
            "/api/workshops/1/events/?seconds=1", headers={"authorization": f"Token {secret}"}
        )
        return response.status_code

    with time_machine.travel(datetime(2027, 3, 5, tzinfo=UTC), tick=False):
        assert asyncio.run(status()) == 401


# Revocation


def test_a_password_change_revokes_every_token(person, secret):
    others = token_create(user=UserFactory(), name="Someone else's")[0]
    token_create(user=person, name="Second")

    person.set_password("a-brand-new-password-42")
    person.save()

    assert not ApiToken.objects.filter(user=person).exists()
    assert ApiToken.objects.filter(pk=others.pk).exists()
    assert client_with(secret).get("/api/tokens/").status_code == 401


def test_other_changes_to_a_person_keep_their_tokens(person, secret):
    person.display_name = "Ada Lovelace"
    person.save()
    person.check_password(PASSWORD)  # a sign-in
    assert client_with(secret).get("/api/tokens/").status_code == 200


def test_a_password_reset_through_the_pages_revokes_every_token(
    person, secret, django_capture_on_commit_callbacks
):
    page = Client()
    with django_capture_on_commit_callbacks(execute=True):
        page.post("/password-reset/", {"email": "ada@example.com"})
    (email,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", email.body).group(1)
    form = page.get(link)  # Django moves the reset token out of the address: a redirect
    new_password = "another-long-password-77"

    done = page.post(form.url, {"new_password1": new_password, "new_password2": new_password})

    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new_password)
    assert client_with(secret).get("/api/tokens/").status_code == 401
    assert not ApiToken.objects.filter(user=person).exists()


class PeopleAdmin(ModelAdmin):
    fields = ["email", "is_active"]


people_admin = AdminSite(name="people-admin")
people_admin.register(User, PeopleAdmin)
# The project registers no user admin; this one shows what deactivating in an admin does.
urlpatterns = [path("people-admin/", people_admin.urls), path("", include("goalchain.urls"))]


@pytest.mark.urls(__name__)
def test_deactivating_a_person_in_the_admin_revokes_every_token(person, secret):
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        f"/people-admin/goals/user/{person.pk}/change/", {"email": person.email}
    )  # is_active left unticked

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active is False
    assert not ApiToken.objects.filter(user=person).exists()
    assert client_with(secret).get("/api/tokens/").status_code == 401


def test_the_admin_lists_tokens_without_secrets_and_makes_none(person, secret):
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)

    listing = admin.get("/admin/accounts/apitoken/")

    assert listing.status_code == 200
    assert secret[:10] in listing.content.decode() and secret not in listing.content.decode()
    assert admin.get("/admin/accounts/apitoken/add/").status_code == 403


# The move from rest_framework.authtoken


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_old_tokens_working_and_drops_their_table():
    person = UserFactory()
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, '
            '"created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" VALUES (%s, %s, %s)',
            [old_key, "2025-05-01 10:00:00+00:00", person.pk],
        )
    migration = importlib.import_module("accounts.migrations.0002_copy_authtoken_tokens")

    with connection.schema_editor() as editor:
        migration.copy_old_tokens(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=person)
    assert (token.name, token.read_only, token.prefix) == ("API token", False, old_key[:10])
    assert token.created_at == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    assert client_with(old_key).get("/api/tokens/").status_code == 200
