"""Sentences around names people chose end in one full stop, not two ([2/7] item 14)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from goals.models import Invitation, OrganizationMembership, OrgRole, User
from goals.wording import full_stop
from tests.factories import OrganizationFactory, ProductFactory, UserFactory


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Welcome to Acme", "Welcome to Acme."),
        ("Welcome to Healthy Eating Co.", "Welcome to Healthy Eating Co."),
        ("Imported Ship it!", "Imported Ship it!"),
        ("Imported Why not?", "Imported Why not?"),
        ("Imported And then…", "Imported And then…"),
    ],
)
def test_it_ends_a_sentence_with_one_mark(text, written):
    assert full_stop(text) == written


@pytest.mark.django_db
def test_joining_an_organisation_whose_name_ends_in_a_full_stop_says_it_once(client):
    admin = UserFactory()
    org = OrganizationFactory(name="Healthy Eating Co.")
    OrganizationMembership.objects.create(organization=org, user=admin, role=OrgRole.ADMIN)
    invitation = Invitation.objects.create(organization=org, email="new@example.com")
    client.post(
        f"/invitations/{invitation.token}/",
        {"display_name": "Nina New", "password": "a-long-new-secret-7"},
    )
    html = client.get("/").content.decode()
    assert "Welcome to Healthy Eating Co." in html
    assert "Co.." not in html
    assert User.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["win", "review_overdue", "weekly_summary"])
@pytest.mark.parametrize("part", ["txt", "html"])
def test_email_footers_end_a_product_name_in_one_full_stop(template, part):
    product = ProductFactory(name="Meals Inc.")
    text = render_to_string(
        f"emails/{template}.{part}",
        {"product": product, "recipient": UserFactory(), "goals": [], "rows": []},
    )
    assert "of Meals Inc." in text
    assert "Meals Inc.." not in text
