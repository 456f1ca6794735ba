"""Numbers are written one way everywhere people read them ([2/7] item 9): no trailing zeros
("3.1", not "3.1000"), thousands grouped ("50,000") and counts with their noun in the right
form ("1 concern", "2 concerns") — on pages, in forms, emails, notifications and export text.
JSON keeps numbers as numbers."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template

from goals.models import (
    CheckIn,
    CheckInValue,
    FeedbackAnswer,
    Insight,
    InsightKind,
    KeyResult,
    Level,
    Notification,
)
from goals.rules.timeframes import timeframe_warning
from goals.services.feedback import feedback_round_close
from goals.wording import amount, counted, json_number, plain_number
from tests.factories import KeyResultFactory, make_chain, make_closed_round, today

# A decimal written with the zeros the database keeps: "3.1000", "2600.0000".
TRAILING_ZEROS = re.compile(r"\d\.\d*0\b")
# Five or more digits in a row outside a grouped number: "50000" rather than "50,000".
UNGROUPED = re.compile(r"(?<![\d,.])\d{5,}(?![\d,])")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("3.1000"), "3.1"),
        (Decimal("2600.0000"), "2,600"),
        (50000, "50,000"),
        ("1234567.5", "1,234,567.5"),
        (Decimal("1.0000"), "1"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.0000"), "0"),
        (Decimal("-1234.5000"), "-1,234.5"),
        (Decimal("-0.5"), "-0.5"),
        (Decimal("1E+1"), "10"),
        (Decimal("0.0001"), "0.0001"),
        (None, ""),
        ("not a number", "not a number"),
    ],
)
def test_it_writes_an_amount_without_trailing_zeros_and_with_grouped_thousands(value, written):
    assert amount(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [(Decimal("2600.0000"), "2600"), (Decimal("-0.0000"), "0"), (Decimal("1E+1"), "10")],
)
def test_it_writes_a_number_for_a_form_or_data_file_ungrouped(value, written):
    assert plain_number(value) == written


def test_it_keeps_json_numbers_as_numbers():
    assert json_number(Decimal("12.0000")) == 12
    assert isinstance(json_number(Decimal("12.0000")), int)
    assert json_number(Decimal("12.5000")) == 12.5


@pytest.mark.parametrize(
    ("count", "nouns", "written"),
    [
        (1, ("concern",), "1 concern"),
        (2, ("concern",), "2 concerns"),
        (0, ("concern",), "0 concerns"),
        (1200, ("vote",), "1,200 votes"),
        ("1", ("dot",), "1 dot"),
        (1, ("person", "people"), "1 person"),
        (3, ("person", "people"), "3 people"),
    ],
)
def test_it_counts_with_the_noun_in_its_right_form(count, nouns, written):
    assert counted(count, *nouns) == written


def test_the_template_filters_write_the_same_way():
    text = Template(
        '{{ a|amount }} · {{ one|counted:"concern" }} · {{ n|counted:"person,people" }}'
    )
    written = text.render(Context({"a": Decimal("50000.0000"), "one": 1, "n": 2}))
    assert written == "50,000 · 1 concern · 2 people"


@pytest.fixture
def measured(team):
    """A chain whose product goal measures awkward numbers, with a check-in, an insight and a
    closed feedback round in which one person had concerns."""
    chain = make_chain(team.product)
    goal = chain.product_goal
    weight = KeyResultFactory(
        goal=goal, title="Weight lost", unit="kg/week", owner=team.member,
        baseline=Decimal("3.1"), current=Decimal("2600"), target=Decimal("50000"),
    )  # fmt: skip
    households = KeyResultFactory(
        goal=goal, title="Households reached", unit="households", owner=team.member,
        baseline=Decimal("1"), current=Decimal("1"), target=Decimal("1234567.5"),
    )  # fmt: skip
    KeyResultFactory(
        goal=chain.business_goal, title="Paying households", unit="households",
        baseline=Decimal("3.1"), current=Decimal("3.1"), target=Decimal("50000"),
    )  # fmt: skip
    entry = CheckIn.objects.create(goal=goal, author=team.member, confidence=4)
    CheckInValue.objects.create(
        check_in=entry, key_result=weight, previous=Decimal("3.1"), value=Decimal("2600")
    )
    Insight.objects.create(
        goal=goal, kind=InsightKind.QUANTITATIVE, summary="Households on the list",
        source="Survey", value=Decimal("50000"), unit="households", author=team.leader,
    )  # fmt: skip
    make_closed_round(
        goal, team.leader, {team.member: FeedbackAnswer.CONCERNS, team.stakeholder: ""}
    )
    return chain, weight, households


def visible_text(html: str) -> str:
    """What a reader sees: the page without its tags, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def assert_numbers_as_people_write_them(text: str) -> None:
    assert not TRAILING_ZEROS.findall(text), TRAILING_ZEROS.findall(text)
    assert not UNGROUPED.findall(text), UNGROUPED.findall(text)


