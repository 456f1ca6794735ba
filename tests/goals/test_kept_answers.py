"""Goal detail and list given again with no query while nothing was written
(goals/api/fast_reads.py); tests/goals/test_goal_cache.py reads back each kind of write."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import goals.api.goals
from accounts.models import ApiToken
from accounts.tokens import token_revoke
from goalchain.writes import STAMP_KEY
from goals.models import Goal, OrganizationMembership
from tests.factories import make_chain


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def addresses(team, chain):
    return {
        "detail": f"/api/goals/{chain.sprint_goal.pk}/",
        "list": f"/api/goals/?product={team.product.pk}&page_size=2&page=2",
    }


@pytest.mark.parametrize("which", ["detail", "list"])
def test_an_answer_asked_again_makes_no_query(
    team, api, addresses, which, django_assert_num_queries
):
    client = api(team.member)
    first = client.get(addresses[which])
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(addresses[which])
    assert again.status_code == 200
    assert again.content == first.content
    assert dict(again.headers) == dict(first.headers)


def test_the_list_links_to_the_address_asked(team, api, addresses):
    client = api(team.member)
    client.get(addresses["list"])
    again = client.get(addresses["list"], HTTP_HOST="localhost")
    assert again.json()["next"].startswith("http://localhost/api/goals/")


def test_an_edit_shows_at_once(team, chain, api, addresses):
    client = api(team.leader)
    goal = chain.sprint_goal
    client.get(addresses["detail"])
    client.get(addresses["list"])
    response = client.patch(
        addresses["detail"],
        {"title": "Ship the planner", "version": goal.version, "change_reason": "Scope"},
        format="json",
    )
    assert response.status_code == 200
    assert client.get(addresses["detail"]).json()["title"] == "Ship the planner"


def test_a_raw_write_shows_at_once(team, chain, api, addresses):
    client = api(team.member)
    client.get(addresses["detail"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Goal._meta.db_table} SET title = %s, version = version + 1 WHERE id = %s",
            ["Renamed by hand", chain.sprint_goal.pk],
        )
    assert client.get(addresses["detail"]).json()["title"] == "Renamed by hand"


def test_a_write_while_the_answer_is_made_is_not_kept(team, chain, api, addresses, monkeypatch):
    """The stamp is read before the answer is made: a write that lands after the goal was
    read, before the answer is kept, leaves the answer unkept."""
    client = api(team.member)
    made = goals.api.goals.goals_json

    def made_then_written(user, pks):
        bodies = made(user, pks)
        Goal.objects.filter(pk=chain.sprint_goal.pk).update(title="Written meanwhile", version=7)
        return bodies

    monkeypatch.setattr(goals.api.goals, "goals_json", made_then_written)
    assert client.get(addresses["detail"]).json()["title"] != "Written meanwhile"
    monkeypatch.undo()
    assert client.get(addresses["detail"]).json()["title"] == "Written meanwhile"


@pytest.mark.parametrize("which", ["detail", "list"])
def test_a_revoked_token_is_refused_at_once(team, api, addresses, which):
    client = api(team.member)
    assert client.get(addresses[which]).status_code == 200
    token_revoke(user=team.member, token_id=ApiToken.objects.get(user=team.member).pk)
    assert client.get(addresses[which]).status_code == 401


def test_a_deactivated_person_is_refused_at_once(team, api, addresses):
    client = api(team.member)
    assert client.get(addresses["detail"]).status_code == 200
    team.member.is_active = False
    team.member.save()
    assert client.get(addresses["detail"]).status_code == 401


def test_a_person_who_left_the_organisation_sees_nothing_at_once(team, api, addresses):
    client = api(team.member)
    assert client.get(addresses["detail"]).status_code == 200
    assert len(client.get(addresses["list"]).json()["results"]) == 2
    OrganizationMembership.objects.filter(user=team.member).delete()
    assert client.get(addresses["detail"]).status_code == 404
    assert client.get(addresses["list"]).status_code == 404  # no second page now
    assert client.get(f"/api/goals/?product={team.product.pk}").json()["results"] == []


def test_one_tokens_answer_is_not_given_to_another(team, api, addresses):
    assert api(team.member).get(addresses["detail"]).status_code == 200
    assert api(team.outsider).get(addresses["detail"]).status_code == 404


def test_an_answer_is_made_again_at_the_next_quarter_hour(team, api, addresses):
    """Every time zone's midnight falls on a quarter hour of UTC: a date may have turned."""
    start = timezone.now().replace(minute=14, second=50)
    _kept_then_made(team, api(team.member), addresses["detail"], start, kept=5, made=11)


def test_a_tokens_use_is_still_recorded_each_minute(team, api, addresses):
    start = timezone.now().replace(minute=1, second=0)
    _kept_then_made(team, api(team.member), addresses["detail"], start, kept=59, made=61)
    assert ApiToken.objects.get(user=team.member).last_used_at == start + timedelta(seconds=61)


def _kept_then_made(team, client, address: str, start, *, kept: int, made: int) -> None:
    """Read at `start` by a token used then: still kept `kept` seconds on, made again (with
    queries) `made` seconds on."""
    with time_machine.travel(start, tick=False):
        ApiToken.objects.filter(user=team.member).update(last_used_at=timezone.now())
        client.get(address)
    with time_machine.travel(start + timedelta(seconds=kept), tick=False):
        assert _queries_of(client, address) == 0
    with time_machine.travel(start + timedelta(seconds=made), tick=False):
        assert _queries_of(client, address) > 0


@pytest.mark.parametrize(
    "extra",
    [{"HTTP_ACCEPT": "application/json; indent=4"}, {"HTTP_ACCEPT": "text/html"}],
    ids=["indented", "html"],
)
def test_other_ways_of_asking_are_answered_as_usual(team, api, addresses, extra):
    client = api(team.member)
    usual = client.get(addresses["detail"], **extra)
    client.get(addresses["detail"])
    again = client.get(addresses["detail"], **extra)
    assert (again.status_code, again.content) == (usual.status_code, usual.content)
    assert _queries_of(client, addresses["detail"] + "?format=json") > 0


def test_a_lost_stamp_makes_every_answer_again(team, api, addresses):
    client = api(team.member)
    client.get(addresses["detail"])
    cache.delete(STAMP_KEY)
    assert _queries_of(client, addresses["detail"]) > 0
    assert _queries_of(client, addresses["detail"]) == 0


def test_without_a_shared_cache_nothing_is_kept(team, api, addresses, settings):
    settings.FAST_READS = False
    client = api(team.member)
    client.get(addresses["detail"])
    assert _queries_of(client, addresses["detail"]) > 0


def test_a_session_read_is_answered_as_usual(team, addresses, browser_client):
    client = browser_client(team.member)
    client.get(addresses["detail"])
    assert _queries_of(client, addresses["detail"]) > 0


def _queries_of(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code in (200, 406)
    return len(queries)
