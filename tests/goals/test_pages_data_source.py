"""The key result's edit page: its data source (save, fetch now, remove, the last read and
error), and the values from data on its chart, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from goals.models import MetricSource, MetricValue
from goals.services.metric_sources import SourceSettings, metric_source_set
from tests.factories import KeyResultFactory, make_chain
from tests.receiver import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_result(team):
    chain = make_chain(team.product)
    return KeyResultFactory(
        goal=chain.product_goal,
        owner=team.member,
        title="Weekly cooks",
        unit="cooks",
        baseline=Decimal(0),
        target=Decimal(2000),
        current=Decimal(0),
    )


def edit_url(key_result) -> str:
    return f"/key-results/{key_result.pk}/"


def form(url: str, **fields: str) -> dict[str, str]:
    return {"url": url, "format": "json", "path": "/n", "every": "hourly", **fields}


def test_an_editor_sees_the_labelled_fields_with_an_example(team, key_result, browser_client):
    html = browser_client(team.member).get(edit_url(key_result)).content.decode()

    section = html[html.index('id="data-source"') :]
    for label in ("Address", "It answers with", "Where the value is", "Read it"):
        assert f">{label}</" in section
    assert "/data/0/count" in section and "Save data source" in section
    assert "Fetch now" not in section  # nothing to fetch yet


def test_saving_a_source_reads_it_and_shows_the_last_read(
    team, key_result, browser_client, receiver, django_capture_on_commit_callbacks
):
    url = receiver.answer("/n.json", Reply(body=b'{"n": 1500}'))
    client = browser_client(team.member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{edit_url(key_result)}source/", form(url))

    assert response.status_code == 302
    assert response["Location"] == f"{edit_url(key_result)}#data-source"
    key_result.refresh_from_db()
    assert key_result.current == 1500
    html = client.get(edit_url(key_result)).content.decode()
    assert "Saved the data source of “Weekly cooks”." in html
    section = html[html.index('id="data-source"') :]
    assert url in section and "Not yet" not in section and "The last read failed" not in section
    assert "Fetch now" in section and "Remove data source" in section


def test_a_private_address_is_refused_on_the_page(team, key_result, browser_client):
    response = browser_client(team.member).post(
        f"{edit_url(key_result)}source/", form("http://169.254.169.254/latest")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "169.254.169.254 is a private, loopback or link-local address" in html
    assert 'value="http://169.254.169.254/latest"' in html  # what was typed stays
    assert not MetricSource.objects.exists()


def test_fetch_now_shows_the_last_error_and_then_the_value(
    team, key_result, browser_client, receiver
):
    url = receiver.answer("/n", Reply(status=500), Reply(body=b'{"n": 640}'))
    metric_source_set(
        key_result=key_result,
        settings=SourceSettings(url=url, format="json", path="/n", every="daily"),
    )
    client = browser_client(team.member)

    failed = client.post(f"{edit_url(key_result)}source/fetch/", follow=True).content.decode()
    assert (
        "The data source could not be read: The address answered with HTTP status 500, not a value."
    ) in failed
    assert "The last read failed:</strong> The address answered with HTTP status 500" in failed

    worked = client.post(f"{edit_url(key_result)}source/fetch/", follow=True).content.decode()
    assert "Read “Weekly cooks” from its data source: now 640 cooks." in worked
    assert "The last read failed" not in worked


def test_removing_the_source(team, key_result, browser_client):
    MetricSource.objects.create(
        key_result=key_result, url="https://93.184.215.14/", format="json", path="", every="daily"
    )

    response = browser_client(team.leader).post(f"{edit_url(key_result)}source/remove/")

    assert response.status_code == 302 and not MetricSource.objects.exists()


def test_a_stakeholder_changes_no_source(team, key_result, browser_client):
    client = browser_client(team.stakeholder)
    for action in ("", "fetch/", "remove/"):
        response = client.post(f"{edit_url(key_result)}source/{action}", form("https://1.1.1.1/"))
        assert response.status_code == 403
    assert not MetricSource.objects.exists()


def test_the_chart_shows_values_from_data_labelled_by_who_sent_them(
    team, key_result, browser_client
):
    now = timezone.now()
    MetricValue.objects.create(
        key_result=key_result, value=300, previous=0, at=now - timedelta(hours=2), by="BI export"
    )
    MetricValue.objects.create(
        key_result=key_result, value=450, previous=300, at=now, by="its source"
    )

    html = browser_client(team.stakeholder).get(f"/goals/{key_result.goal_id}/").content.decode()

    assert html.count('class="chart-dot chart-dot-data"') == 2
    assert ": 300 cooks, from BI export</title>" in html
    assert ": 450 cooks, from its source</title>" in html
    assert "2 values from data, the latest 450 cooks on" in html
    assert '<td class="num">300 cooks</td><td>BI export</td>' in html
    assert "from data (a metric token, a data source)" in html


@pytest.mark.parametrize("points", [1, 250])
def test_the_key_result_page_reads_a_fixed_number_of_queries(
    team, key_result, browser_client, django_assert_num_queries, points
):
    MetricSource.objects.create(
        key_result=key_result, url="https://93.184.215.14/", format="json", path="", every="daily"
    )
    now = timezone.now()
    MetricValue.objects.bulk_create(
        MetricValue(key_result=key_result, value=n, previous=0, at=now - timedelta(hours=n),
                    by="BI export")
        for n in range(points)
    )  # fmt: skip
    client = browser_client(team.member)
    # 1 session, 2 user, 3 the key result with my roles, 4 the goal with my roles,
    # 5 product members, 6 parents, 7 key results with owners and data sources,
    # 8 parent choices, 9 feedback rounds, 10 comments, 11 insights, 12 whether I watch it,
    # 13 check-ins, 14 the charts' values from data, 15 children, 16 history, 17 the
    # decision that adopted the goal.
    with django_assert_num_queries(17):
        response = client.get(edit_url(key_result))
    assert response.status_code == 200
    assert response.content.decode().count("chart-dot-data") == min(points, 100)
