"""Making, replacing and stopping one's calendar feed: POST /api/calendar-feed/ and the
Calendar tab of the settings (/settings/calendar/), where the link is shown once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tokens import hash_key, token_create
from goals.models import CalendarFeed, User
from tests.factories import UserFactory

SITE = "https://goals.example.com"
PAGE = "/settings/calendar/"
FEED_URL = re.compile(r"^https://goals\.example\.com/calendar/[A-Za-z0-9_-]{43}\.ics$")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def person(db) -> User:
    return UserFactory(display_name="Ada")


@pytest.fixture
def page(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def status_of(url: str) -> int:
    return Client().get(urlsplit(url).path).status_code


def link_on(html: str) -> str | None:
    found = re.search(r'id="calendar-link" value="([^"]+)"', html)
    return found.group(1) if found else None


# The API


def test_the_api_answers_with_the_absolute_address_of_a_new_feed(person, api):
    response = api(person).post("/api/calendar-feed/")

    assert response.status_code == 201
    url = response.json()["url"]
    assert response.json() == {"url": url}
    assert FEED_URL.match(url)
    secret = urlsplit(url).path.removeprefix("/calendar/").removesuffix(".ics")
    assert CalendarFeed.objects.get(user=person).key_hash == hash_key(secret)
    assert secret not in str(CalendarFeed.objects.values_list())
    assert status_of(url) == 200


def test_each_post_replaces_the_address_and_the_old_one_stops_working(person, api):
    client = api(person)
    first = client.post("/api/calendar-feed/").json()["url"]
    second = client.post("/api/calendar-feed/").json()["url"]

    assert first != second
    assert status_of(first) == 404
    assert status_of(second) == 200
    assert CalendarFeed.objects.filter(user=person).count() == 1


def test_anonymous_visitors_get_no_feed(db):
    response = APIClient().post("/api/calendar-feed/")

    assert response.status_code == 401
    assert not CalendarFeed.objects.exists()


def test_a_read_only_token_cannot_replace_the_address(person):
    _, secret = token_create(user=person, name="Reader", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert client.post("/api/calendar-feed/").status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_feed_endpoint_only_takes_posts(person, api):
    assert api(person).get("/api/calendar-feed/").status_code == 405


# The settings page


def test_it_asks_anonymous_visitors_to_sign_in(db):
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_it_explains_the_feed_and_offers_to_make_one(page):
    html = page.get(PAGE).content.decode()

    assert "<h1>Calendar</h1>" in html
    assert 'aria-current="page">Calendar</a>' in html
    assert "The review days of the goals you own." in html
    assert "You have no calendar link." in html
    assert "Create my calendar link" in html
    assert "Get a new link" not in html and "Stop the feed" not in html


def test_it_makes_the_link_and_shows_it_once(person, page):
    response = page.post(PAGE, follow=True)

    html = response.content.decode()
    url = link_on(html)
    assert url is not None and FEED_URL.match(url)
    assert "Made your calendar link." in html
    assert "it will not be shown again" in html
    assert 'data-copy="calendar-link"' in html
    assert status_of(url) == 200

    again = page.get(PAGE).content.decode()
    assert link_on(again) is None
    assert "Get a new link" in again and "Stop the feed" in again
    assert "Create my calendar link" not in again


def test_a_new_link_replaces_the_old_one(person, page):
    old = link_on(page.post(PAGE, follow=True).content.decode())

    html = page.post(PAGE, follow=True).content.decode()

    new = link_on(html)
    assert new is not None and new != old
    assert "Made a new calendar link: the old one no longer works." in html
    assert status_of(old) == 404
    assert status_of(new) == 200


def test_stopping_the_feed_deletes_it(person, page):
    url = link_on(page.post(PAGE, follow=True).content.decode())

    html = page.post("/settings/calendar/stop/", follow=True).content.decode()

    assert "Stopped your calendar feed: its link no longer works." in html
    assert "Create my calendar link" in html
    assert not CalendarFeed.objects.filter(user=person).exists()
    assert status_of(url) == 404


def test_stopping_without_a_feed_changes_nothing(page):
    response = page.post("/settings/calendar/stop/")

    assert response.status_code == 302
    assert page.get("/settings/calendar/stop/").status_code == 405


def test_making_or_stopping_ones_feed_leaves_anothers_alone(person, page, api):
    theirs = api(UserFactory()).post("/api/calendar-feed/").json()["url"]

    page.post(PAGE)
    page.post(PAGE)
    page.post("/settings/calendar/stop/")

    assert status_of(theirs) == 200


@pytest.mark.parametrize("with_feed", [False, True])
def test_the_page_reads_a_fixed_number_of_queries(
    person, page, django_assert_num_queries, with_feed
):
    if with_feed:
        page.post(PAGE)
        page.get(PAGE)  # the link shown once; the next view is the plain page
    # The session, the person (with their two-factor facts), the feed.
    with django_assert_num_queries(3):
        assert page.get(PAGE).status_code == 200
