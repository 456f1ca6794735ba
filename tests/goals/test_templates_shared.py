"""Templates shared by several pages or emails: the HTML emails' base, the members list, and the
timeframe and progress bar every goal card shows (in Django's templates and the chain page's
Jinja2 tree alike)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import ExtendsNode
from django.utils import dateformat
from django.utils.html import strip_tags

from goals.models import Goal, ProductRole
from goals.templatetags.cards import day_month_year
from tests.factories import InvitationFactory, ProductFactory

EMAILS = sorted(
    path.stem
    for path in Path(settings.BASE_DIR, "templates", "emails").glob("*.html")
    if path.name != "base.html"
)
# The emails that end in the grey line linking to the reader's email settings.
WITH_SETTINGS_LINK = {
    "digest",
    "feedback_summary",
    "notification",
    "review_due",
    "review_overdue",
    "sprint_verdict",
    "weekly_summary",
    "win",
}
UNSUBSCRIBE_URL = "https://goalchain.example/notifications/unsubscribe/signed/"


def render_email(name: str) -> str:
    # Enough context for every email to render: the shell and footer are what is checked here;
    # the tests of each sender check the words.
    return render_to_string(
        f"emails/{name}.html",
        {
            "unsubscribe_url": UNSUBSCRIBE_URL,
            "invitation": InvitationFactory.build(),
            "uid": "MQ",
            "token": "set-by-the-test",
        },
    )


def test_it_finds_every_html_email():
    assert len(EMAILS) == 12
    assert WITH_SETTINGS_LINK.issubset(EMAILS)


@pytest.mark.parametrize("name", EMAILS)
def test_every_html_email_extends_the_email_base(name):
    extends = get_template(f"emails/{name}.html").template.nodelist.get_nodes_by_type(ExtendsNode)
    assert [node.parent_name.var for node in extends] == ["emails/base.html"]


@pytest.mark.parametrize("name", EMAILS)
def test_every_html_email_renders_in_the_base_shell(name):
    html = render_email(name)
    assert html.startswith(
        '<!doctype html>\n<html lang="en">\n'
        '<body style="font-family: system-ui, sans-serif; color: #1f2933; line-height: 1.5">\n'
    )
    assert html.endswith("</body>\n</html>\n")
    assert html.count("<body") == 1


@pytest.mark.parametrize("name", EMAILS)
def test_only_emails_to_people_with_settings_link_to_them_in_the_footer(name):
    html = render_email(name)
    footer = '<p style="color: #52606d; font-size: 0.9em">'
    if name in WITH_SETTINGS_LINK:
        assert html.count(footer) == 1
        assert html.count(f'<a href="{UNSUBSCRIBE_URL}">') == 1
        assert html.index(footer) < html.index(UNSUBSCRIBE_URL) < html.index("</body>")
    else:
        assert footer not in html
        assert UNSUBSCRIBE_URL not in html


def test_the_organisation_page_lists_members_through_the_shared_partial(
    team, browser_client, templates_watched
):
    org = team.product.organization
    invitation = InvitationFactory(organization=org)
    response = browser_client(team.org_admin).get(f"/organizations/{org.pk}/")
    assert "goals/_members.html" in [t.name for t in response.templates]
    html = response.content.decode()
    membership = org.memberships.get(user=team.org_admin)
    assert f'action="/organizations/{org.pk}/members/{membership.pk}/role/"' in html
    assert f'<select name="role" id="org-role-{membership.pk}">' in html
    assert f"from {org.name} and all its products?" in html
    assert f'action="/organizations/{org.pk}/invitations/{invitation.pk}/withdraw/"' in html


def test_the_product_members_page_lists_members_through_the_shared_partial(
    team, browser_client, templates_watched
):
    product = team.product
    invitation = InvitationFactory(
        organization=product.organization, product=product, product_role=ProductRole.TEAM
    )
    response = browser_client(team.leader).get(f"/products/{product.pk}/members/")
    assert "goals/_members.html" in [t.name for t in response.templates]
    html = response.content.decode()
    membership = product.memberships.get(user=team.member)
    assert f'action="/products/{product.pk}/members/{membership.pk}/role/"' in html
    assert f'<select name="role" id="role-{membership.pk}">' in html
    assert f'data-confirm="Take Tom Team off {product.name}?"' in html
    assert f'action="/products/{product.pk}/invitations/{invitation.pk}/withdraw/"' in html


def test_the_shared_members_list_says_when_a_product_has_nobody(team, browser_client):
    empty = ProductFactory(organization=team.product.organization)
    html = browser_client(team.org_admin).get(f"/products/{empty.pk}/members/").content.decode()
    assert '<li class="empty">Nobody has a role in this product yet.</li>' in html


@pytest.mark.parametrize("month", range(1, 13))
def test_a_card_writes_its_dates_as_the_date_filter_does(month):
    day = date(2027, month, 9 if month % 2 else 28)
    assert day_month_year(day) == dateformat.format(day, "j M Y")


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "words"),
    [
        (date(2027, 1, 4), date(2027, 3, 31), "4 Jan 2027 – 31 Mar 2027"),
        (None, date(2027, 3, 31), "until 31 Mar 2027"),
        (date(2027, 1, 4), None, "from 4 Jan 2027"),
        (None, None, "no dates yet"),
    ],
)
def test_the_timeframe_reads_the_same_on_every_page(starts_on, ends_on, words):
    goal = Goal(title="Weekly planner", starts_on=starts_on, ends_on=ends_on)
    html = render_to_string("goals/_timeframe.html", {"goal": goal})
    assert strip_tags(html).strip() == words
    for day in filter(None, (starts_on, ends_on)):
        assert f'<time datetime="{day.isoformat()}">' in html


def test_the_progress_bar_shows_its_figure():
    html = render_to_string("goals/_progress.html", {"value": 42})
    assert '<progress max="100" value="42" aria-label="Progress">42%</progress>' in html
    assert '<span class="progress-value">42%</span>' in html
