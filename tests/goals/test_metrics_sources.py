"""Data sources: a key result reads its value from an address every hour or day. Fetched from
the `receiver` fixture's real HTTP server: JSON and CSV answers, and the ways a source fails
(each kept on the source, its owner told once per run of failures)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from goals import tasks
from goals.models import GoalChange, KeyResult, MetricSource, MetricValue, Notification
from goals.services import metric_sources
from goals.services.metric_sources import SourceSettings, metric_source_fetch, metric_source_set
from tests.conftest import api_client_for
from tests.factories import KeyResultFactory, make_chain
from tests.receiver import Reply

pytestmark = pytest.mark.django_db

COUNT = json.dumps({"data": [{"count": 1200}, {"count": 1234.5}], "a/b": {"~x": "77"}}).encode()
CSV = b"day,cooks,note\n2026-06-01,900,fine\n2026-06-02,950,\n\n"
NOT_PUBLIC = (
    "is a private, loopback or link-local address: Goal Chain only sends to addresses on the "
    "public internet."
)


@pytest.fixture
def key_result(team):
    chain = make_chain(team.product)
    return KeyResultFactory(
        goal=chain.product_goal,
        owner=team.member,
        title="Weekly cooks",
        baseline=Decimal(0),
        target=Decimal(2000),
        current=Decimal(0),
    )


def kr_url(key_result) -> str:
    return f"/api/key-results/{key_result.pk}/"


def set_source(key_result, url: str, *, format="json", path="/data/1/count", every="hourly"):
    return metric_source_set(
        key_result=key_result,
        settings=SourceSettings(url=url, format=format, path=path, every=every),
    )


def fetch(source) -> MetricSource:
    assert metric_source_fetch(source_id=source.pk, due_only=False)
    source.refresh_from_db()
    return source


def test_a_patch_sets_a_source_and_the_key_result_shows_it(team, key_result, receiver):
    url = receiver.answer("/count.json", Reply(body=COUNT, content_type="application/json"))
    client = api_client_for(team.member)

    response = client.patch(
        kr_url(key_result),
        {"version": 1, "source": {"url": url, "format": "json", "path": "/data/1/count",
                                  "every": "daily"}},
    )  # fmt: skip

    assert response.status_code == 200, response.content
    source = response.json()["source"]
    assert source["url"] == url and source["every"] == "daily" and source["path"] == "/data/1/count"
    assert source["last_fetched_at"] is None and source["last_error"] == ""
    assert response.json()["version"] == 1  # a source is not part of what the key result says

    tasks.fetch_due_metric_sources()

    shown = client.get(kr_url(key_result)).json()
    assert shown["current"] == 1234.5 and shown["source"]["last_fetched_at"] is not None
    assert receiver.to("/count.json")[0].headers["Accept"] == "application/json"
    point = MetricValue.objects.get()
    assert point.by == "its source" and point.token is None
    change = GoalChange.objects.filter(goal=key_result.goal).latest("at", "id")
    assert change.by is None and change.by_name == "The data source"
    history = client.get(f"/api/goals/{key_result.goal_id}/history/").json()
    assert history[0]["by_name"] == "The data source"
    next_fetch = MetricSource.objects.get().next_fetch_at - timezone.now()
    assert timedelta(hours=23) < next_fetch <= timedelta(days=1)


def test_a_patch_with_null_removes_the_source(team, key_result, receiver):
    set_source(key_result, receiver.answer("/x", Reply(body=b"1")))

    response = api_client_for(team.member).patch(kr_url(key_result), {"version": 1, "source": None})

    assert response.status_code == 200 and response.json()["source"] is None
    assert not MetricSource.objects.exists()


@pytest.mark.parametrize(
    ("path", "value"),
    [("/data/0/count", 1200), ("/a~1b/~0x", 77), ("/data/1/count", Decimal("1234.5"))],
)
def test_a_json_pointer_finds_the_number(key_result, receiver, path, value):
    source = set_source(key_result, receiver.answer("/c", Reply(body=COUNT)), path=path)

    assert fetch(source).last_error == ""
    key_result.refresh_from_db()
    assert key_result.current == value


def test_a_csv_source_gives_its_columns_last_row(key_result, receiver):
    url = receiver.answer("/cooks.csv", Reply(body=CSV, content_type="text/csv"))
    source = set_source(key_result, url, format="csv", path="cooks")

    assert fetch(source).last_error == ""
    key_result.refresh_from_db()
    assert key_result.current == 950
    assert receiver.to("/cooks.csv")[0].headers["Accept"] == "text/csv"


@pytest.mark.parametrize(
    ("reply", "path", "error"),
    [
        (Reply(body=b"{not json"), "/data", "The answer is not valid JSON."),
        (
            Reply(body=COUNT),
            "/data/2/count",
            "The answer has nothing at /data/2/count: the list at /data has 2 items, so no "
            "item 2 (counting from 0).",
        ),
        (
            Reply(body=COUNT),
            "/data/0/total",
            "The answer has nothing at /data/0/total: the object at /data/0 has no “total”.",
        ),
        (Reply(body=COUNT), "/data", "At /data the answer has a list, not a number."),
        (
            Reply(body=b'{"n": "about 5"}'),
            "/n",
            "At /n the answer has the text “about 5”, not a number.",
        ),
        (Reply(body=b'{"n": null}'), "/n", "At /n the answer has null (no value), not a number."),
        (Reply(body=b""), "", "The answer is empty: there is no JSON to read."),
        (
            Reply(status=500, body=b"oops"),
            "/n",
            "The address answered with HTTP status 500, not a value.",
        ),
        (
            Reply(body=b"x" * 10_000_000),
            "/n",
            "The answer is larger than 1 MB, the most Goal Chain reads.",
        ),
    ],
    ids=["bad json", "no item", "no name", "a list", "a text", "null", "empty", "500", "10 MB"],
)
def test_a_failed_fetch_keeps_why_and_changes_nothing(key_result, receiver, reply, path, error):
    source = set_source(key_result, receiver.answer("/s", reply), path=path)

    assert fetch(source).last_error == error
    key_result.refresh_from_db()
    assert key_result.current == 0 and not MetricValue.objects.exists()
    assert source.last_fetched_at is None
    assert source.next_fetch_at > timezone.now() + timedelta(minutes=59)  # tried again later


def test_a_slow_answer_is_given_up(key_result, receiver, monkeypatch):
    monkeypatch.setattr(metric_sources, "FETCH_TIMEOUT", 0.3)
    source = set_source(key_result, receiver.answer("/slow", Reply(body=b"5", delay=2)), path="")

    assert fetch(source).last_error == "The address did not answer in time."
    assert not MetricValue.objects.exists()


@pytest.mark.parametrize(
    ("body", "column", "error"),
    [
        (CSV, "visits", "The CSV table has no column “visits”; its columns are “day”, “cooks”, "
                        "“note”."),
        (CSV, "note", "The last row of the CSV table has no value for “note”."),
        (b"day,cooks\n", "cooks", "The CSV table names its columns but has no rows of values."),
        (b"day,cooks\n1,lots\n", "cooks", "In the last row, “cooks” the answer has the text "
                                          "“lots”, not a number."),
        (b"\xff\xfe", "cooks", "The answer is not text in UTF-8, so not a CSV table."),
    ],
    ids=["no column", "no value", "no rows", "a text", "not utf-8"],
)  # fmt: skip
def test_a_csv_source_says_what_is_missing(key_result, receiver, body, column, error):
    url = receiver.answer("/t.csv", Reply(body=body, content_type="text/csv"))

    assert fetch(set_source(key_result, url, format="csv", path=column)).last_error == error


def test_the_owner_hears_once_per_run_of_failures(team, key_result, receiver):
    url = receiver.answer(
        "/flaky",
        Reply(status=500),
        Reply(status=503),
        Reply(body=b'{"n": 7}'),
        Reply(status=500),
    )
    source = set_source(key_result, url, path="/n")

    fetch(source)
    fetch(source)
    told = Notification.objects.filter(kind="source_failed")
    assert told.count() == 1
    notice = told.get()
    assert notice.recipient == team.member and notice.goal_id == key_result.goal_id
    assert notice.text == (
        "The data source of “Weekly cooks” failed: The address answered with HTTP status 500, "
        "not a value."
    )
    assert notice.url == f"/key-results/{key_result.pk}/#data-source"

    assert fetch(source).last_error == ""
    assert not source.error_notified
    fetch(source)
    assert told.count() == 2
    assert source.last_error == "The address answered with HTTP status 500, not a value."


def test_the_beat_task_run_twice_records_once(key_result, receiver):
    set_source(key_result, receiver.answer("/n", Reply(body=b"42")), path="")

    tasks.fetch_due_metric_sources()
    tasks.fetch_due_metric_sources()
    tasks.fetch_metric_source(MetricSource.objects.get().pk)

    assert MetricValue.objects.count() == 1 and len(receiver.to("/n")) == 1
    key_result.refresh_from_db()
    assert key_result.current == 42


def test_a_source_comes_due_again_after_its_period(key_result, receiver):
    set_source(key_result, receiver.answer("/n", Reply(body=b"1"), Reply(body=b"2")), path="")
    tasks.fetch_due_metric_sources()

    with time_machine.travel(timezone.now() + timedelta(minutes=59)):
        tasks.fetch_due_metric_sources()
        assert MetricValue.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        tasks.fetch_due_metric_sources()
    assert list(MetricValue.objects.order_by("at").values_list("value", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "http://169.254.169.254/", "http://[::1]:8000/metrics"]
)
def test_a_private_address_is_refused_when_saving(team, key_result, url):
    response = api_client_for(team.member).patch(
        kr_url(key_result),
        {"version": 1, "title": "Renamed", "source": {"url": url, "format": "json", "path": "",
                                                        "every": "hourly"}},
    )  # fmt: skip

    assert response.status_code == 400
    [message] = response.json()["source"]
    assert message.endswith(NOT_PUBLIC)
    assert not MetricSource.objects.exists()
    key_result.refresh_from_db()
    assert key_result.title == "Weekly cooks"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"url": "ftp://example.com/x", "format": "json", "path": "", "every": "daily"},
         "Use a web address starting with https:// (or http://)."),
        ({"url": "https://93.184.215.14/x", "format": "json", "path": "data/0",
          "every": "daily"}, "A JSON pointer starts with “/”, e.g. /data/0/count."),
        ({"url": "https://93.184.215.14/x", "format": "json", "path": "/a~2", "every": "daily"},
         "In a JSON pointer “~” is written only as ~0 (a “~”) or ~1 (a “/”)."),
        ({"url": "https://93.184.215.14/x", "format": "csv", "path": " ", "every": "daily"},
         "Name the column of the CSV table that holds the value."),
    ],
)  # fmt: skip
def test_a_source_that_could_never_be_read_is_refused(team, key_result, source, message):
    response = api_client_for(team.member).patch(
        kr_url(key_result), {"version": 1, "source": source}
    )

    assert response.status_code == 400
    assert response.json() == {"source": [message]}
    assert not MetricSource.objects.exists()


@pytest.mark.parametrize("left_out", ["url", "format", "path", "every"])
@pytest.mark.parametrize("method", ["patch", "post"])
def test_a_source_is_given_whole_or_refused(team, key_result, method, left_out):
    """A PATCH of the key result may leave out its own fields, not those of its source."""
    source = {"url": "https://93.184.215.14/x", "format": "json", "path": "", "every": "daily"}
    del source[left_out]
    client = api_client_for(team.member)
    key_results = KeyResult.objects.count()

    if method == "patch":
        response = client.patch(kr_url(key_result), {"version": 1, "source": source})
    else:
        body = {"goal": key_result.goal_id, "title": "Planners", "baseline": 0, "target": 10,
                "owner": team.member.pk}  # fmt: skip
        response = client.post("/api/key-results/", {**body, "source": source})

    assert response.status_code == 400, response.content
    assert response.json() == {"source": {left_out: ["This field is required."]}}
    assert not MetricSource.objects.exists() and KeyResult.objects.count() == key_results


def test_a_stakeholder_sets_no_source(team, key_result):
    source = {"url": "https://93.184.215.14/x", "format": "json", "path": "", "every": "daily"}

    response = api_client_for(team.stakeholder).patch(
        kr_url(key_result), {"version": 1, "source": source}
    )

    assert response.status_code == 403 and not MetricSource.objects.exists()


def test_a_stale_version_keeps_the_old_source(team, key_result, receiver):
    set_source(key_result, receiver.answer("/old", Reply(body=b"1")), path="")
    source = {"url": receiver.answer("/new", Reply(body=b"2")), "format": "json", "path": "",
              "every": "daily"}  # fmt: skip

    response = api_client_for(team.member).patch(
        kr_url(key_result), {"version": 7, "source": source}
    )

    assert response.status_code == 409
    assert MetricSource.objects.get().url.endswith("/old")


def test_a_closed_goals_sources_rest(key_result, receiver):
    set_source(key_result, receiver.answer("/n", Reply(body=b"3")), path="")
    key_result.goal.status = "achieved"
    key_result.goal.save(update_fields=["status"])

    tasks.fetch_due_metric_sources()

    assert receiver.to("/n") == [] and not MetricValue.objects.exists()


@pytest.mark.parametrize("rows", [1, 100])
def test_the_key_result_list_reads_its_sources_in_the_same_query(
    team, key_result, django_assert_num_queries, rows
):
    for _ in range(rows):
        extra = KeyResultFactory(goal=key_result.goal, owner=team.member)
        MetricSource.objects.create(
            key_result=extra, url="https://93.184.215.14/", format="json", path="", every="daily"
        )
    client = api_client_for(team.member)
    # 1. the token and its user, 2. the count, 3. the page with goals, owners, roles, sources
    with django_assert_num_queries(3):
        response = client.get(f"/api/key-results/?page_size=500&goal={key_result.goal_id}")
    results = response.json()["results"]
    assert sum(1 for kr in results if kr["source"]) == rows


def test_a_new_key_result_comes_with_its_source_or_not_at_all(team, key_result):
    client = api_client_for(team.member)
    body = {"goal": key_result.goal_id, "title": "Planners", "baseline": 0, "target": 10,
            "owner": team.member.pk, "change_reason": "We measure it now"}  # fmt: skip
    source = {"url": "https://93.184.215.14/p.csv", "format": "csv", "path": "planners",
              "every": "daily"}  # fmt: skip

    refused = client.post("/api/key-results/", {**body, "source": {**source, "path": ""}})
    created = client.post("/api/key-results/", {**body, "source": source})

    assert refused.status_code == 400
    assert refused.json() == {"source": ["Name the column of the CSV table that holds the value."]}
    assert created.status_code == 201, created.content
    assert created.json()["source"]["path"] == "planners"
    assert KeyResult.objects.filter(title="Planners").count() == 1
