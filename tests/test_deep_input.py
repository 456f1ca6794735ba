"""Input that nests without end, or asks for a description of an export, is answered, not a 500."""

from __future__ import annotations

import io

import pytest

from goalchain.parsers import MAX_DEPTH, nesting_depth
from goals.models import Product
from tests.factories import make_chain

DEEP = "[" * 50_000 + "]" * 50_000
JUST_TOO_DEEP = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)


@pytest.mark.parametrize("body", [DEEP, JUST_TOO_DEEP, '{"a":' * 5_000 + "1" + "}" * 5_000])
def test_it_refuses_deeply_nested_json_on_the_anonymous_token_endpoint(client, db, body):
    response = client.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["non_field_errors"][0]


def test_it_refuses_deeply_nested_json_from_a_signed_in_client(team, api):
    response = api(team.leader).post(
        "/api/goals/", DEEP, content_type="application/json", format=None
    )
    assert response.status_code == 400
    assert "nested" in response.json()["non_field_errors"][0]


def test_it_accepts_json_up_to_the_bound(client, db):
    body = '{"email": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = client.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" not in str(response.json())


def test_it_refuses_a_deeply_nested_document_given_as_text_to_the_import(team, api):
    org = team.product.organization_id
    products = Product.objects.count()
    response = api(team.org_admin).post(
        "/api/products/import/", {"organization": org, "document": DEEP}, format="json"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["document"][0]
    assert Product.objects.count() == products


def test_it_refuses_a_deeply_nested_file_on_the_import_page(team, browser_client):
    upload = io.BytesIO(DEEP.encode())
    upload.name = "deep.json"
    products = Product.objects.count()
    response = browser_client(team.org_admin).post(
        f"/organizations/{team.product.organization_id}/products/import/", {"document": upload}
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.content.decode()
    assert Product.objects.count() == products


def test_an_export_nests_well_within_the_bound(team, api):
    make_chain(team.product)
    document = api(team.member).get(f"/api/products/{team.product.pk}/export/").json()
    assert nesting_depth(document) <= MAX_DEPTH // 4


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_options_on_every_export_format_describes_the_endpoint_in_json(team, api, fmt):
    response = api(team.member).options(f"/api/products/{team.product.pk}/export/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["name"] == "Product Export"