@pytest.mark.parametrize(
    ("page", "shows"),
    [
        ("/goals/{goal}/", ("3.1", "2,600", "50,000", "1,234,567.5")),
        ("/goals/{goal}/check-in/", ("2,600", "50,000")),
        ("/products/{product}/reviews/", ("2,600", "50,000", "1,234,567.5")),
        ("/products/{product}/roadmap/", ("3.1", "50,000", "1,234,567.5")),
        ("/products/{product}/vision-board/", ("3.1", "50,000")),
        ("/", ("2,600", "50,000", "1,234,567.5")),
        # Pages that count things rather than measure them: nothing raw either.
        ("/products/{product}/", ()),
        ("/products/{product}/health/", ()),
        ("/products/{product}/activity/", ()),
        ("/notifications/", ()),
    ],
)
def test_pages_write_key_result_numbers_as_people_do(team, measured, browser_client, page, shows):
    chain, _, _ = measured
    chain.product_goal.next_review_on = today() + timedelta(days=1)
    chain.product_goal.save(update_fields=["next_review_on"])
    url = page.format(goal=chain.product_goal.pk, product=team.product.pk)

    text = visible_text(browser_client(team.member).get(url).content.decode())

    assert_numbers_as_people_write_them(text)
    for number in shows:
        assert number in text


def test_the_goal_page_shows_each_key_result_insight_and_round_count_as_written(
    team, measured, browser_client
):
    chain, _, _ = measured
    html = browser_client(team.leader).get(f"/goals/{chain.product_goal.pk}/").content.decode()
    text = visible_text(html)

    assert_numbers_as_people_write_them(text)
    assert "3.1 kg/week" in text
    assert "2,600 kg/week" in text
    assert "1,234,567.5 households" in text
    assert "50,000 households" in text  # the insight
    assert "1 concern " in text
    assert "1 concerns" not in text


def test_the_key_result_form_shows_its_numbers_without_the_columns_zeros(
    team, measured, browser_client
):
    _, weight, _ = measured
    html = browser_client(team.leader).get(f"/key-results/{weight.pk}/").content.decode()
    assert 'name="baseline" value="3.1"' in html or 'value="3.1"' in html
    assert 'value="2600"' in html
    assert 'value="50000"' in html  # a number box reads back what it shows: ungrouped
    assert not re.search(r'value="\d+\.\d*0"', html)


def test_the_check_in_form_gives_baseline_and_target_as_written(team, measured, browser_client):
    chain, _, _ = measured
    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/check-in/")
    text = html.content.decode()
    assert "Baseline 3.1, target 50,000." in text
    assert 'value="2600"' in text
    assert not re.search(r'value="\d+\.\d*0"', text)


def test_the_markdown_export_writes_numbers_as_people_do(team, measured, api):
    response = api(team.leader).get(f"/api/products/{team.product.pk}/export/?format=markdown")
    text = response.content.decode()
    assert_numbers_as_people_write_them(text)
    assert "3.1 → 50,000 kg/week, now 2,600" in text
    assert "1 → 1,234,567.5 households, now 1" in text


def test_the_json_export_keeps_numbers_exact(team, measured, api):
    _, weight, _ = measured
    response = api(team.leader).get(f"/api/products/{team.product.pk}/export/")
    document = response.json()
    (kept,) = [kr for kr in document["key_results"] if kr["title"] == weight.title]
    assert (kept["baseline"], kept["target"]) == ("3.1", "50000")


def test_the_feedback_summary_counts_concerns_in_the_right_form(
    team, measured, mailoutbox, django_capture_on_commit_callbacks
):
    chain, _, _ = measured
    asked = make_closed_round(
        chain.product_goal, team.leader, {team.member: FeedbackAnswer.CONCERNS}
    )
    asked.closed_at = None
    asked.save(update_fields=["closed_at"])

    with django_capture_on_commit_callbacks(execute=True):
        feedback_round_close(feedback_round_id=asked.pk)

    (email,) = [m for m in mailoutbox if "Feedback on" in m.subject]
    assert email.subject.endswith("0 support, 1 concern, 0 object")
    assert "1 with concerns" in email.body
    notification = Notification.objects.get(key__startswith=f"feedback-summary:{asked.pk}:")
    assert "1 with concerns" in notification.text


def test_the_api_keeps_key_result_numbers_as_numbers(team, measured, api):
    _, weight, _ = measured
    body = api(team.member).get(f"/api/key-results/{weight.pk}/").json()
    assert (body["baseline"], body["target"], body["current"]) == (3.1, 50000, 2600)
    assert KeyResult.objects.get(pk=weight.pk).target == Decimal("50000")


@pytest.mark.parametrize(
    ("level", "days", "written"),
    [
        (Level.PRODUCT, 365, "1 year"),
        (Level.USER, 4 * 365 + 182, "4.5 years"),
        (Level.USER, 61, "2 months"),
        (Level.USER, 1, "1 day"),
    ],
)
def test_timeframe_advice_writes_spans_as_people_do(level, days, written):
    start = today()
    advice = timeframe_warning(level, start, start + timedelta(days=days))
    assert advice is not None and advice.endswith(f"this one spans {written}.")
